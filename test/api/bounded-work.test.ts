// Bounded work per request (issue #11): a repeating rule costs at most its budget whatever it says,
// no string field lets a control character reach the database, offsets and ranges are checked, and
// every error the server sends, Fastify's own included, is problem+json with a code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { METRICS_TOKEN, startTestPortal, type ApiResponse, type Caller, type TestPortal } from '../support/portal.ts';
import { ruleText } from '../support/rule-arbitrary.ts';

let t: TestPortal;
let alice: Caller;
let manager: Caller;
let room: string;
let institution: string;
beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { EVENT_LOOP_DELAY_LIMIT_MS: '1000' } });
  institution = (await t.institution()).id;
  alice = await t.user('member', institution);
  manager = await t.user('institution-manager', institution);
  room = t.rooms[0]!.id;
});
afterAll(() => t.close());

const isProblem = (res: ApiResponse, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.stringContaining('urn:webmeetings:problem:') });
  expect(res.body.detail.length).toBeGreaterThan(10);
};
const counts = async () =>
  (
    await sql<Record<string, string>>`SELECT (SELECT count(*) FROM bookings) AS b, (SELECT count(*) FROM booking_series) AS s, (SELECT count(*) FROM rooms) AS r,
      (SELECT count(*) FROM institutions) AS i, (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM audit_log) AS a`.execute(t.db.database.db)
  ).rows[0];

