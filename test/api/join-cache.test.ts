// The join cache (app/join-cache.ts): a join is answered from memory, and forgotten at once on this
// instance and within a second on another one when the booking is moved, cancelled or prepared
// again, when its guest link changes, or an invitee is added. The last block runs two real portal
// processes (`node src/main.ts`) on one PostgreSQL database.
import { request, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildServices } from '../../src/portal.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';
import { startMain, type MainProcess } from '../support/main-process.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { invite, settled } from './provisioning-support.ts';
import { within } from '../support/within.ts';
import { inlineScriptHashes } from '../../src/http/security.ts';

const JITSI = { JITSI_URL: 'https://meet.example.org', JITSI_APP_ID: 'webmeetings', JITSI_APP_SECRET: 'test-secret-of-enough-length-0123', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' };

let a: TestPortal;
let b: TestPortal;
let alice: Caller;
let bob: Caller;

beforeAll(async () => {
  a = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: JITSI });
  b = await startTestPortal({ db: a.db, clock: a.clock, env: JITSI });
  const inst = await a.institution();
  alice = await a.user('member', inst.id, 'Alice Booker');
  bob = await a.user('member', inst.id, 'Bob Student');
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const join = (t: TestPortal, id: string, as: Caller = alice) => fetch(`${t.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${as.token}` } });
const statusOf = async (t: TestPortal, id: string, as: Caller = alice) => (await join(t, id, as)).status;

let slot = 0;
/** A booking whose room is open now (the clock stands at 09:00Z; rooms open 15 minutes before). */
async function openBooking(): Promise<string> {
  const room = await a.portal.services.uow.repos.rooms.create({ name: `Cache room ${slot++}`, capacity: 50, timeZone: 'Europe/Rome', provider: null, active: true });
  const res = await a.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Lezione', roomId: room.id, start: '2026-03-20T10:10', end: '2026-03-20T11:10', seats: 20 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settled(a, res.body.id);
  return res.body.id as string;
}

