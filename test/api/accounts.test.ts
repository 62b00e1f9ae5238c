import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Notices } from '../../src/db/notices.ts';
import { PgSessionStore } from '../../src/identity/session-store.ts';
import { METRICS_TOKEN, startTestPortal, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let institutionId: string;
beforeAll(async () => {
  t = await startTestPortal();
  institutionId = (await t.institution({ name: 'Ateneo' })).id;
  const res = await t.api('POST', '/api/v1/users', {
    as: t.admin,
    body: { email: 'maria@ateneo.it', name: 'Maria Rossi', role: 'member', institutionId, password: 'correct horse battery' },
  });
  expect(res.status).toBe(201);
});
afterAll(() => t.close());

/** A browser-like client: keeps the session cookie, sends the CSRF token. */
function browser() {
  let cookie = '';
  let csrf = '';
  return {
    get csrf() {
      return csrf;
    },
    get cookie() {
      return cookie;
    },
    async call(method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
      const headers: Record<string, string> = {};
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (opts.csrf !== false && csrf) headers['x-csrf-token'] = csrf;
      const res = await fetch(t.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!;
      const text = await res.text();
      const json = text ? JSON.parse(text) : null;
      if (json?.csrfToken) csrf = json.csrfToken;
      return { status: res.status, body: json, setCookie: set };
    },
  };
}

describe('local sign-in with a session cookie', () => {
  it('signs in, shows who I am, and signs out on the server', async () => {
    const b = browser();
    const login = await b.call('POST', '/api/v1/session', { email: 'Maria@Ateneo.it', password: 'correct horse battery' });
    expect(login.status).toBe(200);
    expect(login.setCookie).toMatch(/wm_session=[\w-]{40,}; .*HttpOnly/i);
    expect(login.setCookie).toMatch(/SameSite=Lax/i);
    expect(login.body.user).toMatchObject({ name: 'Maria Rossi', canBook: true, institution: { name: 'Ateneo' }, csrfToken: login.body.csrfToken });
    const me = await b.call('GET', '/api/v1/me');
    expect(me.body).toMatchObject({ name: 'Maria Rossi', role: 'member', institution: { id: institutionId, name: 'Ateneo' }, canBook: true, cannotBookReason: null });
    expect(me.body.csrfToken).toBe(b.csrf);
    const stolen = b.cookie;
    expect((await b.call('DELETE', '/api/v1/session')).status).toBe(204);
    // The old cookie no longer opens anything, even if someone kept it.
    const reuse = await fetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: stolen } });
    expect(reuse.status).toBe(401);
  });

  it('gives a new session id at every sign-in (no fixation)', async () => {
    const b = browser();
    await b.call('POST', '/api/v1/session', { email: 'maria@ateneo.it', password: 'correct horse battery' });
    const first = b.cookie;
    await b.call('POST', '/api/v1/session', { email: 'maria@ateneo.it', password: 'correct horse battery' });
    expect(b.cookie).not.toBe(first);
    expect((await fetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: first } })).status).toBe(401);
  });

  it('answers a wrong password and an unknown e-mail alike', async () => {
    const wrong = await browser().call('POST', '/api/v1/session', { email: 'maria@ateneo.it', password: 'wrong password!' });
    const unknown = await browser().call('POST', '/api/v1/session', { email: 'nobody@ateneo.it', password: 'wrong password!' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const b = browser();
    await b.call('POST', '/api/v1/session', { email: 'maria@ateneo.it', password: 'correct horse battery' });
    const body = { title: 'CSRF', roomId: t.rooms[0]!.id, start: '2026-03-30T10:00', end: '2026-03-30T11:00' };
    const forged = await b.call('POST', '/api/v1/bookings', body, { csrf: false });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('CSRF_TOKEN_INVALID');
    expect((await b.call('POST', '/api/v1/bookings', body)).status).toBe(201);
  });

  it('requires sign-in for the API', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/bookings`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });
});

describe('personal API tokens', () => {
  it('creates a token shown once, uses it without CSRF, lists and revokes it', async () => {
    const b = browser();
    await b.call('POST', '/api/v1/session', { email: 'maria@ateneo.it', password: 'correct horse battery' });
    const created = await b.call('POST', '/api/v1/me/tokens', { name: 'my script' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^wmt_[\w-]{40,}$/);
    const auth = { authorization: `Bearer ${created.body.token}` };
    const me = await fetch(`${t.baseUrl}/api/v1/me`, { headers: auth });
    expect(((await me.json()) as { name: string }).name).toBe('Maria Rossi');
    const list = await b.call('GET', '/api/v1/me/tokens');
    expect(list.body.items).toEqual([expect.objectContaining({ id: created.body.id, name: 'my script' })]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    // A token cannot mint more tokens.
    const mint = await fetch(`${t.baseUrl}/api/v1/me/tokens`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(mint.status).toBe(403);
    expect((await b.call('DELETE', `/api/v1/me/tokens/${created.body.id}`)).status).toBe(204);
    const after = await fetch(`${t.baseUrl}/api/v1/me`, { headers: auth });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('INVALID_TOKEN');
  });
});

describe('changing one’s own password', () => {
  /** A person with a local password, signed in on `browsers` browsers. */
  async function person(password: string, browsers: number) {
    const email = `pw-${Math.random().toString(36).slice(2)}@ateneo.it`;
    expect((await t.api('POST', '/api/v1/users', { as: t.admin, body: { email, name: 'Paola Verdi', role: 'member', institutionId, password } })).status).toBe(201);
    const signedIn = [];
    for (let i = 0; i < browsers; i++) {
      const b = browser();
      expect((await b.call('POST', '/api/v1/session', { email, password })).status).toBe(200);
      signedIn.push(b);
    }
    return { email, browsers: signedIn };
  }

  it('sets the new password, keeps this browser signed in and signs the others out', async () => {
    const { email, browsers: [here, there] } = await person('old password here', 2);
    const links = await t.api('POST', `/api/v1/users/${(await here!.call('GET', '/api/v1/me')).body.id}/password-link`, { as: t.admin });
    expect(links.status).toBe(201);
    expect((await here!.call('GET', '/api/v1/me')).body.hasPassword).toBe(true);
    t.clock.set(new Date(t.clock.now().getTime() + 60_000).toISOString()); // the link is a minute old
    const changed = await here!.call('POST', '/api/v1/me/password', { currentPassword: 'old password here', password: 'a brand new passphrase' });
    expect(changed).toMatchObject({ status: 200, body: { signedOut: 1 } });
    expect((await here!.call('GET', '/api/v1/me')).status).toBe(200);
    expect((await there!.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await browser().call('POST', '/api/v1/session', { email, password: 'old password here' })).status).toBe(401);
    expect((await browser().call('POST', '/api/v1/session', { email, password: 'a brand new passphrase' })).status).toBe(200);
    // A reset link sent before the change no longer sets a password.
    const secret = new URL(links.body.url).hash.slice(1);
    expect((await browser().call('POST', '/api/v1/password', { token: secret, password: 'someone else’s choice' })).status).toBe(409);
    const audit = await t.api('GET', `/api/v1/audit?action=user.password-changed&entityId=${(await here!.call('GET', '/api/v1/me')).body.id}`, { as: t.admin });
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'user.password-changed', after: { otherSessionsEnded: 1 } })]);
  });

  it('signs out everywhere else on request, from a browser only, keeping this browser and the API tokens', async () => {
    const { browsers: [here, there, elsewhere] } = await person('a passphrase of mine', 3);
    expect(await here!.call('GET', '/api/v1/me/sessions')).toMatchObject({ status: 200, body: { others: 2 } });
    const id = (await here!.call('GET', '/api/v1/me')).body.id as string;
    const token = await here!.call('POST', '/api/v1/me/tokens', { name: 'orario' });
    expect(token.status).toBe(201);
    // A script with a token neither sees nor ends the person's sessions.
    const viaToken = await t.api('POST', '/api/v1/me/sessions/end-others', { headers: { authorization: `Bearer ${token.body.token}` } });
    expect(viaToken).toMatchObject({ status: 403, body: { code: 'SESSION_REQUIRED' } });
    expect((await t.api('GET', '/api/v1/me/sessions', { headers: { authorization: `Bearer ${token.body.token}` } })).status).toBe(403);
    expect((await there!.call('GET', '/api/v1/me')).status).toBe(200);

    const ended = await here!.call('POST', '/api/v1/me/sessions/end-others');
    expect(ended).toMatchObject({ status: 200, body: { signedOut: 2 } });
    expect((await here!.call('GET', '/api/v1/me')).status).toBe(200);
    expect((await there!.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await elsewhere!.call('GET', '/api/v1/me')).status).toBe(401);
    expect(await here!.call('GET', '/api/v1/me/sessions')).toMatchObject({ status: 200, body: { others: 0 } });
    expect((await t.api('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token.body.token}` } })).status).toBe(200);
    // Again: nothing left to end, and said so.
    expect(await here!.call('POST', '/api/v1/me/sessions/end-others')).toMatchObject({ status: 200, body: { signedOut: 0 } });
    const audit = await t.api('GET', `/api/v1/audit?action=user.sessions-ended&entityId=${id}`, { as: t.admin });
    expect(audit.body.items.map((i: { after: unknown }) => i.after)).toEqual([{ otherSessionsEnded: 0 }, { otherSessionsEnded: 2 }]);
  });

  it('refuses a wrong current password on its field, and a new one off the policy, changing nothing', async () => {
    const { email, browsers: [b] } = await person('current passphrase', 1);
    const wrong = await b!.call('POST', '/api/v1/me/password', { currentPassword: 'not the password', password: 'a brand new passphrase' });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'WRONG_PASSWORD', errors: [{ path: 'body.currentPassword' }] } });
    const short = await b!.call('POST', '/api/v1/me/password', { currentPassword: 'current passphrase', password: 'too short' });
    expect(short).toMatchObject({ status: 422, body: { code: 'PASSWORD_TOO_SHORT', errors: [{ path: 'body.password' }] } });
    const personal = await b!.call('POST', '/api/v1/me/password', { currentPassword: 'current passphrase', password: email });
    expect(personal.body.code).toBe('PASSWORD_IS_PERSONAL');
    expect((await browser().call('POST', '/api/v1/session', { email, password: 'current passphrase' })).status).toBe(200);
  });

  it('keeps nothing of a request that holds passwords: an Idempotency-Key is refused', async () => {
    const { browsers: [b] } = await person('current passphrase', 1);
    const keyed = await fetch(`${t.baseUrl}/api/v1/me/password`, {
      method: 'POST',
      headers: { cookie: b!.cookie, 'x-csrf-token': b!.csrf, 'content-type': 'application/json', 'idempotency-key': 'change-1' },
      body: JSON.stringify({ currentPassword: 'current passphrase', password: 'a brand new passphrase' }),
    });
    expect(keyed.status).toBe(400);
    expect(((await keyed.json()) as { code: string }).code).toBe('IDEMPOTENCY_KEY_NOT_ACCEPTED');
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'change-1'`.execute(t.db.database.db);
    expect(stored.rows[0]!.n).toBe(0);
    // The same request without the key goes through.
    expect((await b!.call('POST', '/api/v1/me/password', { currentPassword: 'current passphrase', password: 'a brand new passphrase' })).status).toBe(200);
  });

  it('counts wrong current passwords with the sign-in’s, so an open session cannot guess on', async () => {
    const { email, browsers: [b] } = await person('current passphrase', 1);
    const statuses = [];
    for (let i = 0; i < t.config.loginLimits.freeFailures + 1; i++) {
      statuses.push((await b!.call('POST', '/api/v1/me/password', { currentPassword: `guess number ${i}`, password: 'a brand new passphrase' })).status);
    }
    expect(statuses).toEqual([...Array(t.config.loginLimits.freeFailures).fill(422), 429]);
    // Even the right one waits now (the clock stands still), and so does the sign-in form.
    expect((await b!.call('POST', '/api/v1/me/password', { currentPassword: 'current passphrase', password: 'a brand new passphrase' })).status).toBe(429);
    expect((await browser().call('POST', '/api/v1/session', { email, password: 'current passphrase' })).status).toBe(429);
  });

  it('is refused to an API token and to a person who has no local password', async () => {
    const { browsers: [b] } = await person('current passphrase', 1);
    const token = (await b!.call('POST', '/api/v1/me/tokens', { name: 'script' })).body.token as string;
    const viaToken = await fetch(`${t.baseUrl}/api/v1/me/password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: 'current passphrase', password: 'a brand new passphrase' }),
    });
    expect(viaToken.status).toBe(403);
    expect(((await viaToken.json()) as { code: string }).code).toBe('SESSION_REQUIRED');

    // Someone who signs in through their institution only.
    const db = t.db.database.db;
    const federated = await t.portal.services.uow.repos.users.create({ email: `fed-${Math.random().toString(36).slice(2)}@ateneo.it`, name: 'Federica', role: 'member', institutionId, passwordHash: null });
    const session = await new PgSessionStore(db, t.config.session, undefined, new Notices(db).send).create(federated.id);
    const headers = { cookie: `wm_session=${session.id}`, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
    expect(((await (await fetch(`${t.baseUrl}/api/v1/me`, { headers })).json()) as { hasPassword: boolean }).hasPassword).toBe(false);
    const refused = await fetch(`${t.baseUrl}/api/v1/me/password`, { method: 'POST', headers, body: JSON.stringify({ currentPassword: 'anything at all', password: 'a brand new passphrase' }) });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('NO_LOCAL_PASSWORD');
  });
});

