import { describe, expect, it } from 'vitest';
import type { Institution } from '../ports.ts';
import { mailWithin, matchInstitution, meetsRequirement } from './federated-sign-in.ts';

const inst = (name: string, scopes: string[]): Institution => ({
  id: name,
  name,
  scopes,
  subscriptionStart: null,
  subscriptionEnd: null,
  monthlyQuotaHours: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});
const all = [inst('Padova', ['unipd.it']), inst('Fisica', ['fisica.unipd.it']), inst('Milano', ['unimi.it'])];

describe('matchInstitution', () => {
  it('matches a scope exactly or as a parent domain, case and @ ignored', () => {
    expect(matchInstitution(all, ['@UNIMI.IT'])?.name).toBe('Milano');
    expect(matchInstitution(all, ['studenti.unipd.it'])?.name).toBe('Padova');
  });
  it('prefers the most specific scope', () => {
    expect(matchInstitution(all, ['lab.fisica.unipd.it'])?.name).toBe('Fisica');
  });
  it('takes the first domain that matches, and nothing for look-alike domains', () => {
    expect(matchInstitution(all, ['example.org', 'unimi.it'])?.name).toBe('Milano');
    expect(matchInstitution(all, ['notunipd.it', 'unipd.it.evil.org'])).toBeNull();
  });
});

describe('meetsRequirement', () => {
  const person = { affiliations: ['staff@unipd.it', 'member@unipd.it'], entitlements: ['urn:mace:unipd.it:wm'] };
  it('passes without a requirement', () => expect(meetsRequirement(null, person)).toBe(true));
  it('checks the entitlement', () => {
    expect(meetsRequirement({ institutionId: 'x', requiredEntitlement: 'urn:mace:unipd.it:wm', requiredAffiliation: null }, person)).toBe(true);
    expect(meetsRequirement({ institutionId: 'x', requiredEntitlement: 'urn:other', requiredAffiliation: null }, person)).toBe(false);
  });
  it('checks the affiliation with or without scope', () => {
    expect(meetsRequirement({ institutionId: 'x', requiredEntitlement: null, requiredAffiliation: 'staff' }, person)).toBe(true);
    expect(meetsRequirement({ institutionId: 'x', requiredEntitlement: null, requiredAffiliation: 'staff@unipd.it' }, person)).toBe(true);
    expect(meetsRequirement({ institutionId: 'x', requiredEntitlement: null, requiredAffiliation: 'faculty' }, person)).toBe(false);
  });
});

describe('mailWithin', () => {
  it('holds an address in a domain or one of its subdomains, case ignored', () => {
    expect(mailWithin('carol@uni-b.example.org', ['uni-b.example.org'])).toBe(true);
    expect(mailWithin('Carol@Studenti.UNIPD.it', ['unipd.it'])).toBe(true);
  });
  it('does not hold look-alike, parent or other domains, nor anything without scopes', () => {
    expect(mailWithin('carol@uni-b.example.org', ['unimi.it'])).toBe(false);
    expect(mailWithin('carol@notunipd.it', ['unipd.it'])).toBe(false);
    expect(mailWithin('carol@unipd.it.evil.org', ['unipd.it'])).toBe(false);
    expect(mailWithin('carol@unipd.it', ['fisica.unipd.it'])).toBe(false);
    expect(mailWithin('carol@unipd.it', [])).toBe(false);
    expect(mailWithin('not-an-address', ['unipd.it'])).toBe(false);
  });
});
