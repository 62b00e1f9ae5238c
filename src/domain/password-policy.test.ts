import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.ts';

const person = { email: 'maria.rossi@prova.it', name: 'Maria Rossi' };

describe('the password policy', () => {
  it('refuses fewer than 12 characters, counting characters as people do', () => {
    expect(passwordProblem('short-pass1', person)?.code).toBe('PASSWORD_TOO_SHORT');
    expect(passwordProblem('ééééééééééé', person)?.code).toBe('PASSWORD_TOO_SHORT');
    expect(passwordProblem('éééééééééééé', person)).toBeNull();
  });
  it('accepts a long passphrase with spaces', () => {
    expect(passwordProblem('correct horse battery staple', person)).toBeNull();
  });
  it('refuses the e-mail address, its local part and the name', () => {
    expect(passwordProblem('Maria.Rossi@prova.it', person)?.code).toBe('PASSWORD_IS_PERSONAL');
    expect(passwordProblem('maria.rossi@prova.it'.slice(0, 11) + 'x', { ...person, email: 'maria.rossix@prova.it' })?.code).toBe('PASSWORD_IS_PERSONAL');
    expect(passwordProblem('MariaRossiMariaRossi', { ...person, name: 'Maria Rossi Maria Rossi' })?.code).toBe('PASSWORD_IS_PERSONAL');
  });
  it('refuses more than 256 characters', () => {
    expect(passwordProblem('a'.repeat(257), person)?.code).toBe('PASSWORD_TOO_LONG');
  });
});