describe('the join cache', () => {
  it('answers a repeated join from memory: no query', async () => {
    const id = await openBooking();
    expect(await statusOf(a, id)).toBe(302);
    const loads = a.portal.joining.cache.counts.loads;
    const hits = a.portal.joining.cache.counts.hits;
    for (let i = 0; i < 5; i++) expect(await statusOf(a, id)).toBe(302);
    expect(a.portal.joining.cache.counts.loads).toBe(loads);
    expect(a.portal.joining.cache.counts.hits).toBe(hits + 5);
  });

  it('reads a cold entry once however many join at the same moment', async () => {
    const id = await openBooking();
    const loads = a.portal.joining.cache.counts.loads;
    const answers = await Promise.all(Array.from({ length: 50 }, () => statusOf(a, id)));
    expect(answers.every((s) => s === 302)).toBe(true);
    expect(a.portal.joining.cache.counts.loads - loads).toBe(1);
  });

  it('forgets a moved booking: waiting at once here, within a second on the other instance', async () => {
    const id = await openBooking();
    expect(await statusOf(a, id)).toBe(302);
    expect(await statusOf(b, id)).toBe(302);
    const moved = await a.api('PATCH', `/api/v1/bookings/${id}`, { as: alice, body: { start: '2026-03-21T10:10', end: '2026-03-21T11:10' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await statusOf(a, id)).toBe(200); // the waiting page
    expect(await within(1000, async () => (await statusOf(b, id)) === 200)).toBe(true);
  });

  it('forgets a cancelled booking on both instances', async () => {
    const id = await openBooking();
    expect(await statusOf(a, id)).toBe(302);
    expect(await statusOf(b, id)).toBe(302);
    expect((await b.api('DELETE', `/api/v1/bookings/${id}`, { as: alice })).status).toBe(200);
    expect(await statusOf(b, id)).toBe(410);
    expect(await within(1000, async () => (await statusOf(a, id)) === 410)).toBe(true);
  });

  it('forgets a meeting prepared again (here: its preparation failed)', async () => {
    const id = await openBooking();
    expect(await statusOf(a, id)).toBe(302);
    expect(await statusOf(b, id)).toBe(302);
    // What the provisioning worker writes when its next attempt fails for good.
    await a.portal.provisioning.store.finish(id, { state: 'failed', lastError: 'the service said no' });
    expect(await statusOf(a, id)).toBe(503);
    expect(await within(1000, async () => (await statusOf(b, id)) === 503)).toBe(true);
  });

  it('lets an invitee in once invited, on both instances', async () => {
    const id = await openBooking();
    expect(await statusOf(a, id, bob)).toBe(403);
    expect(await statusOf(b, id, bob)).toBe(403);
    await invite(a, alice, id, bob);
    expect(await statusOf(a, id, bob)).toBe(302);
    expect(await within(1000, async () => (await statusOf(b, id, bob)) === 302)).toBe(true);
  });

  it('forgets a regenerated guest link: the old one is invalid on both instances', async () => {
    const id = await openBooking();
    const room = await a.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    const path = new URL(room.body.guestUrl).pathname;
    expect((await fetch(a.baseUrl + path)).status).toBe(200);
    expect((await fetch(b.baseUrl + path)).status).toBe(200);
    expect((await a.api('POST', `/api/v1/bookings/${id}/guest-link`, { as: alice })).status).toBeLessThan(300);
    expect((await fetch(a.baseUrl + path)).status).toBe(404);
    expect(await within(1000, async () => (await fetch(b.baseUrl + path)).status === 404)).toBe(true);
  });
});

// The guest form is kept as bytes per meeting (http/routes/join.ts): the same page for every guest,
// its inline script still allowed, and a change shown on the next form on both instances.
describe('the guest form kept for a meeting', () => {
  const guestPath = async (id: string) => new URL((await a.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.guestUrl).pathname;
  const form = async (t: TestPortal, path: string, lang = 'en') => {
    const res = await fetch(`${t.baseUrl}${path}?lang=${lang}`);
    return { status: res.status, csp: res.headers.get('content-security-policy') ?? '', html: await res.text() };
  };

  it('answers every guest the same page in their language, its inline script allowed by its hash each time', async () => {
    const path = await guestPath(await openBooking());
    for (const lang of ['en', 'it']) {
      const first = await form(a, path, lang);
      const again = await form(a, path, lang);
      expect(first.status).toBe(200);
      expect(again.html).toBe(first.html);
      expect(first.html).toContain(lang === 'it' ? 'Partecipa come ospite' : 'Join as a guest');
      const hashes = inlineScriptHashes(again.html);
      expect(hashes).toHaveLength(1); // the line with the meeting's time in the guest's own zone
      for (const csp of [first.csp, again.csp]) expect(csp).toContain(`script-src 'self' ${hashes[0]}`);
    }
  });

  it('allows by hash exactly the scripts the guest, waiting and discovery pages carry, whatever the language', async () => {
    const room = await a.portal.services.uow.repos.rooms.create({ name: `Cache room ${slot++}`, capacity: 50, timeZone: 'Europe/Rome', provider: null, active: true });
    const later = await a.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Più tardi', roomId: room.id, start: '2026-03-20T16:00', end: '2026-03-20T17:00', seats: 5 } });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    const pages = [await guestPath(await openBooking()), await guestPath(later.body.id), '/auth/discovery'];
    const seen = new Set<string>();
    for (const path of pages) {
      for (const lang of ['en', 'it']) {
        const got = await form(a, path, lang);
        expect(got.status, path).toBe(200);
        const hashes = inlineScriptHashes(got.html);
        expect(hashes.length, path).toBeGreaterThan(0);
        for (const h of hashes) {
          expect(got.csp, `${path} ${lang}`).toContain(h);
          seen.add(h);
        }
      }
    }
    // The waiting page (its countdown) and the form share the time line's script; one each per kind, not per language.
    expect(seen.size).toBe(3);
  });

  it('sends it compressed as the browser asks (br, then gzip), the same page once decoded, and as it is to a client that asks for none', async () => {
    const path = await guestPath(await openBooking());
    const raw = (acceptEncoding: string | null) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const req = request(`${a.baseUrl}${path}?lang=it`, { headers: acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject).end();
      });
    const plain = await raw(null);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('Partecipa come ospite');
    const decode = { br: brotliDecompressSync, gzip: gunzipSync } as const;
    for (const [asked, chosen] of [['gzip, deflate, br, zstd', 'br'], ['gzip', 'gzip'], ['br;q=0, *', 'gzip'], ['identity', undefined]] as const) {
      for (let i = 0; i < 2; i++) {
        const got = await raw(asked);
        expect(got.status).toBe(200);
        expect(got.headers['content-encoding'], asked).toBe(chosen);
        expect(chosen ? decode[chosen](got.body).equals(plain.body) : got.body.equals(plain.body), asked).toBe(true);
        if (chosen) {
          expect(got.headers.vary).toMatch(/accept-encoding/i);
          expect(Number(got.headers['content-length'])).toBe(got.body.length);
        }
        expect(got.headers['content-security-policy']).toBe(plain.headers['content-security-policy']);
      }
    }
  });

  it('shows a renamed meeting and a PIN asked for on the next form, here and within a second on the other instance', async () => {
    const id = await openBooking();
    const path = await guestPath(id);
    expect((await form(a, path)).html).toContain('<strong>Lezione</strong>');
    expect((await form(b, path)).html).toContain('<strong>Lezione</strong>');
    const renamed = await a.api('PATCH', `/api/v1/bookings/${id}`, { as: alice, body: { title: 'Lezione & esame' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await form(a, path)).html).toContain('<strong>Lezione &amp; esame</strong>');
    expect(await within(1000, async () => (await form(b, path)).html.includes('<strong>Lezione &amp; esame</strong>'))).toBe(true);
    const pin = await a.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '4821' } });
    expect(pin.status, JSON.stringify(pin.body)).toBeLessThan(300);
    expect((await form(a, path)).html).toContain('id="pin"');
    expect(await within(1000, async () => (await form(b, path)).html.includes('id="pin"'))).toBe(true);
    expect((await a.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'open' } })).status).toBeLessThan(300);
    expect((await form(a, path)).html).not.toContain('id="pin"');
  });
});

