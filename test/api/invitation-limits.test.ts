// Invitations by e-mail are not a relay for spam (issue #11: a member added 120 external invitees in
// 1.7 s, each mailed the booking's title and description). Limits per booking, per person and day
// for invitees from outside the portal, and per person and hour for mails to others, each decided
// in the change's own transaction: tried with real parallel requests, checked in the tables.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let room: string;
let uni: string;
let day = 0;

beforeAll(async () => {
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: { MAX_INVITEES_PER_BOOKING: '5', MAX_NEW_INVITEES_PER_DAY: '12', MAX_MAILS_PER_SENDER_PER_HOUR: '20', MAIL_REMINDER_MINUTES: 'none' },
  });
  room = t.rooms.find((r) => r.capacity === 50)!.id;
  uni = (await t.institution()).id;
});
afterAll(async () => {
  await t?.close();
});

async function booking(as: Caller, title = 'Seminar') {
  const d = new Date(Date.UTC(2026, 2, 23 + day++)).toISOString().slice(0, 10);
  const res = await t.api('POST', '/api/v1/bookings', { as, body: { title, seats: 5, roomId: room, start: `${d}T10:00`, end: `${d}T11:00` } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const invite = (as: Caller, bookingId: string, email: string, lang?: string) =>
  t.api('POST', `/api/v1/bookings/${bookingId}/invitees`, { as, body: { email }, ...(lang && { headers: { 'accept-language': lang } }) });
const inviteeCount = async (bookingId: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM booking_invitees WHERE booking_id = ${bookingId}`.execute(t.db.database.db)).rows[0]!.n);
const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();

describe('invitees per booking', () => {
  it('holds MAX_INVITEES_PER_BOOKING under 20 parallel requests', async () => {
    const alice = await t.user('member', uni, 'Alice');
    const id = await booking(alice);
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => invite(alice, id, `guest${i}@spam.example`)));
    expect(statuses(rs)).toEqual([...Array(5).fill(201), ...Array(15).fill(422)]);
    const refused = rs.find((r) => r.status === 422)!;
    expect(refused.body.code).toBe('TOO_MANY_INVITEES');
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await inviteeCount(id)).toBe(5);
    const it_ = await invite(alice, id, 'one-more@spam.example', 'it');
    expect(it_.body.detail).toMatch(/^Si possono invitare via email al massimo 5 persone/);
  });

  it('keeps the list of a meeting that has ended as it was: no invitation and no withdrawal mails a past hour', async () => {
    const olga = await t.user('member', uni, 'Olga');
    // Not booking(): its days are counted out for the other tests.
    const made = await t.api('POST', '/api/v1/bookings', { as: olga, body: { title: 'Past', seats: 5, roomId: room, start: '2026-03-22T10:00', end: '2026-03-22T11:00' } });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    const added = await invite(olga, id, 'colleague@example.org');
    expect(added.status).toBe(201);
    const end = (await t.api('GET', `/api/v1/bookings/${id}`, { as: olga })).body.end as string;
    t.clock.set(end);
    try {
      const late = await invite(olga, id, 'late@example.org', 'it');
      expect([late.status, late.body.code, late.body.lang]).toEqual([422, 'BOOKING_ENDED', 'it']);
      const withdrawn = await t.api('DELETE', `/api/v1/bookings/${id}/invitees/${added.body.id}`, { as: olga });
      expect([withdrawn.status, withdrawn.body.code]).toEqual([422, 'BOOKING_ENDED']);
      const list = await t.api('GET', `/api/v1/bookings/${id}/invitees`, { as: olga });
      expect(list.body.items.map((i: { email: string }) => i.email)).toEqual(['colleague@example.org']);
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
    }
    expect(await inviteeCount(id)).toBe(1);
  });
});

describe('new invitees from outside the portal per person and day', () => {
  it('holds MAX_NEW_INVITEES_PER_DAY over many bookings under parallel requests; portal accounts do not count; the next day is new', async () => {
    const bruno = await t.user('member', uni, 'Bruno');
    const ids = [await booking(bruno), await booking(bruno), await booking(bruno), await booking(bruno)];
    const rs = await Promise.all(ids.flatMap((id, b) => Array.from({ length: 5 }, (_, i) => invite(bruno, id, `b${b}-${i}@spam.example`))));
    expect(statuses(rs)).toEqual([...Array(12).fill(201), ...Array(8).fill(429)]);
    const refused = rs.find((r) => r.status === 429)!;
    expect(refused.body.code).toBe('INVITEE_LIMIT_REACHED');
    // 09:00 UTC: the day ends in 15 hours.
    expect(refused.headers.get('retry-after')).toBe(String(15 * 3600));
    let total = 0;
    for (const id of ids) total += await inviteeCount(id);
    expect(total).toBe(12);
    // A colleague with an account is not a spam audience.
    const carla = await t.user('member', uni, 'Carla');
    const carlaEmail = (await t.portal.services.uow.repos.users.findById(carla.userId))!.email;
    const extra = await booking(bruno);
    expect((await invite(bruno, extra, carlaEmail)).status).toBe(201);
    expect((await invite(bruno, extra, 'late@spam.example')).status).toBe(429);
    // Someone else's day is their own.
    const dario = await t.user('member', uni, 'Dario');
    expect((await invite(dario, await booking(dario), 'd@spam.example')).status).toBe(201);
    t.clock.set('2026-03-21T00:00:01Z');
    try {
      expect((await invite(bruno, extra, 'next-day@spam.example')).status).toBe(201);
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
    }
  });
});

describe('several invitees at once', () => {
  const batch = (as: Caller, bookingId: string, emails: string[], lang?: string) =>
    t.api('POST', `/api/v1/bookings/${bookingId}/invitees/batch`, { as, body: { emails, locale: 'en' }, ...(lang && { headers: { 'accept-language': lang } }) });
  const invitations = async (bookingId: string) =>
    (await sql<{ email: string }>`SELECT data->'to'->>'email' AS email FROM pgboss.job WHERE name = 'mail-compose' AND data->>'id' = ${bookingId} AND data->>'action' = 'created' AND data->'to'->>'email' IS NOT NULL`.execute(t.db.database.db)).rows.map((r) => r.email).sort();

  it('invites each address once, names those already invited, and mails only the new ones', async () => {
    const fabio = await t.user('member', uni, 'Fabio');
    const id = await booking(fabio);
    const first = await batch(fabio, id, ['anna@lab.example', 'Bruno@lab.example', 'bruno@lab.example', 'anna@lab.example']);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.added.map((i: { email: string }) => i.email)).toEqual(['anna@lab.example', 'Bruno@lab.example']);
    expect(first.body.alreadyInvited).toEqual([]);
    const second = await batch(fabio, id, ['ANNA@lab.example', 'carla@lab.example']);
    expect(second.body.added.map((i: { email: string }) => i.email)).toEqual(['carla@lab.example']);
    expect(second.body.alreadyInvited).toEqual(['ANNA@lab.example']);
    expect(await inviteeCount(id)).toBe(3);
    expect(await invitations(id)).toEqual(['Bruno@lab.example', 'anna@lab.example', 'carla@lab.example']);
    // One by one still says when someone is invited already.
    expect((await invite(fabio, id, 'carla@lab.example')).body.code).toBe('ALREADY_INVITED');
  });

  it('adds all or none: past the per-booking limit, or the day’s, nobody is added, counted or mailed; two lists at once never overshoot', async () => {
    const gina = await t.user('member', uni, 'Gina');
    const id = await booking(gina);
    expect((await batch(gina, id, ['g1@lab.example', 'g2@lab.example', 'g3@lab.example'])).status).toBe(200);
    const over = await batch(gina, id, ['g4@lab.example', 'g5@lab.example', 'g6@lab.example'], 'it');
    expect([over.status, over.body.code]).toEqual([422, 'TOO_MANY_INVITEES']);
    expect(over.body.detail).toMatch(/^Si possono invitare via email al massimo 5 persone/);
    expect(await inviteeCount(id)).toBe(3);
    // Two lists of two at once onto a list of three, at most five: one goes in whole, the other not at all.
    const other = await booking(gina);
    expect((await batch(gina, other, ['h1@lab.example', 'h2@lab.example', 'h3@lab.example'])).status).toBe(200);
    const raced = await Promise.all([batch(gina, other, ['h4@lab.example', 'h5@lab.example']), batch(gina, other, ['h6@lab.example', 'h7@lab.example'])]);
    expect(statuses(raced)).toEqual([200, 422]);
    expect(await inviteeCount(other)).toBe(5);
    // 8 of the day's 12 from outside the portal are used: a list of five is refused whole.
    const third = await booking(gina);
    const tired = await batch(gina, third, ['i1@lab.example', 'i2@lab.example', 'i3@lab.example', 'i4@lab.example', 'i5@lab.example']);
    expect([tired.status, tired.body.code]).toEqual([429, 'INVITEE_LIMIT_REACHED']);
    expect(await inviteeCount(third)).toBe(0);
    expect(await invitations(third)).toEqual([]);
    const counted = await sql<{ n: number }>`SELECT n FROM sender_counts WHERE user_id = ${gina.userId} AND kind = 'new-invitees'`.execute(t.db.database.db);
    expect(counted.rows.map((r) => r.n)).toEqual([8]);
    expect((await batch(gina, third, ['i1@lab.example'])).status).toBe(200);
  });

  it('refuses a list with a wrong address, naming it, or of more than 50, and adds nothing', async () => {
    const hana = await t.user('member', uni, 'Hana');
    const id = await booking(hana);
    const wrong = await batch(hana, id, ['ok@lab.example', 'Mario Rossi']);
    expect([wrong.status, wrong.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(wrong.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.emails.1']);
    const many = await batch(hana, id, Array.from({ length: 51 }, (_, i) => `m${i}@lab.example`));
    expect([many.status, many.body.errors[0].path]).toEqual([400, 'body.emails']);
    expect((await batch(hana, id, [])).status).toBe(400);
    expect(await inviteeCount(id)).toBe(0);
  });
});

describe('mails per sender and hour', () => {
  it('counts the mails a new request sends the administrators: filing and withdrawing in a loop stops at the hour’s limit, nothing filed', async () => {
    const ivo = await t.user('member', uni, 'Ivo');
    const admins = (await t.api('GET', '/api/v1/users?role=admin', { as: t.admin })).body.items.length as number;
    const file = () => t.api('POST', '/api/v1/requests', { as: ivo, body: { title: 'Far ahead', reason: 'Planned a year ahead', seats: 5, roomId: room, start: '2026-12-01T10:00', end: '2026-12-01T11:00' } });
    const filed = Math.floor(20 / admins);
    for (let i = 0; i < filed; i++) {
      const q = await file();
      expect(q.status, JSON.stringify(q.body)).toBe(201);
      expect((await t.api('POST', `/api/v1/requests/${q.body.id}/withdraw`, { as: ivo, body: {} })).status).toBe(200);
    }
    const refused = await file();
    expect([refused.status, refused.body.code]).toEqual([429, 'MAIL_LIMIT_REACHED']);
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM booking_requests WHERE requester_id = ${ivo.userId}`.execute(t.db.database.db);
    expect(Number(rows[0]!.n)).toBe(filed);
  });

  it('refuses a change that would mail invitees past MAX_MAILS_PER_SENDER_PER_HOUR, under parallel requests; cancellations still go out', async () => {
    const elena = await t.user('member', uni, 'Elena');
    const id = await booking(elena, 'Newsletter');
    // 5 invitations: 5 mails.
    for (let i = 0; i < 5; i++) expect((await invite(elena, id, `e${i}@spam.example`)).status).toBe(201);
    // Each change mails the 5 invitees: 3 more fit in 20 mails, of 8 tried at once.
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => t.api('PATCH', `/api/v1/bookings/${id}`, { as: elena, body: { title: `Buy now ${i}` } })));
    expect(statuses(rs)).toEqual([...Array(3).fill(200), ...Array(5).fill(429)]);
    const refused = rs.find((r) => r.status === 429)!;
    expect(refused.body.code).toBe('MAIL_LIMIT_REACHED');
    expect(refused.headers.get('retry-after')).toBe('3600');
    const counted = await sql<{ n: number }>`SELECT n FROM sender_counts WHERE user_id = ${elena.userId} AND kind = 'mails'`.execute(t.db.database.db);
    expect(counted.rows.map((r) => r.n)).toEqual([20]);
    // The refused changes changed nothing and sent nothing.
    const composed = await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail-compose' AND data->>'id' = ${id} AND data->>'action' = 'updated'`.execute(t.db.database.db);
    expect(Number(composed.rows[0]!.n)).toBe(3);
    const second = await booking(elena);
    expect((await invite(elena, second, 'e5@spam.example')).body.code).toBe('MAIL_LIMIT_REACHED');
    // Telling people the meeting is off is never refused.
    expect((await t.api('DELETE', `/api/v1/bookings/${id}`, { as: elena })).status).toBeLessThan(300);
    // The next hour is a new hour.
    t.clock.set('2026-03-20T10:00:00Z');
    try {
      expect((await invite(elena, second, 'e6@spam.example')).status).toBe(201);
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
    }
  });

  it('counts the invitation sent again as mails to others: several at once, all or none within the hour', async () => {
    const fabio = await t.user('member', uni, 'Fabio');
    const id = await booking(fabio, 'Sent again');
    for (let i = 0; i < 5; i++) expect((await invite(fabio, id, `f${i}@uni.example`)).status).toBe(201);
    // 5 mails so far; each sending-again is 5 more: 3 fit in 20, of 6 tried at once.
    const rs = await Promise.all(Array.from({ length: 6 }, () => t.api('POST', `/api/v1/bookings/${id}/invitees/resend`, { as: fabio, body: {} })));
    expect(statuses(rs)).toEqual([...Array(3).fill(200), ...Array(3).fill(429)]);
    expect(rs.filter((r) => r.status === 200).map((r) => r.body.sent)).toEqual([5, 5, 5]);
    const resent = await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'mail-compose' AND data->>'id' = ${id} AND data->>'resent' = 'true'`.execute(t.db.database.db);
    expect(Number(resent.rows[0]!.n)).toBe(15);
  });
});
