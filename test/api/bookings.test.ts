import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let bob: Caller;
let manager: Caller;
let outsider: Caller;
let big: string; // a 200-seat room
let small: string; // a 50-seat room

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z' });
  const uni = await t.institution({ name: 'Università di Padova', scopes: ['unipd.it'] });
  const other = await t.institution({ name: 'Politecnico' });
  alice = await t.user('member', uni.id, 'Alice');
  bob = await t.user('member', uni.id, 'Bob');
  manager = await t.user('institution-manager', uni.id, 'Manager');
  outsider = await t.user('member', other.id, 'Olga');
  big = t.rooms.find((r) => r.capacity === 200)!.id;
  small = t.rooms.find((r) => r.capacity === 50)!.id;
});
afterAll(() => t.close());

const book = (as: Caller, body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.api('POST', '/api/v1/bookings', { as, body: { title: 'Seminar', ...body }, ...(headers && { headers }) });

describe('booking a room', () => {
  it('creates a booking and returns it with UTC and room-local times', async () => {
    const res = await book(alice, { roomId: small, start: '2026-03-23T10:00', end: '2026-03-23T11:30', seats: 30 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      roomId: small,
      timeZone: 'Europe/Rome',
      start: '2026-03-23T09:00:00.000Z',
      end: '2026-03-23T10:30:00.000Z',
      startLocal: '2026-03-23T10:00:00+01:00',
      endLocal: '2026-03-23T11:30:00+01:00',
      seats: 30,
      status: 'confirmed',
      booker: { id: alice.userId, name: 'Alice' },
    });
    expect(res.headers.get('location')).toBe(`/api/v1/bookings/${res.body.id}`);
  });

  it('keeps 10:00–11:00 Europe/Rome on the days around both daylight-saving changes', async () => {
    const days = ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26'];
    const offsets = ['+01:00', '+02:00', '+02:00', '+02:00', '+01:00', '+01:00'];
    for (const [i, day] of days.entries()) {
      t.clock.set(i < 3 ? '2026-03-20T09:00:00Z' : '2026-09-20T09:00:00Z');
      const res = await book(alice, { roomId: big, start: `${day}T10:00`, end: `${day}T11:00`, seats: 10 });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.startLocal).toBe(`${day}T10:00:00${offsets[i]}`);
      expect(res.body.endLocal).toBe(`${day}T11:00:00${offsets[i]}`);
      expect(new Date(res.body.end).getTime() - new Date(res.body.start).getTime()).toBe(3_600_000);
    }
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('defaults the seats to the room capacity', async () => {
    const res = await book(alice, { roomId: small, start: '2026-03-24T08:00:00Z', end: '2026-03-24T09:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body.seats).toBe(50);
  });

  it('picks the smallest free room that fits when only seats are given', async () => {
    const first = await book(alice, { seats: 40, start: '2026-04-01T10:00', end: '2026-04-01T11:00' });
    expect(first.status).toBe(201);
    expect(t.rooms.find((r) => r.id === first.body.roomId)!.capacity).toBe(50);
    const hundred = await book(alice, { seats: 80, start: '2026-04-01T10:00', end: '2026-04-01T11:00' });
    expect(t.rooms.find((r) => r.id === hundred.body.roomId)!.capacity).toBe(100);
    // The four 50-seat rooms fill up; the fifth small request moves up to a 100-seat room.
    const rooms = new Set([first.body.roomId]);
    for (let i = 0; i < 3; i++) rooms.add((await book(alice, { seats: 10, start: '2026-04-01T10:00', end: '2026-04-01T11:00' })).body.roomId);
    expect(rooms.size).toBe(4);
    const fifth = await book(alice, { seats: 10, start: '2026-04-01T10:00', end: '2026-04-01T11:00' });
    expect(fifth.status).toBe(201);
    expect(t.rooms.find((r) => r.id === fifth.body.roomId)!.capacity).toBe(100);
  });

  it('refuses more seats than any room holds', async () => {
    const res = await book(alice, { seats: 201, start: '2026-04-02T10:00', end: '2026-04-02T11:00' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('NO_ROOM_FITS');
  });
});

describe('first come, first served', () => {
  it('refuses an overlap by one minute with ROOM_TAKEN, the conflict and nearby free slots', async () => {
    const a = await book(alice, { roomId: small, start: '2026-03-25T10:00', end: '2026-03-25T11:00', seats: 20 });
    expect(a.status).toBe(201);
    const res = await book(bob, { roomId: small, start: '2026-03-25T10:55', end: '2026-03-25T11:55', seats: 20 });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('ROOM_TAKEN');
    expect(res.body.conflict).toMatchObject({ start: '2026-03-25T09:00:00.000Z', end: '2026-03-25T10:00:00.000Z', roomId: small });
    const same = res.body.suggestions.filter((s: { roomId: string }) => s.roomId === small);
    const others = res.body.suggestions.filter((s: { roomId: string }) => s.roomId !== small);
    expect(same.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    for (const s of res.body.suggestions) expect(new Date(s.end).getTime() - new Date(s.start).getTime()).toBe(3_600_000);
    // The nearest same-room slot respects the 15-minute turnaround after the first meeting.
    expect(same[0].start).toBe('2026-03-25T10:15:00.000Z');
    // Another room at the very same time is offered.
    expect(others[0].start).toBe('2026-03-25T09:55:00.000Z');
    // And taking a suggestion works.
    const taken = await book(bob, { roomId: same[0].roomId, start: same[0].start, end: same[0].end, seats: 20 });
    expect(taken.status).toBe(201);
  });

  it('still refuses with ROOM_TAKEN, without suggestions, when the read for suggestions fails', async () => {
    const a = await book(alice, { roomId: small, start: '2026-03-27T10:00', end: '2026-03-27T11:00', seats: 5 });
    expect(a.status).toBe(201);
    // The refusal is decided in the booking's transaction; only the read around the slot fails.
    const busy = vi.spyOn(t.portal.services.uow.repos.bookings, 'busy').mockRejectedValue(new Error('connection terminated'));
    try {
      const losers = await Promise.all([bob, alice].map((who) => book(who, { roomId: small, start: '2026-03-27T10:30', end: '2026-03-27T11:30', seats: 5 })));
      expect(busy).toHaveBeenCalled();
      for (const res of losers) {
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ code: 'ROOM_TAKEN', waitable: true, conflict: { roomId: small } });
        expect(res.body.suggestions).toBeUndefined();
      }
    } finally {
      busy.mockRestore();
    }
    const later = await book(bob, { roomId: small, start: '2026-03-27T10:30', end: '2026-03-27T11:30', seats: 5 });
    expect(later.body.suggestions.length).toBeGreaterThan(0);
  });

  it('tells a person who already holds the slot that it is their own booking, and no one else whose it is', async () => {
    const mine = await book(alice, { roomId: small, start: '2026-06-09T10:00', end: '2026-06-09T11:00', seats: 5 });
    expect(mine.status).toBe(201);
    // The same form sent twice: the second answer names the booking the person already has.
    const again = await book(alice, { roomId: small, start: '2026-06-09T10:00', end: '2026-06-09T11:00', seats: 5 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ROOM_TAKEN');
    expect(again.body.conflict).toMatchObject({ roomId: small, yours: true, bookingId: mine.body.id });
    expect(again.body.detail).toMatch(/^You already have a booking in /);
    // Someone else gets the usual answer, without whose booking it is.
    const other = await book(bob, { roomId: small, start: '2026-06-09T10:30', end: '2026-06-09T11:30', seats: 5 });
    expect(other.status).toBe(409);
    expect(other.body.conflict.yours).toBeUndefined();
    expect(other.body.conflict.bookingId).toBeUndefined();
    expect(other.body.detail).not.toMatch(/You already have/);
    // Moving another booking of one's own onto it says so too.
    const second = await book(alice, { roomId: small, start: '2026-06-09T14:00', end: '2026-06-09T15:00', seats: 5 });
    const moved = await t.api('PATCH', `/api/v1/bookings/${second.body.id}`, { as: alice, body: { start: '2026-06-09T10:30', end: '2026-06-09T11:30' } });
    expect(moved.status).toBe(409);
    expect(moved.body.conflict).toMatchObject({ yours: true, bookingId: mine.body.id });
  });

  it('keeps the turnaround free before a meeting too', async () => {
    await book(alice, { roomId: small, start: '2026-03-26T10:00', end: '2026-03-26T11:00', seats: 5 });
    const before = await book(bob, { roomId: small, start: '2026-03-26T09:00', end: '2026-03-26T09:50', seats: 5 });
    expect(before.body.code).toBe('ROOM_TAKEN');
    const ok = await book(bob, { roomId: small, start: '2026-03-26T09:00', end: '2026-03-26T09:45', seats: 5 });
    expect(ok.status).toBe(201);
  });

  it('refuses a booking that would take the licence pool over its seats, with SEAT_POOL_FULL', async () => {
    // 500 seats: 200 + 200 + 100 fill the pool at 14:00–15:00 on 2026-03-27.
    const rooms200 = t.rooms.filter((r) => r.capacity === 200);
    const room100 = t.rooms.find((r) => r.capacity === 100)!;
    for (const r of [...rooms200, room100]) {
      expect((await book(alice, { roomId: r.id, start: '2026-03-27T14:00', end: '2026-03-27T15:00' })).status).toBe(201);
    }
    const res = await book(bob, { roomId: small, start: '2026-03-27T14:30', end: '2026-03-27T15:30', seats: 1 });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SEAT_POOL_FULL');
    expect(res.body.conflict).toMatchObject({ start: '2026-03-27T13:30:00.000Z', end: '2026-03-27T14:00:00.000Z', seatsLeft: 0 });
    // The nearest free slot starts once the pool frees up at 15:00 local.
    expect(res.body.suggestions[0]).toMatchObject({ roomId: small, start: '2026-03-27T14:00:00.000Z' });
    // A cancelled booking frees its seats at once.
    const list = await t.api('GET', `/api/v1/bookings?from=2026-03-27T13:00:00Z&to=2026-03-27T14:00:00Z&roomId=${room100.id}`, { as: alice });
    expect((await t.api('DELETE', `/api/v1/bookings/${list.body.items[0].id}`, { as: alice })).status).toBe(200);
    expect((await book(bob, { roomId: small, start: '2026-03-27T14:30', end: '2026-03-27T15:30', seats: 50 })).status).toBe(201);
  });
});

describe('moving, resizing and cancelling', () => {
  it('moves a booking to another room and time, and refuses a move onto someone else', async () => {
    const a = await book(alice, { roomId: small, start: '2026-04-06T10:00', end: '2026-04-06T11:00', seats: 10 });
    const b = await book(bob, { roomId: big, start: '2026-04-06T12:00', end: '2026-04-06T13:00', seats: 10 });
    const moved = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { roomId: big, start: '2026-04-06T14:00', end: '2026-04-06T15:00' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ roomId: big, startLocal: '2026-04-06T14:00:00+02:00' });
    const clash = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { start: '2026-04-06T12:30', end: '2026-04-06T13:30' } });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('ROOM_TAKEN');
    expect(clash.body.conflict.start).toBe(b.body.start);
    const unchanged = await t.api('GET', `/api/v1/bookings/${a.body.id}`, { as: alice });
    expect(unchanged.body.startLocal).toBe('2026-04-06T14:00:00+02:00');
  });

  it('resizes a booking without conflicting with itself', async () => {
    const a = await book(alice, { roomId: small, start: '2026-04-07T10:00', end: '2026-04-07T11:00', seats: 10 });
    const longer = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { end: '2026-04-07T12:30' } });
    expect(longer.status).toBe(200);
    expect(longer.body.endLocal).toBe('2026-04-07T12:30:00+02:00');
    const tooLong = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { end: '2026-04-07T23:00' } });
    expect(tooLong.body.code).toBe('DURATION_TOO_LONG');
  });

  it('frees a cancelled slot at once and keeps cancelling idempotent', async () => {
    const a = await book(alice, { roomId: small, start: '2026-04-08T10:00', end: '2026-04-08T11:00', seats: 10 });
    expect((await book(bob, { roomId: small, start: '2026-04-08T10:00', end: '2026-04-08T11:00', seats: 10 })).status).toBe(409);
    const c1 = await t.api('DELETE', `/api/v1/bookings/${a.body.id}`, { as: alice });
    expect(c1.status).toBe(200);
    expect(c1.body.status).toBe('cancelled');
    expect((await t.api('DELETE', `/api/v1/bookings/${a.body.id}`, { as: alice })).body.status).toBe('cancelled');
    expect((await book(bob, { roomId: small, start: '2026-04-08T10:00', end: '2026-04-08T11:00', seats: 10 })).status).toBe(201);
    const edit = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { title: 'Back' } });
    expect(edit.body.code).toBe('BOOKING_CANCELLED');
  });

  it('lets a meeting under way be extended but not moved into the past', async () => {
    const a = await book(alice, { roomId: small, start: '2026-04-09T10:00', end: '2026-04-09T11:00', seats: 10 });
    t.clock.set('2026-04-09T08:30:00Z'); // 10:30 in Rome
    const extend = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { end: '2026-04-09T11:30' } });
    expect(extend.status).toBe(200);
    const back = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: alice, body: { start: '2026-04-09T09:00' } });
    expect(back.body.code).toBe('START_IN_PAST');
    t.clock.set('2026-04-09T10:00:00Z'); // after the end
    const late = await t.api('DELETE', `/api/v1/bookings/${a.body.id}`, { as: alice });
    expect(late.body.code).toBe('BOOKING_ENDED');
    t.clock.set('2026-03-20T09:00:00Z');
  });
});