describe('repeating rules', () => {
  const preview = (rrule: string, start = '2026-03-23T10:00') =>
    t.api('POST', '/api/v1/series/preview', { as: alice, body: { title: 'Rule', roomId: room, seats: 5, start, end: start.replace('T10:', 'T11:'), rrule } });

  it.each([
    // The rules of the report: one never matched and spun the event loop for 15-22 s, one for 1.4 s.
    'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1',
    'FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1',
    'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;COUNT=2',
  ])('refuses %s with 422 RULE_NEVER_MATCHES on preview, create and change', async (rrule) => {
    const before = await counts();
    isProblem(await preview(rrule), 422, 'RULE_NEVER_MATCHES');
    const create = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Rule', roomId: room, seats: 5, start: '2026-03-23T10:00', end: '2026-03-23T11:00', rrule } });
    isProblem(create, 422, 'RULE_NEVER_MATCHES');
    expect(create.body.errors).toEqual([expect.objectContaining({ path: 'body.rrule' })]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a never-matching rule in a change of a whole series, leaving it as it was', async () => {
    const made = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Kept', roomId: room, seats: 5, start: '2026-03-24T14:00', end: '2026-03-24T15:00', rrule: 'FREQ=WEEKLY;COUNT=3' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.series.id as string;
    const first = made.body.booked[0].id as string;
    const res = await t.api('PATCH', `/api/v1/series/${id}/occurrences/${first}`, { as: alice, body: { scope: 'all', rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1' } });
    isProblem(res, 422, 'RULE_NEVER_MATCHES');
    const after = await t.api('GET', `/api/v1/series/${id}`, { as: alice });
    expect(after.body.series.rrule).toBe('FREQ=WEEKLY;COUNT=3');
    expect(after.body.occurrences).toHaveLength(3);
  });

  it('answers every generated rule with its dates or a 4xx problem, never a 5xx', async () => {
    const day = DateTime.fromISO('2026-03-23', { zone: 'Europe/Rome' });
    await fc.assert(
      fc.asyncProperty(ruleText(day), fc.integer({ min: 0, max: 150 }), async (rrule, offset) => {
        const res = await preview(rrule, `${day.plus({ days: offset }).toISODate()}T10:00`);
        if (res.status === 200) expect(res.body.occurrences.length).toBeGreaterThan(0);
        else {
          expect(res.status, `${rrule}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${rrule}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
          expect(res.body.code).toMatch(/^[A-Z_]+$/);
        }
      }),
      { seed: 1111, numRuns: 60 },
    );
  });
});

describe('control characters', () => {
  const booking = { title: 'Fine', roomId: '', seats: 5, start: '2026-04-07T10:00', end: '2026-04-07T11:00' };
  const series = { ...booking, rrule: 'FREQ=WEEKLY;COUNT=2' };
  type Case = [string, string, string, () => { body?: unknown; as?: Caller | null }];
  const cases: Case[] = [
    ['a NUL in the sign-in e-mail (no session)', 'POST', '/api/v1/session', () => ({ as: null, body: { email: 'a\u0000@example.org', password: 'whatever-long' } })],
    ['a NUL in a booking title', 'POST', '/api/v1/bookings', () => ({ body: { ...booking, roomId: room, title: 'A\u0000' } })],
    ['a NUL in a booking description', 'POST', '/api/v1/bookings', () => ({ body: { ...booking, roomId: room, description: 'd\u0000' } })],
    ['a NUL in a series title', 'POST', '/api/v1/series', () => ({ body: { ...series, roomId: room, title: 'S\u0000' } })],
    ['a NUL in a series description', 'POST', '/api/v1/series/preview', () => ({ body: { ...series, roomId: room, description: 'd\u0000' } })],
    ['a NUL in a series rule', 'POST', '/api/v1/series/preview', () => ({ body: { ...series, roomId: room, rrule: 'FREQ=WEEKLY;COUNT=2\u0000' } })],
    ['a NUL in a room name', 'POST', '/api/v1/rooms', () => ({ as: t.admin, body: { name: 'Room\u0000', capacity: 5 } })],
    ['a NUL in a room time zone', 'POST', '/api/v1/rooms', () => ({ as: t.admin, body: { name: 'Zone room', capacity: 5, timeZone: 'Europe/Rome\u0000' } })],
    ['a NUL in an institution name', 'POST', '/api/v1/institutions', () => ({ as: t.admin, body: { name: 'Uni\u0000' } })],
    ['a NUL in a user name', 'POST', '/api/v1/users', () => ({ as: t.admin, body: { email: 'nul@example.org', name: 'N\u0000' } })],
    ['a NUL in a token name', 'POST', '/api/v1/me/tokens', () => ({ body: { name: 'T\u0000' } })],
    ['an escape character in a title', 'POST', '/api/v1/bookings', () => ({ body: { ...booking, roomId: room, title: 'A\u001b[31m' } })],
    ['a newline in a title', 'POST', '/api/v1/bookings', () => ({ body: { ...booking, roomId: room, title: 'two\nlines' } })],
    ['a lone surrogate in a title', 'POST', '/api/v1/bookings', () => ({ body: { ...booking, roomId: room, title: 'half \ud800 a pair' } })],
    ['%00 in the audit action', 'GET', '/api/v1/audit?action=%00', () => ({ as: t.admin })],
    ['%00 in the bookings cursor', 'GET', '/api/v1/bookings?cursor=%00', () => ({})],
    ['%00 in the user search', 'GET', '/api/v1/users?q=%00', () => ({ as: t.admin })],
  ];

  it.each(cases)('refuses %s with 400 VALIDATION_FAILED, writing nothing', async (_what, method, path, make) => {
    const before = await counts();
    const c = make();
    const res = await t.api(method, path, { ...(c.as !== null && { as: c.as ?? alice }), ...(c.body !== undefined && { body: c.body }) });
    isProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/control characters|well-formed/);
    expect(await counts()).toEqual(before);
  });

  it('refuses a NUL in changes too: a user renamed by a manager, an institution, a booking', async () => {
    const member = await t.user('member', institution);
    isProblem(await t.api('PATCH', `/api/v1/users/${member.userId}`, { as: manager, body: { name: 'M\u0000' } }), 400, 'VALIDATION_FAILED');
    isProblem(await t.api('PATCH', `/api/v1/institutions/${institution}`, { as: t.admin, body: { name: 'I\u0000' } }), 400, 'VALIDATION_FAILED');
    const made = await t.api('POST', '/api/v1/bookings', { as: alice, body: { ...booking, roomId: room, start: '2026-04-08T10:00', end: '2026-04-08T11:00' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    isProblem(await t.api('PATCH', `/api/v1/bookings/${made.body.id}`, { as: alice, body: { description: '\u0000' } }), 400, 'VALIDATION_FAILED');
  });

  it('keeps tabs and newlines in a description', async () => {
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { ...booking, roomId: room, start: '2026-04-09T10:00', end: '2026-04-09T11:00', description: 'Agenda:\n\t1. intro\n\t2. è ✓ 😀' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.description).toBe('Agenda:\n\t1. intro\n\t2. è ✓ 😀');
  });
});

describe('offsets and ranges', () => {
  it.each(['+99:00', '+99:99', '-15:00', '+14:30', '+1260'])('refuses a start with the offset %s', async (offset) => {
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Far east', roomId: room, seats: 5, start: `2026-04-15T10:00${offset}`, end: '2026-04-15T11:00' } });
    isProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.start', message: expect.stringContaining('14:00') })]);
  });

  it('takes offsets up to ±14:00 as instants', async () => {
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Kiribati', roomId: room, seats: 5, start: '2026-04-16T22:00+14:00', end: '2026-04-16T23:00+14:00' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.start).toBe('2026-04-16T08:00:00.000Z');
    const list = await t.api('GET', `/api/v1/bookings?from=${encodeURIComponent('2026-04-16T00:00:00+14:00')}&to=${encodeURIComponent('2026-04-16T23:00:00-12:00')}`, { as: alice });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items.map((b: { id: string }) => b.id)).toContain(res.body.id);
    isProblem(await t.api('GET', `/api/v1/bookings?from=${encodeURIComponent('2026-04-16T00:00:00+23:59')}`, { as: alice }), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['/api/v1/bookings', 'alice'],
    ['/api/v1/audit', 'admin'],
    ['/api/v1/availability', 'alice'],
  ])('refuses a reversed range on %s with 400 RANGE_REVERSED', async (path, who) => {
    const res = await t.api('GET', `${path}?from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z`, { as: who === 'admin' ? t.admin : alice });
    isProblem(res, 400, 'RANGE_REVERSED');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'querystring.to' })]);
  });

  it('takes an empty range on a list but not for availability', async () => {
    expect((await t.api('GET', '/api/v1/bookings?from=2026-04-01T00:00:00Z&to=2026-04-01T00:00:00Z', { as: alice })).status).toBe(200);
    isProblem(await t.api('GET', '/api/v1/availability?from=2026-04-01T00:00:00Z&to=2026-04-01T00:00:00Z', { as: alice }), 400, 'RANGE_REVERSED');
  });
});

describe("Fastify's own errors", () => {
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(t.baseUrl);
      const socket = connect(Number(url.port), url.hostname, () => socket.end(request));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });

  it.each([
    ['a too long path parameter', 'GET', `/api/v1/bookings/${'a'.repeat(200)}`, undefined, 414, 'PARAMETER_TOO_LONG'],
    ['a broken %-escape', 'GET', '/api/v1/bookings/%E0%A4%A', undefined, 400, 'MALFORMED_URL'],
    ['a body too large', 'POST', '/api/v1/bookings', JSON.stringify({ title: 'x'.repeat(100_000) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['invalid JSON', 'POST', '/api/v1/bookings', '{"title": ', 400, 'MALFORMED_JSON'],
    ['an unknown route', 'GET', '/api/v1/nowhere', undefined, 404, 'ROUTE_NOT_FOUND'],
  ])('answers %s with problem+json and a code', async (_what, method, path, body, status, code) => {
    const res = await t.api(method, path, { as: alice, ...(body !== undefined && { raw: body, headers: { 'content-type': 'application/json' } }) });
    isProblem(res, status, code);
  });

  it('answers a wrong content type with 415 problem+json', async () => {
    isProblem(await t.api('POST', '/api/v1/bookings', { as: alice, raw: '<booking/>', headers: { 'content-type': 'application/xml' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers what Node’s HTTP parser refuses with problem+json too', async () => {
    const bad = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(bad).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    const big = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });
});

describe('event loop delay', () => {
  it('/readyz reports the delay, and answers 503 after the loop was blocked past the limit', async () => {
    const ready = async () => (await t.api('GET', '/readyz')).status === 200;
    // Start-up work may have stalled the loop in this window; a stall shows for two windows at most.
    for (let i = 0; i < 100 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 250));
    const before = await t.api('GET', '/readyz');
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.eventLoop).toMatchObject({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number), limit: 1 });
    expect(before.body.eventLoop.max).toBeLessThan(1);
    // The portal runs in this process: blocking here blocks its loop, as a costly request would.
    const until = Date.now() + 1500;
    while (Date.now() < until);
    const after = await t.api('GET', '/readyz');
    expect(after.status).toBe(503);
    expect(after.body.status).toBe('event loop delayed');
    expect(after.body.eventLoop.max).toBeGreaterThanOrEqual(1.4);
    const metrics = await t.api('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const max = /webmeetings_event_loop_delay_seconds\{stat="max"\} ([\d.e+-]+)/.exec(metrics.body as string);
    expect(Number(max?.[1])).toBeGreaterThanOrEqual(1.4);
  });
});

describe('shutting down', () => {
  it('answers a request that arrives while the instance closes with 503 problem+json (last: it closes the portal)', async () => {
    const url = new URL(t.baseUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((r) => socket.once('connect', r));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    const ended = new Promise((r) => socket.on('close', r));
    // A request begun before the close keeps its connection; it is finished after the close began.
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const closing = t.portal.app.close();
    await new Promise((r) => setTimeout(r, 100));
    socket.write('Connection: close\r\n\r\n');
    await ended;
    await closing;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toContain('content-type: application/problem+json');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 503, code: 'SHUTTING_DOWN' });
  });
});

