// Deny by default: every route declares who may call it, the check reads the route the router
// matched (so encoded, doubled or trailing-slash forms of a path meet the same check), a route
// without a declaration stops the server from starting, and long-lived event streams end with the
// credential they were opened with.
import { request } from 'node:http';
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccess } from '../../src/http/access.ts';
import { argon2Hasher } from '../../src/identity/passwords.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let member: Caller;
let manager: Caller;
let uniId: string;

beforeAll(async () => {
  t = await startTestPortal({ env: { EVENT_STREAMS_PER_USER: '2', EVENT_STREAMS_PER_ADDRESS: '4', EVENT_STREAM_RECHECK_SECONDS: '1' } });
  uniId = (await t.institution({ name: 'Università di Trento' })).id;
  member = await t.user('member', uniId, 'Mara Member');
  manager = await t.user('institution-manager', uniId, 'Marco Manager');
});
afterAll(() => t.close());

/** An HTTP request with the path sent byte for byte (fetch and URL would normalise it). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        // An event stream would never end: the status is all that is needed.
        if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SAMPLE: Record<string, string> = { token: 'Zm9vYmFyYmF6cXV4cXV1eHF1dXg', domain: 'example.org', participantId: 'p1' };
/** A concrete path for a route pattern: ids for :params, a word for a wildcard. */
const concrete = (url: string) => url.replace(/:(\w+)/g, (_m, name: string) => SAMPLE[name] ?? '00000000-0000-4000-8000-000000000001').replace(/\*$/, 'x');