describe('rules', () => {
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['a start in the past', { start: '2026-03-19T10:00', end: '2026-03-19T11:00' }, 422, 'START_IN_PAST'],
    ['less than 15 minutes', { start: '2026-03-30T10:00', end: '2026-03-30T10:10' }, 422, 'DURATION_TOO_SHORT'],
    ['more than 12 hours', { start: '2026-03-30T08:00', end: '2026-03-30T20:05' }, 422, 'DURATION_TOO_LONG'],
    ['more than 180 days ahead', { start: '2026-09-17T10:00', end: '2026-09-17T11:00' }, 422, 'TOO_FAR_AHEAD'],
    ['the end before the start', { start: '2026-03-30T11:00', end: '2026-03-30T10:00' }, 422, 'END_BEFORE_START'],
    ['times off the 5-minute grid', { start: '2026-03-30T10:03', end: '2026-03-30T11:00' }, 422, 'NOT_ON_GRID'],
    ['a local time skipped by daylight saving', { start: '2026-03-29T02:30', end: '2026-03-29T03:30' }, 422, 'NONEXISTENT_LOCAL_TIME'],
    ['more seats than the room holds', { seats: 51, start: '2026-03-30T10:00', end: '2026-03-30T11:00' }, 422, 'SEATS_OVER_CAPACITY'],
    ['a time that is not a date-time', { start: 'tomorrow', end: '2026-03-30T11:00' }, 400, 'INVALID_TIME'],
  ];
  it.each(cases)('refuses %s', async (_what, body, status, code) => {
    const res = await book(alice, { roomId: small, ...body });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.detail).toMatch(/\w+ .+/);
  });

  it('refuses members whose institution has no active subscription, and says why', async () => {
    const expired = await t.institution({ name: 'Expired University', subscriptionStart: '2025-01-01', subscriptionEnd: '2026-01-31' });
    const carl = await t.user('member', expired.id);
    const res = await book(carl, { roomId: small, start: '2026-03-30T10:00', end: '2026-03-30T11:00' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('NOT_ALLOWED_TO_BOOK');
    expect(res.body.detail).toContain('Expired University');
    const me = await t.api('GET', '/api/v1/me', { as: carl });
    expect(me.body).toMatchObject({ canBook: false });
    expect(me.body.cannotBookReason).toContain('ended on 2026-01-31');
    const nobody = await t.user('member', null);
    expect((await book(nobody, { roomId: small, start: '2026-03-30T10:00', end: '2026-03-30T11:00' })).body.code).toBe('NOT_ALLOWED_TO_BOOK');
  });

  it('refuses a meeting after the subscription ends', async () => {
    const ending = await t.institution({ name: 'Ending University', subscriptionEnd: '2026-04-30' });
    const dan = await t.user('member', ending.id);
    expect((await book(dan, { roomId: small, start: '2026-05-04T10:00', end: '2026-05-04T11:00' })).body.code).toBe('OUTSIDE_SUBSCRIPTION');
    expect((await book(dan, { roomId: small, start: '2026-04-30T10:00', end: '2026-04-30T11:00' })).status).toBe(201);
  });

  it('holds the monthly quota of booked hours, counting moves but not cancelled bookings', async () => {
    const quota = await t.institution({ name: 'Quota University', monthlyQuotaHours: 3 });
    const eve = await t.user('member', quota.id);
    const a = await book(eve, { roomId: small, start: '2026-05-11T09:00', end: '2026-05-11T11:00', seats: 5 });
    expect(a.status).toBe(201);
    const over = await book(eve, { roomId: small, start: '2026-05-12T09:00', end: '2026-05-12T10:30', seats: 5 });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('QUOTA_EXCEEDED');
    expect(over.body.conflict).toMatchObject({ start: '2026-04-30T22:00:00.000Z', end: '2026-05-31T22:00:00.000Z', hoursLeft: 1 });
    expect((await book(eve, { roomId: small, start: '2026-05-12T09:00', end: '2026-05-12T10:00', seats: 5 })).status).toBe(201);
    // Another month has its own quota.
    expect((await book(eve, { roomId: small, start: '2026-06-12T09:00', end: '2026-06-12T11:00', seats: 5 })).status).toBe(201);
    // Lengthening beyond the quota is refused; cancelling gives the hours back.
    const longer = await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: eve, body: { end: '2026-05-11T11:30' } });
    expect(longer.body.code).toBe('QUOTA_EXCEEDED');
    await t.api('DELETE', `/api/v1/bookings/${a.body.id}`, { as: eve });
    expect((await book(eve, { roomId: small, start: '2026-05-13T09:00', end: '2026-05-13T11:00', seats: 5 })).status).toBe(201);
  });

  it('refuses an inactive room', async () => {
    const room = await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name: 'Closed room', capacity: 10, active: false } });
    const res = await book(alice, { roomId: room.body.id, start: '2026-03-30T10:00', end: '2026-03-30T11:00' });
    expect(res.body.code).toBe('ROOM_INACTIVE');
  });
});