describe('administration', () => {
  it('lets an admin edit a room’s capacity and records it in the audit log', async () => {
    const room = t.rooms[0]!;
    const res = await t.api('PATCH', `/api/v1/rooms/${room.id}`, { as: t.admin, body: { capacity: 250 } });
    expect(res.status).toBe(200);
    expect(res.body.capacity).toBe(250);
    const log = await t.api('GET', `/api/v1/audit?entity=room&entityId=${room.id}`, { as: t.admin });
    expect(log.body.items[0]).toMatchObject({ action: 'room.updated', before: { capacity: room.capacity }, after: { capacity: 250 } });
  });

  it('refuses to shrink a room below the seats of an upcoming booking', async () => {
    const room = t.rooms.find((r) => r.capacity === 100)!;
    const member = await t.user('member', institutionId);
    const b = await t.api('POST', '/api/v1/bookings', { as: member, body: { title: 'Big class', roomId: room.id, seats: 80, start: '2026-03-31T10:00', end: '2026-03-31T11:00' } });
    expect(b.status).toBe(201);
    const shrink = await t.api('PATCH', `/api/v1/rooms/${room.id}`, { as: t.admin, body: { capacity: 60 } });
    expect(shrink.status).toBe(409);
    expect(shrink.body).toMatchObject({ code: 'CAPACITY_BELOW_BOOKINGS', largestUpcomingSeats: 80 });
    expect((await t.api('PATCH', `/api/v1/rooms/${room.id}`, { as: t.admin, body: { capacity: 80 } })).status).toBe(200);
  });

  it('lets an admin make someone an institution manager, who then lists the institution’s members', async () => {
    const u = await t.api('GET', '/api/v1/users?q=maria', { as: t.admin });
    const maria = u.body.items[0];
    const promoted = await t.api('PATCH', `/api/v1/users/${maria.id}`, { as: t.admin, body: { role: 'institution-manager' } });
    expect(promoted.body.role).toBe('institution-manager');
    const other = await t.institution({ name: 'Other' });
    await t.user('member', other.id, 'Somebody Else');
    const token = await t.portal.services.accounts.createToken({ actor: { userId: maria.id, role: 'institution-manager', institutionId } }, 'x');
    const seen = await fetch(`${t.baseUrl}/api/v1/users`, { headers: { authorization: `Bearer ${token.token}` } });
    const items = ((await seen.json()) as { items: { institutionId: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.institutionId === institutionId)).toBe(true);
  });

  it('lists people by role and institution, together and with a search', async () => {
    const north = await t.institution({ name: 'Filter North' });
    const south = await t.institution({ name: 'Filter South' });
    const nm = await t.user('institution-manager', north.id, 'Nadia Filtermanager');
    await t.user('member', north.id, 'Nico Filtermember');
    const sm = await t.user('institution-manager', south.id, 'Sara Filtermanager');
    const names = async (query: string, as = t.admin) => {
      const r = await t.api('GET', `/api/v1/users?limit=500&${query}`, { as });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.items as { name: string }[]).map((i) => i.name).filter((n) => n.includes('Filter'));
    };
    expect(await names('role=institution-manager')).toEqual(['Nadia Filtermanager', 'Sara Filtermanager']);
    expect(await names(`role=institution-manager&institutionId=${north.id}`)).toEqual(['Nadia Filtermanager']);
    expect(await names(`role=member&institutionId=${north.id}`)).toEqual(['Nico Filtermember']);
    expect(await names('role=institution-manager&q=sara')).toEqual(['Sara Filtermanager']);
    expect((await t.api('GET', '/api/v1/users?role=admin', { as: t.admin })).body.items.every((i: { role: string }) => i.role === 'admin')).toBe(true);
    // A manager's list stays their institution's, whatever the filter asks.
    expect(await names(`role=institution-manager&institutionId=${south.id}`, nm)).toEqual(['Nadia Filtermanager']);
    expect(await names('role=institution-manager', sm)).toEqual(['Sara Filtermanager']);
    const bad = await t.api('GET', '/api/v1/users?role=owner', { as: t.admin });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('querystring.role');
  });

  it('lets a manager rename and remove their members, but not promote them or touch others', async () => {
    const mgr = await t.user('institution-manager', institutionId);
    const member = await t.user('member', institutionId);
    const stranger = await t.user('member', (await t.institution({ name: 'Elsewhere' })).id);
    expect((await t.api('PATCH', `/api/v1/users/${member.userId}`, { as: mgr, body: { name: 'Renamed Member' } })).body.name).toBe('Renamed Member');
    expect((await t.api('PATCH', `/api/v1/users/${member.userId}`, { as: mgr, body: { role: 'institution-manager' } })).status).toBe(403);
    expect((await t.api('PATCH', `/api/v1/users/${stranger.userId}`, { as: mgr, body: { name: 'Mine' } })).status).toBe(404);
    const removed = await t.api('PATCH', `/api/v1/users/${member.userId}`, { as: mgr, body: { institutionId: null } });
    expect(removed.body.institutionId).toBeNull();
  });

  it('shows a manager their institution’s booked hours per month beside the quota', async () => {
    const quota = await t.institution({ name: 'Usage University', monthlyQuotaHours: 20 });
    const mgr = await t.user('institution-manager', quota.id);
    const member = await t.user('member', quota.id);
    await t.api('POST', '/api/v1/bookings', { as: member, body: { title: 'Lecture', roomId: t.rooms[3]!.id, start: '2026-03-26T10:00', end: '2026-03-26T12:30' } });
    const usage = await t.api('GET', `/api/v1/institutions/${quota.id}/usage?months=2`, { as: mgr });
    expect(usage.status).toBe(200);
    expect(usage.body.items).toEqual([
      { month: '2026-02', bookedHours: 0, quotaHours: 20 },
      { month: '2026-03', bookedHours: 2.5, quotaHours: 20 },
    ]);
    expect((await t.api('GET', `/api/v1/institutions/${institutionId}/usage`, { as: mgr })).status).toBe(404);
  });

  it('keeps the last administrator', async () => {
    const res = await t.api('PATCH', `/api/v1/users/${t.admin.userId}`, { as: t.admin, body: { role: 'member' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('LAST_ADMIN');
  });

  it('creates and edits institutions with scopes, subscription and quota', async () => {
    const created = await t.api('POST', '/api/v1/institutions', {
      as: t.admin,
      body: { name: 'Università di Bologna', scopes: ['@UniBo.it', 'studio.unibo.it'], subscriptionStart: '2026-01-01', subscriptionEnd: '2026-12-31', monthlyQuotaHours: 40 },
    });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['unibo.it', 'studio.unibo.it']);
    const bad = await t.api('PATCH', `/api/v1/institutions/${created.body.id}`, { as: t.admin, body: { subscriptionEnd: '2025-01-01' } });
    expect(bad.body.code).toBe('END_BEFORE_START');
    const ok = await t.api('PATCH', `/api/v1/institutions/${created.body.id}`, { as: t.admin, body: { monthlyQuotaHours: null } });
    expect(ok.body.monthlyQuotaHours).toBeNull();
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(metrics).toContain('webmeetings_http_request_duration_seconds');
    const doc = (await (await fetch(`${t.baseUrl}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/bookings', '/api/v1/bookings/{id}', '/api/v1/availability', '/api/v1/rooms', '/api/v1/me']));
    const docs = await fetch(`${t.baseUrl}/api/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('passes a request id through and echoes it', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
  });
});
