// Whose a session or token is, remembered per instance so that signed-in requests need no query,
// and forgotten at once, on every instance, on sign-out, revocation and a change of role.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2Hasher } from '../../src/identity/passwords.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

let a: TestPortal;
let b: TestPortal;
let hash: string;

beforeAll(async () => {
  a = await startTestPortal();
  b = await startTestPortal({ db: a.db });
  hash = await argon2Hasher.hash('a-long-password-1');
});
afterAll(async () => {
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

/** Polls until `check` holds; the change must reach the other instance within a second. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) if (await check()) return true;
  return check();
}

describe('the credential cache', () => {
  it('serves a known session from memory: the request needs no session row', async () => {
    const s = await signedIn();
    expect(await status(a, '/api/v1/me', s.headers)).toBe(200);
    // Gone from the table without a notice (nothing in the portal does this): the cache still answers,
    // which shows the second request did not read the table.
    await sql`DELETE FROM sessions WHERE user_id = ${s.userId}`.execute(a.db.database.db);
    expect(await status(a, '/api/v1/me', s.headers)).toBe(200);
  });

  it('forgets a session on sign-out, on this instance at once and on the other within a second', async () => {
    const s = await signedIn();
    expect(await status(a, '/api/v1/me', s.headers)).toBe(200);
    expect(await status(b, '/api/v1/me', s.headers)).toBe(200);
    expect((await a.api('DELETE', '/api/v1/session', { headers: { ...s.headers, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await status(a, '/api/v1/me', s.headers)).toBe(401);
    expect(await within(1000, async () => (await status(b, '/api/v1/me', s.headers)) === 401)).toBe(true);
  });

  it('forgets a token when it is revoked, on both instances', async () => {
    const s = await signedIn();
    const made = await a.api('POST', '/api/v1/me/tokens', { headers: { ...s.headers, 'x-csrf-token': s.csrf }, body: { name: 'script' } });
    const bearer = { authorization: `Bearer ${made.body.token}` };
    expect(await status(a, '/api/v1/me', bearer)).toBe(200);
    expect(await status(b, '/api/v1/me', bearer)).toBe(200);
    expect((await a.api('DELETE', `/api/v1/me/tokens/${made.body.id}`, { headers: { ...s.headers, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await status(a, '/api/v1/me', bearer)).toBe(401);
    expect(await within(1000, async () => (await status(b, '/api/v1/me', bearer)) === 401)).toBe(true);
  });

  it('takes a change of role into account on both instances within a second', async () => {
    const s = await signedIn();
    expect(await status(a, '/api/v1/audit', s.headers)).toBe(403);
    expect(await status(b, '/api/v1/audit', s.headers)).toBe(403);
    expect((await a.api('PATCH', `/api/v1/users/${s.userId}`, { as: a.admin, body: { role: 'admin' } })).status).toBe(200);
    expect(await within(1000, async () => (await status(a, '/api/v1/audit', s.headers)) === 200)).toBe(true);
    expect(await within(1000, async () => (await status(b, '/api/v1/audit', s.headers)) === 200)).toBe(true);
    // And back: the rights taken away reach both too.
    expect((await b.api('PATCH', `/api/v1/users/${s.userId}`, { as: b.admin, body: { role: 'member' } })).status).toBe(200);
    expect(await within(1000, async () => (await status(a, '/api/v1/audit', s.headers)) === 403)).toBe(true);
    expect(await within(1000, async () => (await status(b, '/api/v1/audit', s.headers)) === 403)).toBe(true);
  });
});
