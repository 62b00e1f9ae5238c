// What a local password must be. Length is what makes a password hard to guess (NIST SP 800-63B,
// 5.1.1.2: at least 8 characters, no composition rules, long passphrases allowed); the portal asks
// for 12, and refuses a password that is the person's own e-mail address or name.
import { fieldErrors, unprocessable } from './errors.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = { code: 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_IS_PERSONAL'; message: string; it: string };

export function passwordProblem(password: string, person: { email: string; name: string }): PasswordProblem | null {
  // Characters as people count them, not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      code: 'PASSWORD_TOO_SHORT',
      message: `The password must have at least ${PASSWORD_MIN_LENGTH} characters; a few words with spaces are fine.`,
      it: `La password deve avere almeno ${PASSWORD_MIN_LENGTH} caratteri; vanno bene alcune parole separate da spazi.`,
    };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { code: 'PASSWORD_TOO_LONG', message: `The password must have at most ${PASSWORD_MAX_LENGTH} characters.`, it: `La password deve avere al massimo ${PASSWORD_MAX_LENGTH} caratteri.` };
  }
  const p = password.trim().toLowerCase();
  const email = person.email.trim().toLowerCase();
  const personal = [email, email.slice(0, email.indexOf('@')), person.name.trim().toLowerCase(), person.name.replace(/\s+/g, '').toLowerCase()];
  if (personal.includes(p)) return { code: 'PASSWORD_IS_PERSONAL', message: 'The password must not be your e-mail address or your name.', it: 'La password non può essere il tuo indirizzo e-mail o il tuo nome.' };
  return null;
}

/** Refuses a password off the policy, naming the field it came in (`password` in every request that sets one). */
export function checkPassword(password: string, person: { email: string; name: string }): void {
  const problem = passwordProblem(password, person);
  if (!problem) return;
  const { en, it } = fieldErrors([{ path: 'password', en: problem.message, it: problem.it }]);
  throw unprocessable(problem.code, problem.message, { it: problem.it, details: it }, en);
}