describe('who sees and changes what', () => {
  let aliceBooking: string;
  beforeAll(async () => {
    aliceBooking = (await book(alice, { roomId: small, start: '2026-04-14T10:00', end: '2026-04-14T11:00', seats: 5 })).body.id;
  });

  it('hides another member’s booking behind 404 for reading, changing and cancelling', async () => {
    expect((await t.api('GET', `/api/v1/bookings/${aliceBooking}`, { as: bob })).status).toBe(404);
    expect((await t.api('PATCH', `/api/v1/bookings/${aliceBooking}`, { as: bob, body: { title: 'Mine now' } })).status).toBe(404);
    expect((await t.api('DELETE', `/api/v1/bookings/${aliceBooking}`, { as: bob })).status).toBe(404);
    const still = await t.api('GET', `/api/v1/bookings/${aliceBooking}`, { as: alice });
    expect(still.body).toMatchObject({ title: 'Seminar', status: 'confirmed' });
  });

  it('lists only a member’s own bookings', async () => {
    const res = await t.api('GET', '/api/v1/bookings?limit=500', { as: bob });
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((b: { booker: { id: string } }) => b.booker.id === bob.userId)).toBe(true);
  });

  it('lets an institution manager see and change the institution’s bookings, not others’', async () => {
    expect((await t.api('GET', `/api/v1/bookings/${aliceBooking}`, { as: manager })).status).toBe(200);
    expect((await t.api('PATCH', `/api/v1/bookings/${aliceBooking}`, { as: manager, body: { title: 'Renamed by manager' } })).body.title).toBe(
      'Renamed by manager',
    );
    const olga = (await book(outsider, { roomId: small, start: '2026-04-15T10:00', end: '2026-04-15T11:00' })).body.id;
    expect((await t.api('GET', `/api/v1/bookings/${olga}`, { as: manager })).status).toBe(404);
    expect((await t.api('GET', `/api/v1/bookings/${olga}`, { as: t.admin })).status).toBe(200);
  });

  it('shows others’ bookings in availability as busy without details', async () => {
    const res = await t.api('GET', '/api/v1/availability?from=2026-04-14T00:00:00Z&to=2026-04-15T00:00:00Z', { as: bob });
    expect(res.status).toBe(200);
    const busy = res.body.rooms.find((r: { roomId: string }) => r.roomId === small).busy;
    expect(busy).toHaveLength(1);
    expect(busy[0]).toMatchObject({ bookingId: null, title: null, booker: null, start: '2026-04-14T08:00:00.000Z', blockedUntil: '2026-04-14T09:15:00.000Z' });
    const mine = await t.api('GET', '/api/v1/availability?from=2026-04-14T00:00:00Z&to=2026-04-15T00:00:00Z', { as: alice });
    // One's own, and those one manages, with their booker: the calendar reads nothing else for them.
    const booker = (await t.api('GET', `/api/v1/bookings/${aliceBooking}`, { as: alice })).body.booker;
    expect(mine.body.rooms.find((r: { roomId: string }) => r.roomId === small).busy[0]).toMatchObject({ bookingId: aliceBooking, booker });
    const managed = await t.api('GET', '/api/v1/availability?from=2026-04-14T00:00:00Z&to=2026-04-15T00:00:00Z', { as: manager });
    expect(managed.body.rooms.find((r: { roomId: string }) => r.roomId === small).busy[0]).toMatchObject({ bookingId: aliceBooking, booker });
    expect(mine.body.pool).toEqual([
      { start: '2026-04-14T00:00:00.000Z', end: '2026-04-14T08:00:00.000Z', seatsUsed: 0, seatsLeft: 500 },
      { start: '2026-04-14T08:00:00.000Z', end: '2026-04-14T09:00:00.000Z', seatsUsed: 5, seatsLeft: 495 },
      { start: '2026-04-14T09:00:00.000Z', end: '2026-04-15T00:00:00.000Z', seatsUsed: 0, seatsLeft: 500 },
    ]);
  });

  it('keeps members out of admin actions', async () => {
    expect((await t.api('POST', '/api/v1/rooms', { as: alice, body: { name: 'Mine', capacity: 5 } })).status).toBe(403);
    expect((await t.api('PATCH', `/api/v1/rooms/${small}`, { as: manager, body: { capacity: 500 } })).status).toBe(403);
    expect((await t.api('GET', '/api/v1/audit', { as: alice })).status).toBe(403);
    expect((await t.api('GET', '/api/v1/users', { as: alice })).status).toBe(403);
    expect((await t.api('POST', '/api/v1/institutions', { as: manager, body: { name: 'X' } })).status).toBe(403);
  });
});