/** The four spellings of one path that a router treats alike. */
function spellings(path: string): Record<string, string> {
  const [, first, ...rest] = path.split('/');
  const encoded = `/%${first!.charCodeAt(0).toString(16)}${first!.slice(1)}${rest.length ? '/' + rest.join('/') : ''}`;
  return { plain: path, encoded, 'double slash': `/${path.replace(/\//g, '//')}`.replace(/^\/\/\//, '//'), 'trailing slash': `${path}/` };
}

describe('access declared per route', () => {
  it('every registered route declares its access', () => {
    const routes = t.portal.app.declaredRoutes();
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((r) => r.access === undefined)).toEqual([]);
  });

  it('refuses to start when a route declares nothing', async () => {
    const app = Fastify();
    await app.register(cookie);
    registerAccess(app, t.portal.services.accounts);
    app.get('/declared', { config: { access: 'public' } }, async () => 'ok');
    app.get('/forgotten', async () => 'open');
    await expect(app.ready()).rejects.toThrow(/GET \/forgotten/);
    await app.close().catch(() => {});
  });

  it('answers 401 to an anonymous call of every non-public route, however its path is spelled', async () => {
    const closed = t.portal.app.declaredRoutes().filter((r) => r.access !== 'public' && r.method !== 'HEAD' && !r.ownAnonymousAnswer);
    expect(closed.length).toBeGreaterThan(50);
    // Only these answer anonymous callers themselves: the join page (a 401 page with the sign-in
    // link) and sign-out (nothing to end: home).
    const own = t.portal.app.declaredRoutes().filter((r) => r.ownAnonymousAnswer && r.method !== 'HEAD');
    expect(own.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['GET /join/:bookingId', 'POST /auth/logout']);
    expect((await raw('GET', '/%6Aoin/00000000-0000-4000-8000-000000000001')).status).toBe(401);
    const wrong: string[] = [];
    for (const route of closed) {
      for (const [form, path] of Object.entries(spellings(concrete(route.url)))) {
        const res = await raw(route.method, path, { 'content-type': 'application/json' }, route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}');
        if (res.status !== 401) wrong.push(`${route.method} ${path} (${form}): ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('does not stream the portal’s bookings to /%61pi/v1/events, nor answer /%61pi/v1/mail/status', async () => {
    const events = await raw('GET', '/%61pi/v1/events');
    expect(events.status).toBe(401);
    expect(events.type).toContain('application/problem+json');
    expect(JSON.parse(events.body).code).toBe('UNAUTHENTICATED');
    expect((await raw('GET', '/%61pi/v1/mail/status')).status).toBe(401);
    expect((await raw('GET', '/%61pi/v1/users')).status).toBe(401);
  });

  it('checks roles on the route: a member is refused administrators’ routes before any work', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/audit'],
      ['GET', '/api/v1/admin/provisioning/jobs'],
      ['POST', '/api/v1/rooms'],
    ] as const) {
      const res = await t.api(method, path, { as: member, ...(method === 'POST' && { body: { name: 'X', capacity: 5 } }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toBe('ROLE_REQUIRED');
    }
  });

  it('lets only managers and administrators read an institution’s usage', async () => {
    const asMember = await t.api('GET', `/api/v1/institutions/${uniId}/usage`, { as: member });
    expect(asMember.status).toBe(403);
    expect((await t.api('GET', `/api/v1/institutions/${uniId}/usage`, { as: manager })).status).toBe(200);
    expect((await t.api('GET', `/api/v1/institutions/${uniId}/usage`, { as: t.admin })).status).toBe(200);
  });
});

let hash: string | undefined;
/** A person with a password, signed in: their session cookie and CSRF token. */
async function signedIn(role: 'member' | 'admin' = 'member') {
  hash ??= await argon2Hasher.hash('a-long-password-1');
  const email = `person-${Math.random().toString(36).slice(2)}@example.org`;
  const user = await t.portal.services.uow.repos.users.create({ email, name: 'Signed In', role, institutionId: uniId, passwordHash: hash });
  const s = await t.portal.services.accounts.signIn(email, 'a-long-password-1');
  return { userId: user.id, cookie: `wm_session=${s.sessionId}`, csrf: s.csrfToken };
}

describe('what a route’s declaration alone did not keep', () => {
  it('reads a Jitsi reservation (its secret room name) only with JITSI_RESERVATION_TOKEN; unset, only the POST is answered', async () => {
    const booked = await t.api('POST', '/api/v1/bookings', { as: member, body: { title: 'Secret room', roomId: t.rooms[0]!.id, start: '2026-03-23T10:00', end: '2026-03-23T11:00', seats: 5 } });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    // The reservation's number comes from the booking id, which every member sees.
    const id = parseInt((booked.body.id as string).replace(/-/g, '').slice(0, 12), 16);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${t.baseUrl}/jitsi/conference/${id}`, { method });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).toContain('JITSI_RESERVATION_TOKEN');
      expect(text).not.toMatch(/wm-[0-9a-f]{32}/);
    }
  });

  it('keeps an institution manager to the members of their institution: not themselves, not a fellow manager, nobody without an institution', async () => {
    const fellow = await t.user('institution-manager', uniId, 'Fellow Manager');
    const leaving = await t.api('PATCH', `/api/v1/users/${manager.userId}`, { as: manager, body: { institutionId: null } });
    expect(leaving.status).toBe(404);
    const peer = await t.api('PATCH', `/api/v1/users/${fellow.userId}`, { as: manager, body: { name: 'Renamed by a peer', institutionId: null } });
    expect(peer.status).toBe(404);
    const ownMember = await t.api('PATCH', `/api/v1/users/${member.userId}`, { as: manager, body: { name: 'Mara Member' } });
    expect(ownMember.status, JSON.stringify(ownMember.body)).toBe(200);
    const users = await t.api('GET', '/api/v1/users?limit=500', { as: manager });
    expect(users.status).toBe(200);
    expect(new Set((users.body.items as { institutionId: string | null }[]).map((u) => u.institutionId))).toEqual(new Set([uniId]));
    // A manager of no institution sees and changes nobody (was: everyone of every institution).
    const adrift = await t.user('institution-manager', null, 'Manager Adrift');
    const all = await t.api('GET', '/api/v1/users?limit=500', { as: adrift });
    expect(all.status).toBe(403);
    expect(all.body.code).toBe('NO_INSTITUTION');
    expect((await t.api('PATCH', `/api/v1/users/${member.userId}`, { as: adrift, body: { name: 'x' } })).body.code).toBe('NO_INSTITUTION');
  });

  it('shuts a disabled account’s calendar feeds (they carry guest links and dial-in PINs)', async () => {
    const person = await t.user('member', uniId, 'Feed Owner');
    const feed = await t.api('POST', '/api/v1/me/feeds', { as: person, body: {} });
    expect(feed.status).toBe(201);
    const url = new URL(feed.body.url as string);
    const read = () => fetch(t.baseUrl + url.pathname + url.search);
    expect((await read()).status).toBe(200);
    expect((await t.api('PATCH', `/api/v1/users/${person.userId}`, { as: t.admin, body: { disabled: true } })).status).toBe(200);
    expect((await read()).status).toBe(404);
    expect((await t.api('PATCH', `/api/v1/users/${person.userId}`, { as: t.admin, body: { disabled: false } })).status).toBe(200);
    expect((await read()).status).toBe(200);
  });

  it('answers a made-up cursor with 400, not a 500 from the database', async () => {
    const cursor = (start: string, id: string) => Buffer.from(JSON.stringify([start, id])).toString('base64url');
    for (const c of [cursor('2026-12-20T09:00:00.000Z', '-'.repeat(36)), cursor('-271821-04-20T00:00:00.000Z', '6f1c2a7e-0b1d-4c39-9a51-3f1e7d2b8c40')]) {
      const res = await t.api('GET', `/api/v1/bookings?cursor=${c}`, { as: member });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    }
    const audit = await t.api('GET', '/api/v1/audit?cursor=99999999999999999999999', { as: t.admin });
    expect(audit.status).toBe(400);
    expect(audit.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('CSRF on the session’s unsafe requests', () => {
  it('refuses a POST made with the session cookie but without the token, and accepts it with the token', async () => {
    const s = await signedIn();
    const body = JSON.stringify({ name: 'script' });
    const without = await raw('POST', '/api/v1/me/tokens', { cookie: s.cookie, 'content-type': 'application/json' }, body);
    expect(without.status).toBe(403);
    expect(JSON.parse(without.body).code).toBe('CSRF_TOKEN_INVALID');
    const withToken = await raw('POST', '/api/v1/me/tokens', { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf }, body);
    expect(withToken.status).toBe(201);
  });

  it('signs out through POST /auth/logout only with the token (form field or header)', async () => {
    const s = await signedIn();
    const form = { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await raw('POST', '/auth/logout', form, '');
    expect(forged.status).toBe(403);
    expect((await t.api('GET', '/api/v1/me', { headers: { cookie: s.cookie } })).status).toBe(200);
    const real = await raw('POST', '/auth/logout', form, `csrf=${encodeURIComponent(s.csrf)}`);
    expect(real.status).toBe(303);
    expect((await t.api('GET', '/api/v1/me', { headers: { cookie: s.cookie } })).status).toBe(401);
    // Without a session there is nothing to end: home, not an error.
    expect((await raw('POST', '/auth/logout', form, '')).status).toBe(303);
  });

  it('signs out through DELETE /api/v1/session only with the token', async () => {
    const s = await signedIn();
    expect((await t.api('DELETE', '/api/v1/session', { headers: { cookie: s.cookie } })).status).toBe(403);
    expect((await t.api('DELETE', '/api/v1/session', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', { headers: { cookie: s.cookie } })).status).toBe(401);
  });
});

/** Opens an event stream; resolves when it is open and gives a promise that settles when it ends. */
async function openStream(headers: Record<string, string>): Promise<{ status: number; ended: Promise<void>; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${t.baseUrl}/api/v1/events`, { headers, signal: controller.signal });
  if (res.status !== 200) {
    await res.text();
    return { status: res.status, ended: Promise.resolve(), close: () => {} };
  }
  const reader = res.body!.getReader();
  const ended = (async () => {
    try {
      while (!(await reader.read()).done) {
        /* drain until the server ends the stream */
      }
    } catch {
      /* aborted */
    }
  })();
  return { status: 200, ended, close: () => controller.abort() };
}

const settlesWithin = (p: Promise<void>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('event streams', () => {
  it('ends a stream when its session signs out', async () => {
    const s = await signedIn();
    const stream = await openStream({ cookie: s.cookie });
    expect(stream.status).toBe(200);
    expect(await settlesWithin(stream.ended, 300)).toBe(false);
    expect((await t.api('DELETE', '/api/v1/session', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await settlesWithin(stream.ended, 5000)).toBe(true);
  });

  it('ends a stream when its API token is revoked', async () => {
    const s = await signedIn();
    const created = await raw('POST', '/api/v1/me/tokens', { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': s.csrf }, JSON.stringify({ name: 'feed reader' }));
    const token = JSON.parse(created.body) as { id: string; token: string };
    const stream = await openStream({ authorization: `Bearer ${token.token}` });
    expect(stream.status).toBe(200);
    expect(await settlesWithin(stream.ended, 300)).toBe(false);
    expect((await t.api('DELETE', `/api/v1/me/tokens/${token.id}`, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect(await settlesWithin(stream.ended, 5000)).toBe(true);
  });

  it('ends a stream when the session expires (no notice: the periodic check)', async () => {
    const s = await signedIn();
    const stream = await openStream({ cookie: s.cookie });
    expect(stream.status).toBe(200);
    await t.db.database.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [s.userId]);
    expect(await settlesWithin(stream.ended, 5000)).toBe(true);
  });

  it('ends a stream when the person’s role changes, so it reconnects with the new rights', async () => {
    const s = await signedIn();
    const stream = await openStream({ cookie: s.cookie });
    expect(stream.status).toBe(200);
    expect((await t.api('PATCH', `/api/v1/users/${s.userId}`, { as: t.admin, body: { role: 'institution-manager' } })).status).toBe(200);
    expect(await settlesWithin(stream.ended, 5000)).toBe(true);
  });

  it('caps open streams per person (429 with a code) and frees the place when one closes', async () => {
    const s = await signedIn();
    const a = await openStream({ cookie: s.cookie });
    const b = await openStream({ cookie: s.cookie });
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await fetch(`${t.baseUrl}/api/v1/events`, { headers: { cookie: s.cookie } });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
    expect(((await third.json()) as { code: string }).code).toBe('TOO_MANY_STREAMS');
    a.close();
    await a.ended;
    await new Promise((r) => setTimeout(r, 100));
    const again = await openStream({ cookie: s.cookie });
    expect(again.status).toBe(200);
    b.close();
    again.close();
  });

  it('caps open streams per client address', async () => {
    const people = await Promise.all([signedIn(), signedIn(), signedIn()]);
    const streams = [];
    for (const p of people) for (let i = 0; i < 2; i++) streams.push(await openStream({ cookie: p.cookie }));
    // Four may be open from this address; the fifth and sixth are refused.
    expect(streams.map((s) => s.status).sort()).toEqual([200, 200, 200, 200, 429, 429]);
    for (const s of streams) s.close();
  });
});
