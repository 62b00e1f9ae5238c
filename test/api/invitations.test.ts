// GET /invitations: the meetings a person is invited to by e-mail, found by their account's address
// (as joining finds them), soonest first: their own bookings, other addresses, cancelled and past
// meetings left out; a series' invitation lists its dates still to come.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let bruno: Caller;
let carol: Caller;
let aliceEmail: string;

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z' });
  const uni = await t.institution();
  alice = await t.user('member', uni.id, 'Alice');
  bruno = await t.user('member', uni.id, 'Bruno');
  carol = await t.user('member', uni.id, 'Carol');
  aliceEmail = (await t.portal.services.uow.repos.users.findById(alice.userId))!.email;
});
afterAll(() => t.close());

const book = async (as: Caller, title: string, start: string, end: string) => {
  const res = await t.api('POST', '/api/v1/bookings', { as, body: { title, seats: 5, roomId: t.rooms[0]!.id, start, end } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
const invite = async (as: Caller, path: string, email: string) => {
  const res = await t.api('POST', `/api/v1/${path}/invitees`, { as, body: { email } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
const titles = async (as: Caller, query = '') => {
  const res = await t.api('GET', `/api/v1/invitations${query}`, { as });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { title: string; startLocal: string }[]).map((i) => `${i.title} ${i.startLocal.slice(0, 16)}`);
};

describe('GET /invitations', () => {
  it('lists what the account’s address is invited to, soonest first, and nothing of anyone else’s', async () => {
    const defence = await book(bruno, 'Thesis defence', '2026-03-27T10:00', '2026-03-27T11:00');
    await invite(bruno, `bookings/${defence}`, aliceEmail.toUpperCase()); // the address, case aside
    const other = await book(bruno, 'Not hers', '2026-03-24T10:00', '2026-03-24T11:00');
    await invite(bruno, `bookings/${other}`, `x${aliceEmail}`);
    const own = await book(alice, 'Her own', '2026-03-23T10:00', '2026-03-23T11:00');
    await invite(alice, `bookings/${own}`, aliceEmail);
    const dropped = await book(bruno, 'Called off', '2026-03-25T10:00', '2026-03-25T11:00');
    await invite(bruno, `bookings/${dropped}`, aliceEmail);
    expect((await t.api('DELETE', `/api/v1/bookings/${dropped}`, { as: bruno })).status).toBe(200);
    const series = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Reading group', seats: 5, roomId: t.rooms[1]!.id, start: '2026-03-23T15:00', end: '2026-03-23T16:00', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(series.status, JSON.stringify(series.body)).toBe(201);
    await invite(bruno, `series/${series.body.series.id}`, aliceEmail);

    // Across the change to summer time on 29 March: each date at 15:00 in Rome.
    expect(await titles(alice)).toEqual(['Reading group 2026-03-23T15:00', 'Thesis defence 2026-03-27T10:00', 'Reading group 2026-03-30T15:00', 'Reading group 2026-04-06T15:00']);
    expect(await titles(alice, '?limit=2')).toEqual(['Reading group 2026-03-23T15:00', 'Thesis defence 2026-03-27T10:00']);
    expect(await titles(carol)).toEqual([]);
    const item = (await t.api('GET', '/api/v1/invitations?limit=2', { as: alice })).body.items[1];
    expect(item).toEqual({
      id: defence,
      title: 'Thesis defence',
      description: '',
      roomName: t.rooms[0]!.name,
      timeZone: 'Europe/Rome',
      start: '2026-03-27T09:00:00.000Z',
      end: '2026-03-27T10:00:00.000Z',
      startLocal: '2026-03-27T10:00:00+01:00',
      endLocal: '2026-03-27T11:00:00+01:00',
      booker: { name: 'Bruno' },
      seriesId: null,
      joinUrl: `/join/${defence}`,
      cohost: false,
      reply: null,
    });
    // Made a co-host of the series: its dates say so (she enters them as host).
    const seriesInvitees = (await t.api('GET', `/api/v1/series/${series.body.series.id}/invitees`, { as: bruno })).body.items as { id: string }[];
    expect((await t.api('PATCH', `/api/v1/series/${series.body.series.id}/invitees/${seriesInvitees[0]!.id}`, { as: bruno, body: { cohost: true } })).status).toBe(200);
    const cohosted = ((await t.api('GET', '/api/v1/invitations', { as: alice })).body.items as Array<{ title: string; cohost: boolean }>).map((i) => [i.title, i.cohost]);
    expect(cohosted).toEqual([['Reading group', true], ['Thesis defence', false], ['Reading group', true], ['Reading group', true]]);

    // A meeting over is no invitation any more; one whose invitee is removed neither.
    t.clock.set('2026-03-24T12:00:00Z');
    expect(await titles(alice)).toEqual(['Thesis defence 2026-03-27T10:00', 'Reading group 2026-03-30T15:00', 'Reading group 2026-04-06T15:00']);
    const invitees = (await t.api('GET', `/api/v1/bookings/${defence}/invitees`, { as: bruno })).body.items as { id: string }[];
    expect((await t.api('DELETE', `/api/v1/bookings/${defence}/invitees/${invitees[0]!.id}`, { as: bruno })).status).toBe(204);
    expect(await titles(alice)).toEqual(['Reading group 2026-03-30T15:00', 'Reading group 2026-04-06T15:00']);
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('takes the answer of someone invited, signed in: for a date, or for every date of the series they are invited to', async () => {
    const meeting = await book(bruno, 'Committee', '2026-04-14T10:00', '2026-04-14T11:00');
    await invite(bruno, `bookings/${meeting}`, aliceEmail);
    const series = await t.api('POST', '/api/v1/series', {
      as: bruno,
      body: { title: 'Lab meeting', seats: 5, roomId: t.rooms[2]!.id, start: '2026-04-15T15:00', end: '2026-04-15T16:00', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(series.status, JSON.stringify(series.body)).toBe(201);
    const seriesId = series.body.series.id as string;
    await invite(bruno, `series/${seriesId}`, aliceEmail);
    const [first, second] = series.body.booked as Array<{ id: string }>;
    const answers = async () =>
      ((await t.api('GET', '/api/v1/invitations', { as: alice })).body.items as Array<{ title: string; startLocal: string; reply: string | null }>)
        .filter((i) => ['Committee', 'Lab meeting'].includes(i.title))
        .map((i) => `${i.title} ${i.startLocal.slice(5, 10)} ${i.reply}`);
    const answer = (id: string, reply: unknown, as = alice) => t.api('PUT', `/api/v1/invitations/${id}/reply`, { as, body: { reply } });

    const said = await answer(meeting, 'yes');
    expect([said.status, said.body]).toEqual([200, { reply: 'yes' }]);
    // Answered on one date of the series: the series' invitation, so every date.
    expect((await answer(second!.id, 'no')).status).toBe(200);
    expect(await answers()).toEqual(['Committee 04-14 yes', 'Lab meeting 04-15 no', 'Lab meeting 04-22 no', 'Lab meeting 04-29 no']);
    // The booker reads them on the invitee lists.
    expect(((await t.api('GET', `/api/v1/bookings/${meeting}/invitees`, { as: bruno })).body.items as Array<{ reply: string }>).map((i) => i.reply)).toEqual(['yes']);
    expect(((await t.api('GET', `/api/v1/series/${seriesId}/invitees`, { as: bruno })).body.items as Array<{ reply: string }>).map((i) => i.reply)).toEqual(['no']);
    // Invited to one date on its own as well: that date's answer is its own.
    await invite(bruno, `bookings/${first!.id}`, aliceEmail);
    expect((await answer(first!.id, 'yes')).status).toBe(200);
    expect(await answers()).toEqual(['Committee 04-14 yes', 'Lab meeting 04-15 yes', 'Lab meeting 04-22 no', 'Lab meeting 04-29 no']);

    // Not an answer; not invited (nothing said of the meeting); a meeting over or cancelled.
    expect((await answer(meeting, 'maybe')).body.code).toBe('VALIDATION_FAILED');
    expect((await answer(meeting, 'yes', carol)).body.code).toBe('BOOKING_NOT_FOUND');
    expect((await t.api('PUT', `/api/v1/invitations/${meeting}/reply`, { body: { reply: 'yes' } })).status).toBe(401);
    expect((await t.api('DELETE', `/api/v1/bookings/${meeting}`, { as: bruno })).status).toBe(200);
    expect((await answer(meeting, 'no')).body.code).toBe('BOOKING_CANCELLED');
    try {
      t.clock.set('2026-04-15T16:30:00Z');
      expect((await answer(first!.id, 'no')).body.code).toBe('BOOKING_ENDED');
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
    }
  });

  it('refuses a limit out of bounds and asks who is asking', async () => {
    for (const limit of ['0', '101', 'ten']) {
      const res = await t.api('GET', `/api/v1/invitations?limit=${limit}`, { as: alice });
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await t.api('GET', '/api/v1/invitations')).status).toBe(401);
  });
});
