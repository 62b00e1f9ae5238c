// Whose a session or token is, remembered per instance so that signed-in requests need no query,
// and forgotten at once, on every instance, on sign-out, revocation and a change of role.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FederatedSignInService } from '../../src/app/federated-sign-in.ts';
import { Notices } from '../../src/db/notices.ts';
import { PgExternalIdentityStore, PgInstitutionRequirementStore } from '../../src/identity/external-identities.ts';
import { argon2Hasher } from '../../src/identity/passwords.ts';
import { PgSessionStore } from '../../src/identity/session-store.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { within } from '../support/within.ts';

let a: TestPortal;
let b: TestPortal;
/** A third instance that hears nothing through LISTEN: what it forgets at once, it forgot by itself. */
let deaf: TestPortal;
let hash: string;

beforeAll(async () => {
  a = await startTestPortal();
  b = await startTestPortal({ db: a.db });
  deaf = await startTestPortal({ db: { ...a.db, database: { ...a.db.database, listen: async () => async () => {} } } });
  hash = await argon2Hasher.hash('a-long-password-1');
});
afterAll(async () => {
  await deaf?.close();
  await b?.close();
  await a?.close();
});

async function signedIn(role: 'member' | 'admin' = 'member') {
  const email = `cached-${Math.random().toString(36).slice(2)}@example.org`;
  const user = await a.portal.services.uow.repos.users.create({ email, name: 'Cached', role, institutionId: null, passwordHash: hash });
  const s = await a.portal.services.accounts.signIn(email, 'a-long-password-1');
  return { userId: user.id, headers: { cookie: `wm_session=${s.sessionId}` }, csrf: s.csrfToken };
}

const status = async (t: TestPortal, path: string, headers: Record<string, string>) => (await t.api('GET', path, { headers })).status;

