// Every kind of bad input gets a 4xx problem+json with a stable code and a sentence, and writes
// nothing: the tables are counted before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let room: string;
beforeAll(async () => {
  t = await startTestPortal();
  alice = await t.user('member', (await t.institution()).id);
  room = t.rooms[0]!.id;
});
afterAll(() => t.close());

async function counts() {
  const r = await sql<{ b: string; a: string; r: string }>`
    SELECT (SELECT count(*) FROM bookings) AS b, (SELECT count(*) FROM audit_log) AS a, (SELECT count(*) FROM rooms) AS r`.execute(t.db.database.db);
  return r.rows[0];
}

const valid = () => ({ title: 'Valid', roomId: room, start: '2026-03-30T10:00', end: '2026-03-30T11:00', seats: 10 });

describe('bad input', () => {
  const cases: [string, () => { method?: string; path?: string; raw?: string; body?: unknown; headers?: Record<string, string> }, number, string][] = [
    ['malformed JSON', () => ({ raw: '{"title": "x",', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_JSON'],
    ['an empty JSON body', () => ({ raw: '', headers: { 'content-type': 'application/json' } }), 400, 'EMPTY_BODY'],
    ['a body that is not JSON', () => ({ raw: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a wrong type', () => ({ body: { ...valid(), seats: 'ten' } }), 400, 'VALIDATION_FAILED'],
    ['an unknown field', () => ({ body: { ...valid(), colour: 'blue' } }), 400, 'VALIDATION_FAILED'],
    ['a missing title', () => ({ body: { ...valid(), title: undefined } }), 400, 'VALIDATION_FAILED'],
    ['a blank title', () => ({ body: { ...valid(), title: '   ' } }), 400, 'VALIDATION_FAILED'],
    ['zero seats', () => ({ body: { ...valid(), seats: 0 } }), 400, 'VALIDATION_FAILED'],
    ['a room id that is not a UUID', () => ({ body: { ...valid(), roomId: 'room-1' } }), 400, 'VALIDATION_FAILED'],
    ['a room that does not exist', () => ({ body: { ...valid(), roomId: '00000000-0000-4000-8000-000000000000' } }), 404, 'ROOM_NOT_FOUND'],
    ['the end before the start', () => ({ body: { ...valid(), end: '2026-03-30T09:00' } }), 422, 'END_BEFORE_START'],
    ['neither room nor seats', () => ({ body: { title: 'x', start: '2026-03-30T10:00', end: '2026-03-30T11:00' } }), 400, 'VALIDATION_FAILED'],
    ['a huge payload', () => ({ body: { ...valid(), description: 'x'.repeat(200_000) } }), 413, 'PAYLOAD_TOO_LARGE'],
    ['a too long description', () => ({ body: { ...valid(), description: 'x'.repeat(5001) } }), 400, 'VALIDATION_FAILED'],
    ['an array instead of an object', () => ({ body: [valid()] }), 400, 'VALIDATION_FAILED'],
    ['a bad Idempotency-Key', () => ({ body: valid(), headers: { 'idempotency-key': 'x'.repeat(300) } }), 400, 'INVALID_IDEMPOTENCY_KEY'],
    ['a patch of a booking that does not exist', () => ({ method: 'PATCH', path: '/api/v1/bookings/00000000-0000-4000-8000-000000000000', body: { title: 'x' } }), 404, 'BOOKING_NOT_FOUND'],
    ['a cancel with a malformed id', () => ({ method: 'DELETE', path: '/api/v1/bookings/12' }), 400, 'VALIDATION_FAILED'],
    ['an unknown query parameter', () => ({ method: 'GET', path: '/api/v1/bookings?colour=blue' }), 400, 'VALIDATION_FAILED'],
    ['a bad cursor', () => ({ method: 'GET', path: '/api/v1/bookings?cursor=nonsense' }), 400, 'INVALID_CURSOR'],
    ['an availability range of a year', () => ({ method: 'GET', path: '/api/v1/availability?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z' }), 400, 'RANGE_TOO_LARGE'],
    ['an availability range ending before it starts', () => ({ method: 'GET', path: '/api/v1/availability?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z' }), 400, 'RANGE_REVERSED'],
    ['an unknown route', () => ({ method: 'GET', path: '/api/v1/nothing-here' }), 404, 'ROUTE_NOT_FOUND'],
  ];

  it.each(cases)('answers %s with a clear 4xx and writes nothing', async (_what, make, status, code) => {
    const before = await counts();
    const c = make();
    const res = await t.api(c.method ?? 'POST', c.path ?? '/api/v1/bookings', {
      as: alice,
      ...(c.raw !== undefined && { raw: c.raw }),
      ...(c.body !== undefined && { body: c.body }),
      ...(c.headers && { headers: c.headers }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code, type: expect.stringContaining('urn:webmeetings:problem:') });
    expect(res.body.detail.length).toBeGreaterThan(10);
    expect(await counts()).toEqual(before);
  });

  it('names the offending field in validation errors', async () => {
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { ...valid(), seats: 'ten' } });
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.seats' })]);
    expect(res.body.detail).toContain('body.seats');
  });

  it('names a field a rule refuses by where the request sent it, as validation does', async () => {
    const paths = (res: { body: { errors?: { path: string }[] } }) => res.body.errors?.map((e) => e.path);
    // The booking's own rule: no room and no seats.
    const neither = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'x', start: '2026-03-30T10:00', end: '2026-03-30T11:00' } });
    expect(paths(neither)).toEqual(['body.seats']);
    // An invitee's time zone, which only the use case knows to be unknown.
    const booking = await t.api('POST', '/api/v1/bookings', { as: alice, body: { ...valid(), start: '2026-03-31T10:00', end: '2026-03-31T11:00' } });
    expect(booking.status).toBe(201);
    const invitee = await t.api('POST', `/api/v1/bookings/${booking.body.id}/invitees`, { as: alice, body: { email: 'guest@example.org', timeZone: 'Mars/Olympus' } });
    expect([invitee.status, invitee.body.code, paths(invitee)]).toEqual([400, 'VALIDATION_FAILED', ['body.timeZone']]);
    // A series: the rule, and the fields that one scope may change and another may not.
    const rule = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'x', roomId: room, start: '2026-04-06T10:00', end: '2026-04-06T11:00', rrule: 'FREQ=WEEKLY;BYDAY=XX;COUNT=3' } });
    expect([rule.body.code, paths(rule)]).toEqual(['RRULE_INVALID', ['body.rrule']]);
    const series = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Paths', roomId: room, start: '2026-04-07T10:00', end: '2026-04-07T11:00', rrule: 'FREQ=WEEKLY;COUNT=2' } });
    expect(series.status).toBe(201);
    const occurrence = `/api/v1/series/${series.body.series.id}/occurrences/${series.body.booked[0].id}`;
    const wide = await t.api('PATCH', occurrence, { as: alice, body: { scope: 'one', startTime: '09:00', durationMinutes: 30 } });
    expect([wide.status, paths(wide)]).toEqual([400, ['body.startTime', 'body.durationMinutes']]);
    const one = await t.api('PATCH', occurrence, { as: alice, body: { scope: 'all', start: '2026-04-07T09:00' } });
    expect([one.status, paths(one)]).toEqual([400, ['body.start']]);
  });

  it('says what is wrong with each field in Italian to a person answered in Italian, in English otherwise', async () => {
    const body = { ...valid(), seats: 'ten', roomId: 'room-1', title: 'x'.repeat(201), start: '2026-03-30T10:00+15:00' };
    const italian = await t.api('POST', '/api/v1/bookings', { as: alice, body, headers: { 'accept-language': 'it' } });
    const english = await t.api('POST', '/api/v1/bookings', { as: alice, body });
    expect(italian.status).toBe(400);
    expect(english.status).toBe(400);
    expect(italian.body).toMatchObject({ code: 'VALIDATION_FAILED', lang: 'it' });
    expect(english.body.lang).toBeUndefined();
    const byPath = (res: typeof italian) => Object.fromEntries((res.body.errors as { path: string; message: string }[]).map((e) => [e.path, e.message]));
    const it = byPath(italian);
    const en = byPath(english);
    // The same fields in the same order, only the words differ.
    expect(Object.keys(it)).toEqual(Object.keys(en));
    expect(en).toMatchObject({
      'body.seats': 'Invalid input: expected number, received string',
      'body.roomId': 'must be a UUID',
      'body.title': 'Too big: expected string to have <=200 characters',
      'body.start': 'must have an offset between -14:00 and +14:00 (or Z)',
    });
    // zod's own messages from its Italian locale, the schemas' own from schema-words.ts.
    expect(it).toMatchObject({
      'body.seats': 'Input non valido: atteso numero, ricevuto string',
      'body.roomId': 'deve essere un UUID',
      'body.title': 'Troppo grande: string deve avere <=200 caratteri',
      'body.start': 'deve avere uno scostamento tra -14:00 e +14:00 (o Z)',
    });
    expect(italian.body.detail).toBe(`${Object.keys(it)[0]} ${Object.values(it)[0]}.`);
    // A rule the use-case checks (no room and no seats) says its field's words in Italian too.
    const neither = { title: 'x', start: '2026-03-30T10:00', end: '2026-03-30T11:00' };
    const neitherIt = await t.api('POST', '/api/v1/bookings', { as: alice, body: neither, headers: { 'accept-language': 'it' } });
    const neitherEn = await t.api('POST', '/api/v1/bookings', { as: alice, body: neither });
    expect(neitherIt.body).toMatchObject({ code: 'VALIDATION_FAILED', lang: 'it', errors: [{ path: 'body.seats', message: 'Obbligatorio quando manca roomId.' }] });
    expect(neitherEn.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.seats', message: 'Required when roomId is not given.' }] });
    // A query string's refinement keeps its code, and its words are Italian too.
    const reversed = await t.api('GET', '/api/v1/availability?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', { as: alice, headers: { 'accept-language': 'it' } });
    expect(reversed.body).toMatchObject({ code: 'RANGE_REVERSED', lang: 'it', errors: [{ path: 'querystring.to', message: 'deve essere dopo from' }] });
  });

  it('refuses duplicate room names and e-mails with 409', async () => {
    const name = t.rooms[0]!.name;
    const dup = await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name: name.toUpperCase(), capacity: 10 } });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('NAME_TAKEN');
    const u = { email: 'same@example.org', name: 'Same', role: 'member' };
    expect((await t.api('POST', '/api/v1/users', { as: t.admin, body: u })).status).toBe(201);
    expect((await t.api('POST', '/api/v1/users', { as: t.admin, body: { ...u, email: 'SAME@example.org' } })).body.code).toBe('EMAIL_TAKEN');
  });

  it('refuses an unknown time zone for a room', async () => {
    const res = await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name: 'Mars', capacity: 10, timeZone: 'Mars/Olympus' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_TIME_ZONE');
  });
});
