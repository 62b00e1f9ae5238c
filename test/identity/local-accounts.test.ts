// The local sign-in form: brute force is slowed per account and per address (counted in PostgreSQL,
// so a second instance sees the same count), and an administrator can turn local accounts off for
// everyone else. Also: a new session id at sign-in, and logout ends the session on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2Hasher } from '../../src/identity/passwords.ts';
import { cookiesOf, startIdentityPortal, type IdentityPortal } from './support/portal.ts';

let t: IdentityPortal;
let t2: IdentityPortal;
let adminToken: string;
let n = 0;

beforeAll(async () => {
  const env = { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '8', LOGIN_FAILURE_WINDOW_MINUTES: '15' };
  t = await startIdentityPortal(env);
  t2 = await startIdentityPortal(env, { db: t.db });
  const admin = await t.portal.services.accounts.createAdmin({ email: 'admin@example.org', name: 'Admin', password: 'admin-password-1' });
  adminToken = (await t.portal.services.accounts.createToken({ actor: { userId: admin.id, role: 'admin', institutionId: null } }, 'test')).token;
});

afterAll(async () => {
  await t2?.close();
  await t?.close();
});

let memberHash: string;
/** A member with a password (hashed once for the file: argon2 is slow on purpose). */
async function member() {
  const email = `member${++n}@example.org`;
  memberHash ??= await argon2Hasher.hash('member-password-1');
  await t.portal.services.uow.repos.users.create({ email, name: `Member ${n}`, role: 'member', institutionId: null, passwordHash: memberHash });
  return email;
}

async function signIn(email: string, password: string, opts: { base?: string; cookie?: string; csrf?: string; next?: string } = {}) {
  const res = await fetch(`${opts.base ?? t.baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}) },
    body: JSON.stringify({ email, password, ...(opts.next === undefined ? {} : { next: opts.next }) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, cookies: cookiesOf(res), retryAfter: res.headers.get('retry-after') }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const clearFailures = () => t.db.database.pool.query('DELETE FROM login_failures');

describe('local sign-in', () => {
  it('slows guessing on one account: after 3 failures even the right password waits, on every instance', async () => {
    await clearFailures();
    const email = await member();
    for (let i = 0; i < 3; i++) expect((await signIn(email, 'wrong-guess')).status).toBe(401);
    const blocked = await signIn(email, 'member-password-1');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('TOO_MANY_SIGN_IN_ATTEMPTS');
    expect(Number(blocked.retryAfter)).toBeGreaterThan(800);
    expect(blocked.cookies.wm_session).toBeUndefined();
    expect((await signIn(email, 'member-password-1', { base: t2.baseUrl })).status).toBe(429);
    expect(t.logs.findLast((l) => l.event === 'login.rate-limited')?.account).toBe(email);
    // Another account is not affected.
    expect((await signIn(await member(), 'member-password-1')).status).toBe(200);
  });

  it('slows guessing from one address across many accounts', async () => {
    await clearFailures();
    const emails = await Promise.all([1, 2, 3, 4].map(() => member()));
    for (const e of emails) for (let i = 0; i < 2; i++) expect((await signIn(e, 'wrong-guess')).status).toBe(401);
    const fresh = await member();
    const r = await signIn(fresh, 'member-password-1');
    expect(r.status).toBe(429);
  });

  it('lets a successful sign-in clear the account’s failures', async () => {
    await clearFailures();
    const email = await member();
    for (let i = 0; i < 2; i++) await signIn(email, 'wrong-guess');
    expect((await signIn(email, 'member-password-1')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await signIn(email, 'wrong-guess')).status).toBe(401);
    expect((await signIn(email, 'member-password-1')).status).toBe(200);
  });

  it('gives a new session id at sign-in and ends the old one; logout ends the session on the server', async () => {
    await clearFailures();
    const email = await member();
    const first = await signIn(email, 'member-password-1');
    const second = await signIn(email, 'member-password-1', { cookie: `wm_session=${first.cookies.wm_session}`, csrf: first.body.csrfToken });
    expect(second.status).toBe(200);
    expect(second.cookies.wm_session).toBeTruthy();
    expect(second.cookies.wm_session).not.toBe(first.cookies.wm_session);
    const meWith = (sid: string, base = t.baseUrl) => fetch(`${base}/api/v1/me`, { headers: { cookie: `wm_session=${sid}` } }).then((r) => r.status);
    expect(await meWith(first.cookies.wm_session!)).toBe(401);
    expect(await meWith(second.cookies.wm_session!)).toBe(200);
    const out = await fetch(`${t.baseUrl}/auth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `wm_session=${second.cookies.wm_session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(second.body.csrfToken)}`,
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect(await meWith(second.cookies.wm_session!)).toBe(401);
    expect(await meWith(second.cookies.wm_session!, t2.baseUrl)).toBe(401);
  });

  it('lets an administrator turn local accounts off for everyone but administrators', async () => {
    await clearFailures();
    const email = await member();
    const put = (localAccounts: string, token = adminToken) =>
      fetch(`${t.baseUrl}/api/v1/auth/settings`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ localAccounts }) });
    expect((await put('admins-only')).status).toBe(200);
    const refused = await signIn(email, 'member-password-1');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('LOCAL_ACCOUNTS_OFF');
    expect(refused.body.detail).toMatch(/sign in with your institution/);
    expect(refused.cookies.wm_session).toBeUndefined();
    expect((await signIn('admin@example.org', 'admin-password-1', { base: t2.baseUrl })).status).toBe(200);
    const methods = (await (await fetch(`${t.baseUrl}/api/v1/auth/methods`)).json()) as { local: { adminsOnly: boolean } };
    expect(methods.local.adminsOnly).toBe(true);
    // A member may not change it.
    const memberSession = await t.portal.services.uow.repos.users.findByEmail(email);
    const memberToken = (await t.portal.services.accounts.createToken({ actor: { userId: memberSession!.id, role: 'member', institutionId: null } }, 't')).token;
    expect((await put('everyone', memberToken)).status).toBe(403);
    expect((await put('everyone')).status).toBe(200);
    expect((await signIn(email, 'member-password-1')).status).toBe(200);
    expect((await put('nobody')).status).toBe(400);
  });

  // Issue #11: after signing in from /join/… or a mail link, people go back where they were going;
  // the server says where, with the same same-origin check as every federated return address.
  it('answers the `next` address to go to after sign-in when it is a path of the portal, and "/" otherwise', async () => {
    await clearFailures();
    const email = await member();
    expect((await signIn(email, 'member-password-1', { next: '/join/6a1f0d8e-3b7c-4f8e-9d3a-1c2b3d4e5f60?lang=it' })).body.next).toBe('/join/6a1f0d8e-3b7c-4f8e-9d3a-1c2b3d4e5f60?lang=it');
    expect((await signIn(email, 'member-password-1', { next: `${t.baseUrl}/rooms` })).body.next).toBe('/rooms');
    for (const next of ['/\t/evil.example/', '/\n/evil.example/', '/\\evil.example/', '/%2F%2Fevil.example/', '/%5Cevil.example/', '//evil.example/', 'https://evil.example/']) {
      const r = await signIn(email, 'member-password-1', { next });
      expect(r.status, next).toBe(200);
      expect(r.body.next, next).toBe('/');
    }
    expect((await signIn(email, 'member-password-1')).body.next).toBe('/');
  });
});