describe('listing', () => {
  it('pages through bookings with a cursor, in time order, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: { id: string; start: string }[]; nextCursor: string | null } } = await t.api(
        'GET',
        `/api/v1/bookings?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { as: alice },
      );
      seen.push(...res.body.items.map((b) => b.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    const all = await t.api('GET', '/api/v1/bookings?limit=500', { as: alice });
    expect(seen).toEqual(all.body.items.map((b: { id: string }) => b.id));
    expect(pages).toBeGreaterThan(2);
    const starts = all.body.items.map((b: { start: string }) => b.start);
    expect([...starts].sort()).toEqual(starts);
  });

  it('pages the latest first with order=desc, the cursor going back in time, without repeats or gaps', async () => {
    const all = (await t.api('GET', '/api/v1/bookings?limit=500', { as: alice })).body.items.map((b: { id: string }) => b.id) as string[];
    expect(all.length).toBeGreaterThan(6);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t.api(
        'GET',
        `/api/v1/bookings?order=desc&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { as: alice },
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((b) => b.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    // Was the earliest first only: the Past tab showed the 50 oldest meetings, last week's behind "Show more".
    expect(seen).toEqual([...all].reverse());
    // With a bound: the latest before it first.
    const before = await t.api('GET', '/api/v1/bookings?order=desc&to=2026-04-08T00:00:00Z&limit=2', { as: t.admin });
    const starts = before.body.items.map((b: { start: string }) => b.start);
    expect(starts.length).toBe(2);
    expect(starts[0] >= starts[1]).toBe(true);
    const latest = (await t.api('GET', '/api/v1/bookings?to=2026-04-08T00:00:00Z&limit=500', { as: t.admin })).body.items.map((b: { start: string }) => b.start).sort().reverse();
    expect(starts[0]).toBe(latest[0]);
    expect((await t.api('GET', '/api/v1/bookings?order=newest', { as: alice })).status).toBe(400);
  });

  it('finds bookings by the words of their title, in any order and case, typed characters taken as text', async () => {
    const titles = ['Consiglio di corso, marzo', 'Consiglio di dipartimento', 'Sconto 50% lab_2', 'Sconto 500 labX2'];
    for (const [i, title] of titles.entries()) {
      expect((await book(alice, { title, roomId: small, start: `2026-05-0${i + 4}T10:00`, end: `2026-05-0${i + 4}T11:00`, seats: 3 })).status).toBe(201);
    }
    expect((await book(bob, { title: 'Consiglio di Bob', roomId: small, start: '2026-05-08T10:00', end: '2026-05-08T11:00', seats: 3 })).status).toBe(201);
    const find = async (as: Caller, q: string, extra = '') =>
      ((await t.api('GET', `/api/v1/bookings?limit=500&q=${encodeURIComponent(q)}${extra}`, { as })).body.items as Array<{ title: string }>).map((b) => b.title);
    expect(await find(alice, 'consiglio')).toEqual(['Consiglio di corso, marzo', 'Consiglio di dipartimento']);
    expect(await find(alice, 'MARZO consiglio')).toEqual(['Consiglio di corso, marzo']);
    // "%" and "_" are the characters themselves, not LIKE's wildcards.
    expect(await find(alice, '50%')).toEqual(['Sconto 50% lab_2']);
    expect(await find(alice, 'lab_2')).toEqual(['Sconto 50% lab_2']);
    // Only among what the caller may see: Bob's meeting is not Alice's to find; the manager finds all three.
    expect(await find(bob, 'consiglio')).toEqual(['Consiglio di Bob']);
    expect(await find(manager, 'consiglio', `&userId=${alice.userId}`)).toEqual(['Consiglio di corso, marzo', 'Consiglio di dipartimento']);
    expect(await find(alice, 'consiglio', '&order=desc')).toEqual(['Consiglio di dipartimento', 'Consiglio di corso, marzo']);
    expect((await t.api('GET', `/api/v1/bookings?q=${'x'.repeat(201)}`, { as: alice })).status).toBe(400);
  });

  it('filters by time range', async () => {
    const res = await t.api('GET', '/api/v1/bookings?from=2026-04-06T00:00:00Z&to=2026-04-08T00:00:00Z', { as: t.admin });
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const b of res.body.items) {
      expect(b.end > '2026-04-06T00:00:00.000Z' && b.start < '2026-04-08T00:00:00.000Z').toBe(true);
    }
  });
});

