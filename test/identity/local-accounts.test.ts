// The local sign-in form: guessing is slowed, never turned into a lock-out of the rightful owner
// (issue #11): per account and address a wait that grows with each failure; failures from other
// addresses slow only addresses the account has not signed in from lately; an address over its
// limit (a campus NAT) is told to wait on wrong passwords and unknown accounts, but a right password
// still gets in. Counted in PostgreSQL, so a second instance sees the same counts. Also: an
// administrator can turn local accounts off for everyone else; a new session id at sign-in, and
// logout ends the session on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2Hasher } from '../../src/identity/passwords.ts';
import { TestClock } from '../support/portal.ts';
import { cookiesOf, startIdentityPortal, type IdentityPortal } from './support/portal.ts';

let t: IdentityPortal;
let t2: IdentityPortal;
let adminToken: string;
let n = 0;
const clock = new TestClock('2026-03-20T09:00:00Z');
let seconds = 0;
/** Moves the shared clock of both instances on. */
const wait = (s: number) => clock.set(new Date(Date.parse('2026-03-20T09:00:00Z') + (seconds += s) * 1000).toISOString());

beforeAll(async () => {
  const env = {
    LOGIN_FREE_FAILURES: '2',
    LOGIN_DELAY_BASE_SECONDS: '10',
    LOGIN_DELAY_MAX_SECONDS: '80',
    LOGIN_ACCOUNT_DELAY_MAX_SECONDS: '30',
    LOGIN_FAMILIAR_DAYS: '30',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '8',
    LOGIN_FAILURE_WINDOW_MINUTES: '60',
    // Client addresses from X-Forwarded-For, so one test can sign in from many places.
    TRUST_PROXY: 'true',
    // An institutional way in, without which passwords cannot be kept for administrators alone
    // (its issuer is read at the first sign-in, which these tests never start).
    OIDC_PROVIDERS: JSON.stringify([{ id: 'campus', name: 'Campus', issuer: 'https://idp.campus.example', clientId: 'wm', clientSecret: 'secret' }]),
  };
  t = await startIdentityPortal(env, { clock });
  t2 = await startIdentityPortal(env, { db: t.db, clock });
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

async function signIn(email: string, password: string, opts: { base?: string; cookie?: string; csrf?: string; next?: string; from?: string; lang?: string } = {}) {
  const res = await fetch(`${opts.base ?? t.baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': opts.from ?? '198.51.100.1',
      ...(opts.lang ? { 'accept-language': opts.lang } : {}),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
    },
    body: JSON.stringify({ email, password, ...(opts.next === undefined ? {} : { next: opts.next }) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, cookies: cookiesOf(res), retryAfter: res.headers.get('retry-after') }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const clearFailures = () => t.db.database.pool.query('DELETE FROM login_failures');

describe('local sign-in', () => {
  it('slows guessing on one account from one address with a wait that doubles, on every instance, and lets the right password in once it has passed', async () => {
    await clearFailures();
    const email = await member();
    for (let i = 0; i < 2; i++) expect((await signIn(email, 'wrong-guess')).status).toBe(401);
    // Two free failures, then 10 s after the latest: no guess is even checked meanwhile.
    const waiting = await signIn(email, 'member-password-1');
    expect(waiting.status).toBe(429);
    expect(waiting.body.code).toBe('TOO_MANY_SIGN_IN_ATTEMPTS');
    expect(waiting.retryAfter).toBe('10');
    expect(waiting.body.retryAfterSeconds).toBe(10);
    expect(waiting.cookies.wm_session).toBeUndefined();
    expect((await signIn(email, 'member-password-1', { base: t2.baseUrl })).status).toBe(429);
    expect(t.logs.findLast((l) => l.event === 'login.rate-limited')?.account).toBe(email);
    wait(10);
    expect((await signIn(email, 'wrong-guess')).status).toBe(401);
    expect((await signIn(email, 'wrong-guess')).retryAfter).toBe('20');
    wait(20);
    expect((await signIn(email, 'wrong-guess', { base: t2.baseUrl })).status).toBe(401);
    expect((await signIn(email, 'wrong-guess')).retryAfter).toBe('40');
    wait(40);
    expect((await signIn(email, 'wrong-guess')).status).toBe(401);
    // Capped at LOGIN_DELAY_MAX_SECONDS, and never a lock-out: after the wait the owner gets in.
    expect((await signIn(email, 'member-password-1')).retryAfter).toBe('80');
    wait(80);
    expect((await signIn(email, 'member-password-1', { base: t2.baseUrl })).status).toBe(200);
    // Another account at the same address is not affected.
    expect((await signIn(await member(), 'member-password-1')).status).toBe(200);
  });

  it('never refuses the right password at an address the account uses because of failures from other addresses', async () => {
    await clearFailures();
    const email = await member();
    expect((await signIn(email, 'member-password-1', { from: '203.0.113.7' })).status).toBe(200);
    // A botnet: 40 guesses from 20 addresses, each within its own free failures. Over all addresses
    // the account has had its free failures after two: the rest wait, unchecked.
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) for (let j = 0; j < 2; j++) answers.push((await signIn(email, 'wrong-guess', { from: `192.0.2.${i + 1}` })).status);
    expect(answers.slice(0, 2)).toEqual([401, 401]);
    expect(new Set(answers.slice(2))).toEqual(new Set([429]));
    // At home: in at once.
    const home = await signIn(email, 'member-password-1', { from: '203.0.113.7' });
    expect(home.status).toBe(200);
    expect(home.cookies.wm_session).toBeTruthy();
    // From a new place: a wait that doubles as guessing goes on, capped at
    // LOGIN_ACCOUNT_DELAY_MAX_SECONDS, then in.
    const elsewhere = await signIn(email, 'member-password-1', { from: '203.0.113.99', base: t2.baseUrl });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.retryAfter).toBe('10');
    wait(10);
    expect((await signIn(email, 'wrong-guess', { from: '192.0.2.50' })).status).toBe(401);
    wait(20);
    expect((await signIn(email, 'wrong-guess', { from: '192.0.2.51' })).status).toBe(401);
    expect((await signIn(email, 'member-password-1', { from: '203.0.113.99' })).retryAfter).toBe('30');
    expect((await signIn(email, 'member-password-1', { from: '203.0.113.7', base: t2.baseUrl })).status).toBe(200);
    wait(30);
    expect((await signIn(email, 'member-password-1', { from: '203.0.113.99' })).status).toBe(200);
  });

  it('keeps the per-address limit for unknown accounts and wrong passwords, while a right password behind the same NAT gets in', async () => {
    await clearFailures();
    const nat = '198.51.100.200';
    const emails = await Promise.all([1, 2, 3].map(() => member()));
    for (const e of ['nobody@example.org', 'nobody1@example.org']) expect((await signIn(e, 'wrong-guess', { from: nat })).status).toBe(401);
    for (const e of emails) for (let i = 0; i < 2; i++) expect((await signIn(e, 'wrong-guess', { from: nat })).status).toBe(401);
    // 8 failures from the NAT, its limit: guesses are now told to wait, whether the account
    // exists or not (the same answer, so it says nothing about which accounts exist)…
    const unknown = await signIn('nobody2@example.org', 'wrong-guess', { from: nat });
    expect(unknown.status).toBe(429);
    expect(unknown.body.code).toBe('TOO_MANY_SIGN_IN_ATTEMPTS');
    expect(Number(unknown.retryAfter)).toBeGreaterThan(3500);
    const fresh = await member();
    const wrong = await signIn(fresh, 'wrong-guess', { from: nat, base: t2.baseUrl });
    expect(wrong.status).toBe(429);
    expect(wrong.body.code).toBe('TOO_MANY_SIGN_IN_ATTEMPTS');
    // …but everyone else behind the NAT signs in with their right password.
    expect((await signIn(await member(), 'member-password-1', { from: nat })).status).toBe(200);
    expect((await signIn(await member(), 'member-password-1', { from: nat, base: t2.baseUrl })).status).toBe(200);
    // Another address is not affected.
    expect((await signIn('nobody3@example.org', 'wrong-guess', { from: '198.51.100.201' })).status).toBe(401);
  });

  it('says how long to wait in the person’s language', async () => {
    await clearFailures();
    const email = await member();
    for (let i = 0; i < 2; i++) await signIn(email, 'wrong-guess');
    const it_ = await signIn(email, 'member-password-1', { lang: 'it-IT,it;q=0.9,en;q=0.5' });
    expect(it_.status).toBe(429);
    expect(it_.body.detail).toBe('Troppi accessi non riusciti. Attendi 10 secondi e riprova.');
    const en = await signIn(email, 'member-password-1', { lang: 'en-GB,en;q=0.9' });
    expect(en.body.detail).toBe('Too many failed sign-ins. Wait 10 second(s) and try again.');
    expect(en.body.code).toBe(it_.body.code);
    expect((await signIn('nobody@example.org', 'wrong-guess', { lang: 'it', from: '198.51.100.77' })).body.detail).toBe('L’e-mail o la password non sono corrette.');
  });

  it('lets a successful sign-in clear the failures of its address', async () => {
    await clearFailures();
    const email = await member();
    for (let i = 0; i < 2; i++) await signIn(email, 'wrong-guess');
    wait(10);
    expect((await signIn(email, 'member-password-1')).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await signIn(email, 'wrong-guess')).status).toBe(401);
    wait(10);
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

  it('refuses to keep passwords for administrators alone on a portal nobody else could sign in to', async () => {
    const bare = await startIdentityPortal({ TRUST_PROXY: 'true' }, { db: t.db, clock });
    try {
      const put = (localAccounts: string, lang = 'en') =>
        fetch(`${bare.baseUrl}/api/v1/auth/settings`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'accept-language': lang },
          body: JSON.stringify({ localAccounts }),
        });
      const refused = await put('admins-only');
      expect(refused.status).toBe(409);
      const body = (await refused.json()) as { code: string; detail: string };
      expect(body.code).toBe('NO_FEDERATED_SIGN_IN');
      expect(body.detail).toMatch(/SAML_METADATA_SOURCES or OIDC_PROVIDERS/);
      expect(((await (await put('admins-only', 'it')).json()) as { detail: string }).detail).toMatch(/nessun altro potrebbe accedere/);
      // Nothing changed, and members still sign in.
      const settings = await fetch(`${bare.baseUrl}/api/v1/auth/settings`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(await settings.json()).toEqual({ localAccounts: 'everyone' });
      await clearFailures();
      expect((await signIn(await member(), 'member-password-1', { base: bare.baseUrl })).status).toBe(200);
      expect((await put('everyone')).status).toBe(200);
    } finally {
      await bare.close();
    }
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