describe.skipIf(!onPostgres)('two portal processes on one PostgreSQL', { timeout: 120_000 }, () => {
  let testDb: TestDatabase;
  let one: MainProcess;
  let two: MainProcess;
  let token: string;
  let roomId: string;

  beforeAll(async () => {
    testDb = await openTestDatabase();
    const config = loadConfig({ DATABASE_URL: testDb.url!, LOG_LEVEL: 'silent', SEED_DEFAULT_ROOMS: 'false' });
    const services = buildServices(config, testDb.database, { now: () => new Date() });
    const repos = services.uow.repos;
    const year = new Date().getUTCFullYear();
    const inst = await repos.institutions.create({ name: 'Two processes', scopes: [], subscriptionStart: `${year - 1}-01-01`, subscriptionEnd: `${year + 1}-12-31`, monthlyQuotaHours: null });
    const user = await repos.users.create({ email: 'two@example.org', name: 'Two', role: 'member', institutionId: inst.id, passwordHash: null });
    token = (await services.accounts.createToken({ actor: { userId: user.id, role: 'member', institutionId: inst.id } }, 'test')).token;
    roomId = (await repos.rooms.create({ name: 'Process room', capacity: 50, timeZone: 'UTC', provider: null, active: true })).id;
    const env = { ...process.env, ...JITSI, PROVISIONING_TICK_SECONDS: '1', DATABASE_URL: testDb.url!, LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', SEED_DEFAULT_ROOMS: 'false' };
    [one, two] = await Promise.all([startMain(env), startMain(env)]);
  });
  afterAll(async () => {
    for (const p of [one, two]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all([one, two].map((p) => p && p.child.exitCode === null && new Promise((r) => p.child.once('exit', r))));
    await testDb?.drop();
  });

  const api = (p: MainProcess, method: string, path: string, body?: unknown) =>
    fetch(p.url + path, { method, redirect: 'manual', headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const at = (minutes: number) => new Date(Math.ceil((Date.now() + minutes * 60_000) / 300_000) * 300_000).toISOString();

  it('a booking moved on one is answered with the waiting page on the other within a second, and a cancelled one with 410', async () => {
    const made = await api(one, 'POST', '/api/v1/bookings', { title: 'Both', roomId, start: at(5), end: at(65), seats: 5 });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { id: string }).id;
    // Prepared by whichever process's worker takes the job; then both redirect (and cache).
    expect(await within(20_000, async () => (await api(one, 'GET', `/join/${id}`)).status === 302 && (await api(two, 'GET', `/join/${id}`)).status === 302)).toBe(true);
    const moved = await api(one, 'PATCH', `/api/v1/bookings/${id}`, { start: at(3 * 24 * 60), end: at(3 * 24 * 60 + 60) });
    expect(moved.status).toBe(200);
    expect((await api(one, 'GET', `/join/${id}`)).status).toBe(200);
    expect(await within(1000, async () => (await api(two, 'GET', `/join/${id}`)).status === 200)).toBe(true);
    // Back to now, then cancelled on the other one.
    expect((await api(two, 'PATCH', `/api/v1/bookings/${id}`, { start: at(5), end: at(65) })).status).toBe(200);
    expect(await within(20_000, async () => (await api(one, 'GET', `/join/${id}`)).status === 302)).toBe(true);
    expect((await api(two, 'DELETE', `/api/v1/bookings/${id}`)).status).toBe(200);
    expect(await within(1000, async () => (await api(one, 'GET', `/join/${id}`)).status === 410)).toBe(true);
  });
});