describe('Idempotency-Key', () => {
  it('returns the first answer to a retry and creates nothing new', async () => {
    const body = { roomId: small, start: '2026-04-20T10:00', end: '2026-04-20T11:00', seats: 5 };
    const first = await book(alice, body, { 'idempotency-key': 'retry-1' });
    const again = await book(alice, body, { 'idempotency-key': 'retry-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const count = await sql<{ n: string }>`SELECT count(*) AS n FROM bookings WHERE title = 'Seminar' AND lower(during) = '2026-04-20T08:00:00Z'`.execute(
      t.db.database.db,
    );
    expect(Number(count.rows[0]!.n)).toBe(1);
  });

  it('does not keep a refusal: a retry with the key tries again; the key of a stored answer refuses a different request', async () => {
    const clash = { roomId: small, start: '2026-04-20T10:30', end: '2026-04-20T11:30', seats: 5 };
    const r1 = await book(bob, clash, { 'idempotency-key': 'retry-2' });
    const r2 = await book(bob, clash, { 'idempotency-key': 'retry-2' });
    expect(r1.status).toBe(409);
    expect(r2.status).toBe(409);
    expect(r2.body.code).toBe(r1.body.code);
    expect(r2.headers.get('idempotent-replayed')).toBeNull();
    // Once the slot is free the same retry books it.
    const later = await book(bob, { ...clash, start: '2026-04-20T12:00', end: '2026-04-20T13:00' }, { 'idempotency-key': 'retry-3' });
    expect(later.status).toBe(201);
    const other = await book(bob, { ...clash, title: 'Other', start: '2026-04-20T12:00', end: '2026-04-20T13:00' }, { 'idempotency-key': 'retry-3' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('creates exactly one booking when the same key arrives ten times at once, and answers every one with it', async () => {
    const body = { roomId: big, start: '2026-04-21T10:00', end: '2026-04-21T11:00', seats: 5 };
    const answers = await Promise.all(Array.from({ length: 10 }, () => book(alice, body, { 'idempotency-key': 'burst-1' })));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const count = await sql<{ n: string }>`SELECT count(*) AS n FROM bookings WHERE room_id = ${big} AND lower(during) = '2026-04-21T08:00:00Z'`.execute(
      t.db.database.db,
    );
    expect(Number(count.rows[0]!.n)).toBe(1);
  });
});

describe('audit', () => {
  it('records who changed a booking, with before and after', async () => {
    const a = await book(alice, { roomId: small, start: '2026-04-22T10:00', end: '2026-04-22T11:00', seats: 5 });
    await t.api('PATCH', `/api/v1/bookings/${a.body.id}`, { as: manager, body: { start: '2026-04-22T12:00', end: '2026-04-22T13:00' } });
    await t.api('DELETE', `/api/v1/bookings/${a.body.id}`, { as: alice });
    const log = await t.api('GET', `/api/v1/audit?entity=booking&entityId=${a.body.id}`, { as: t.admin });
    expect(log.status).toBe(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['booking.cancelled', 'booking.updated', 'booking.created']);
    const moved = log.body.items[1];
    expect(moved.actor).toEqual({ id: manager.userId, name: 'Manager' });
    expect(moved.before).toMatchObject({ start: '2026-04-22T08:00:00.000Z', status: 'confirmed' });
    expect(moved.after).toMatchObject({ start: '2026-04-22T10:00:00.000Z' });
    expect(log.body.items[0].after.status).toBe('cancelled');
  });
});