describe('the credential cache', () => {
  it('serves a known session from memory: the request needs no session row', async () => {
    const s = await signedIn();
    expect(await status(a, '/api/v1/me', s.headers)).toBe(200);
    // Gone from the table without a notice (nothing in the portal does this): the cache still answers,
    // which shows the second request did not read the table.
    await sql`DELETE FROM sessions WHERE user_id = ${s.userId}`.execute(a.db.database.db);
    expect(await status(a, '/api/v1/me', s.headers)).toBe(200);
  });

  // Each change is made through `deaf`, which must forget at once by itself (after the commit, before
  // it answers), and reaches `b` through the database within a second.
  it('forgets a session on sign-out, on this instance at once and on the other within a second', async () => {
    const s = await signedIn();
    expect(await status(deaf, '/api/v1/me', s.headers)).toBe(200);
    expect(await status(b, '/api/v1/me', s.headers)).toBe(200);
    expect((await deaf.api('DELETE', '/api/v1/session', { headers: { ...s.headers, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await status(deaf, '/api/v1/me', s.headers)).toBe(401);
    expect(await within(1000, async () => (await status(b, '/api/v1/me', s.headers)) === 401)).toBe(true);
  });

  it('forgets a token when it is revoked, on this instance at once and on the other within a second', async () => {
    const s = await signedIn();
    const made = await deaf.api('POST', '/api/v1/me/tokens', { headers: { ...s.headers, 'x-csrf-token': s.csrf }, body: { name: 'script' } });
    const bearer = { authorization: `Bearer ${made.body.token}` };
    expect(await status(deaf, '/api/v1/me', bearer)).toBe(200);
    expect(await status(b, '/api/v1/me', bearer)).toBe(200);
    expect((await deaf.api('DELETE', `/api/v1/me/tokens/${made.body.id}`, { headers: { ...s.headers, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await status(deaf, '/api/v1/me', bearer)).toBe(401);
    expect(await within(1000, async () => (await status(b, '/api/v1/me', bearer)) === 401)).toBe(true);
  });

  it('takes a change of role into account on this instance at once and on the other within a second', async () => {
    const s = await signedIn();
    expect(await status(deaf, '/api/v1/audit', s.headers)).toBe(403);
    expect(await status(b, '/api/v1/audit', s.headers)).toBe(403);
    expect((await deaf.api('PATCH', `/api/v1/users/${s.userId}`, { as: deaf.admin, body: { role: 'admin' } })).status).toBe(200);
    expect(await status(deaf, '/api/v1/audit', s.headers)).toBe(200);
    expect(await within(1000, async () => (await status(b, '/api/v1/audit', s.headers)) === 200)).toBe(true);
    // And back: the rights taken away reach both too.
    expect((await deaf.api('PATCH', `/api/v1/users/${s.userId}`, { as: deaf.admin, body: { role: 'member' } })).status).toBe(200);
    expect(await status(deaf, '/api/v1/audit', s.headers)).toBe(403);
    expect(await within(1000, async () => (await status(b, '/api/v1/audit', s.headers)) === 403)).toBe(true);
  });

  it('forgets a disabled person on this instance at once and on the other within a second', async () => {
    const s = await signedIn();
    expect(await status(deaf, '/api/v1/me', s.headers)).toBe(200);
    expect(await status(b, '/api/v1/me', s.headers)).toBe(200);
    expect((await deaf.api('PATCH', `/api/v1/users/${s.userId}`, { as: deaf.admin, body: { disabled: true } })).status).toBe(200);
    expect(await status(deaf, '/api/v1/me', s.headers)).toBe(401);
    expect(await within(1000, async () => (await status(b, '/api/v1/me', s.headers)) === 401)).toBe(true);
  });

  it('answers in a newly chosen language at once', async () => {
    const s = await signedIn();
    // The cached actor carries the saved language, in which error messages are written.
    const denied = async () => (await deaf.api('GET', `/api/v1/requests/${crypto.randomUUID()}`, { headers: s.headers })).body.detail as string;
    expect(await denied()).toMatch(/^No request/);
    expect((await deaf.api('PATCH', '/api/v1/me', { headers: { ...s.headers, 'x-csrf-token': s.csrf }, body: { locale: 'it' } })).status).toBe(200);
    expect(await denied()).toMatch(/^Non esiste una richiesta/);
  });

  it('hears a change a repository makes outside a unit of work at once too', async () => {
    const s = await signedIn();
    expect(await status(deaf, '/api/v1/audit', s.headers)).toBe(403);
    // No transaction: the repository sends its notice itself, through the instance's notices.
    await deaf.portal.services.uow.repos.users.update(s.userId, { role: 'admin' });
    expect(await status(deaf, '/api/v1/audit', s.headers)).toBe(200);
  });

  it('hears another instance in the same process only through the database', async () => {
    // What makes the "other instance within a second" checks above mean something: `deaf` shares
    // this process and the database with `a`, but not its notices, so without LISTEN it keeps its
    // cached session until the cache's own time limit.
    const s = await signedIn();
    expect(await status(deaf, '/api/v1/me', s.headers)).toBe(200);
    expect((await a.api('DELETE', '/api/v1/session', { headers: { ...s.headers, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await status(a, '/api/v1/me', s.headers)).toBe(401);
    expect(await status(deaf, '/api/v1/me', s.headers)).toBe(200);
    expect(await within(1000, async () => (await status(b, '/api/v1/me', s.headers)) === 401)).toBe(true);
  });

  it("a federated sign-in that takes a manager's institution away takes the rights of their other sessions at once", async () => {
    const scope = `cache-${Math.random().toString(36).slice(2)}.example.org`;
    const institution = await a.institution({ name: `Cached ${scope}`, scopes: [scope] });
    const db = a.db.database.db;
    // What the SAML and OIDC routes call, on the instance that hears nothing.
    const federated = new FederatedSignInService({
      uow: deaf.portal.services.uow,
      identities: new PgExternalIdentityStore(db),
      requirements: new PgInstitutionRequirementStore(db),
      sessions: new PgSessionStore(db, deaf.config.session, undefined, new Notices(db).send),
    });
    const idp = { protocol: 'saml' as const, issuer: `https://idp.${scope}/` };
    const profile = { ...idp, subject: 'manager-1', email: `manager@${scope}`, mailDomains: [scope], name: 'Manager', homeDomains: [scope], affiliations: [], entitlements: [], attributes: {} };
    const first = await federated.signIn(profile, idp);
    expect(first.user.institutionId).toBe(institution.id);
    expect((await a.api('PATCH', `/api/v1/users/${first.user.id}`, { as: a.admin, body: { role: 'institution-manager' } })).status).toBe(200);
    const headers = { cookie: `wm_session=${(await federated.signIn(profile, idp)).sessionId}` };
    expect(await status(deaf, '/api/v1/users', headers)).toBe(200);
    expect(await status(b, '/api/v1/users', headers)).toBe(200);
    // The IdP no longer says the person belongs there: this sign-in makes them a member.
    const later = await federated.signIn({ ...profile, homeDomains: ['elsewhere.example.net'] }, idp);
    expect(later.user).toMatchObject({ role: 'member', institutionId: null });
    expect(await status(deaf, '/api/v1/users', headers)).toBe(403);
    expect(await within(1000, async () => (await status(b, '/api/v1/users', headers)) === 403)).toBe(true);
  });
});
