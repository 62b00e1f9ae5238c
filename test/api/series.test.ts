// Recurring bookings through the real API and database: rules in the room's zone, both creation
// modes, the same rules as single bookings, and changes to one, following or all occurrences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let bob: Caller;
let olga: Caller;
let rooms: string[];

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { MAX_DAYS_AHEAD: '365' } });
  const uni = await t.institution({ name: 'Università di Padova' });
  const other = await t.institution({ name: 'Politecnico' });
  alice = await t.user('member', uni.id, 'Alice');
  bob = await t.user('member', uni.id, 'Bob');
  olga = await t.user('member', other.id, 'Olga');
  rooms = t.rooms.filter((r) => r.capacity === 50).map((r) => r.id);
});
afterAll(() => t.close());

const series = (as: Caller, body: Record<string, unknown>) => t.api('POST', '/api/v1/series', { as, body: { title: 'Lecture', seats: 10, ...body } });
const book = (as: Caller, body: Record<string, unknown>) => t.api('POST', '/api/v1/bookings', { as, body: { title: 'Single', seats: 10, ...body } });
const localTimes = (items: { startLocal: string }[]) => items.map((o) => o.startLocal);
const rowsTitled = async (title: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM bookings WHERE title = ${title}`.execute(t.db.database.db)).rows[0]!.n);

describe('creating a series', () => {
  it('keeps a weekly 10:00 Europe/Rome at 10:00 across both daylight-saving changes', async () => {
    const res = await series(alice, { title: 'Weekly across DST', roomId: rooms[0], start: '2026-03-23T10:00', end: '2026-03-23T11:00', rrule: 'FREQ=WEEKLY;COUNT=33' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const booked = res.body.booked as { startLocal: string; endLocal: string; start: string; end: string; seriesId: string }[];
    expect(booked).toHaveLength(33);
    for (const o of booked) {
      expect(o.startLocal).toMatch(/T10:00:00\+0[12]:00$/);
      expect(o.endLocal).toMatch(/T11:00:00\+0[12]:00$/);
      expect(o.seriesId).toBe(res.body.series.id);
    }
    // The offsets show both changes: +01:00 before 29 March, +02:00 in summer, +01:00 after 25 October.
    expect(booked[0]!.startLocal).toBe('2026-03-23T10:00:00+01:00');
    expect(booked[1]!.startLocal).toBe('2026-03-30T10:00:00+02:00');
    expect(booked[30]!.startLocal).toBe('2026-10-19T10:00:00+02:00');
    expect(booked[31]!.startLocal).toBe('2026-10-26T10:00:00+01:00');
    expect(booked[1]!.start).toBe('2026-03-30T08:00:00.000Z');
    expect(booked[31]!.start).toBe('2026-10-26T09:00:00.000Z');
    expect(res.body.series).toMatchObject({ rrule: 'FREQ=WEEKLY;COUNT=33', timeZone: 'Europe/Rome', durationMinutes: 60, firstStartLocal: '2026-03-23T10:00:00+01:00', exdates: [] });
    expect(res.headers.get('location')).toBe(`/api/v1/series/${res.body.series.id}`);
  });

  it('books the last Friday of each month', async () => {
    const res = await series(alice, { roomId: rooms[1], start: '2026-04-01T15:00', end: '2026-04-01T16:00', rrule: 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=3' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(localTimes(res.body.booked)).toEqual(['2026-04-24T15:00:00+02:00', '2026-05-29T15:00:00+02:00', '2026-06-26T15:00:00+02:00']);
  });

  it('names the series of each occurrence in availability to whom may manage it, so the calendar asks before moving one', async () => {
    const res = await series(alice, { title: 'Series in the calendar', roomId: rooms[1], start: '2026-06-01T15:00', end: '2026-06-01T16:00', rrule: 'FREQ=DAILY;COUNT=2' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const single = await book(alice, { title: 'Single in the calendar', roomId: rooms[1], start: '2026-06-01T17:00', end: '2026-06-01T18:00' });
    expect(single.status, JSON.stringify(single.body)).toBe(201);
    const week = async (as: Caller) => {
      const got = await t.api('GET', '/api/v1/availability?from=2026-06-01T00:00:00Z&to=2026-06-03T00:00:00Z', { as });
      expect(got.status).toBe(200);
      return (got.body.rooms.find((r: { roomId: string }) => r.roomId === rooms[1]).busy as { bookingId: string | null; seriesId: string | null }[]).map((b) => [b.bookingId, b.seriesId]);
    };
    const [first, second] = res.body.booked as { id: string }[];
    expect(await week(alice)).toEqual([
      [first!.id, res.body.series.id],
      [single.body.id, null],
      [second!.id, res.body.series.id],
    ]);
    // Someone who may not manage them sees three busy slots and nothing of the series.
    expect(await week(olga)).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it('any room: the smallest that is free at every date, else the one free at the most dates', async () => {
    const [hundredA, hundredB] = t.rooms.filter((r) => r.capacity === 100).map((r) => r.id);
    const bigRooms = t.rooms.filter((r) => r.capacity === 200).map((r) => r.id);
    const take = async (roomId: string, day: string) => expect((await book(bob, { roomId, start: `${day}T11:00`, end: `${day}T12:00` })).status).toBe(201);
    const anyRoom = { title: 'Any room', seats: 80, start: '2026-07-02T11:00', end: '2026-07-02T12:00', rrule: 'FREQ=WEEKLY;COUNT=3' };
    // Both rooms of 100 are taken on one of the dates: the series goes to a room of 200, all of it.
    await take(hundredA!, '2026-07-09');
    await take(hundredB!, '2026-07-16');
    const preview = await t.api('POST', '/api/v1/series/preview', { as: alice, body: anyRoom });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(bigRooms).toContain(preview.body.room.id);
    expect(preview.body.occurrences.map((o: { free: boolean }) => o.free)).toEqual([true, true, true]);
    const created = await series(alice, anyRoom);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.series.roomId).toBe(preview.body.room.id);
    expect(created.body.booked.map((o: { roomId: string }) => o.roomId)).toEqual([preview.body.room.id, preview.body.room.id, preview.body.room.id]);

    // No room is free at every date: the one with the fewest taken (B, one; A has two; the rooms of
    // 200 one each but are larger) is checked, refused as a whole, or booked where free.
    const later = { ...anyRoom, title: 'Any room, some taken', start: '2026-08-06T11:00', end: '2026-08-06T12:00' };
    await take(hundredA!, '2026-08-06');
    await take(hundredA!, '2026-08-13');
    await take(hundredB!, '2026-08-13');
    for (const big of bigRooms) await take(big, '2026-08-20');
    const checked = await t.api('POST', '/api/v1/series/preview', { as: alice, body: later });
    expect(checked.body.room.id).toBe(hundredB);
    expect(checked.body.occurrences.map((o: { free: boolean }) => o.free)).toEqual([true, false, true]);
    const refused = await series(alice, later);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('SERIES_CONFLICTS');
    expect(refused.body.conflicts.map((c: { startLocal: string }) => c.startLocal)).toEqual(['2026-08-13T11:00:00+02:00']);
    expect(await rowsTitled(later.title)).toBe(0);
    const someFree = await series(alice, { ...later, mode: 'book-free' });
    expect(someFree.status, JSON.stringify(someFree.body)).toBe(201);
    expect(someFree.body.series.roomId).toBe(hundredB);
    expect(localTimes(someFree.body.booked)).toEqual(['2026-08-06T11:00:00+02:00', '2026-08-20T11:00:00+02:00']);

    // Seats are needed to choose: without a room nor seats, a clear 400 on the field.
    const neither = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Neither', start: '2026-09-03T11:00', end: '2026-09-03T12:00', rrule: 'FREQ=WEEKLY;COUNT=2' } });
    expect(neither.status).toBe(400);
    expect(neither.body.code).toBe('VALIDATION_FAILED');
  });

  it('starts the series (its DTSTART) on the rule’s first date when the start given is not one of them', async () => {
    // A Wednesday start for Mondays: RFC 5545 would count the Wednesday as one more meeting.
    const res = await series(alice, { title: 'Mondays from a Wednesday', roomId: rooms[3], start: '2026-04-01T17:00', end: '2026-04-01T18:00', rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(localTimes(res.body.booked)).toEqual(['2026-04-06T17:00:00+02:00', '2026-04-13T17:00:00+02:00', '2026-04-20T17:00:00+02:00']);
    expect(res.body.series.firstStartLocal).toBe('2026-04-06T17:00:00+02:00');
  });

  it('all or nothing: three taken dates → 409 listing each with its nearest free alternative, and nothing booked', async () => {
    const room = rooms[2]!;
    for (const day of ['2026-04-13', '2026-04-27', '2026-05-11']) {
      expect((await book(bob, { roomId: room, start: `${day}T09:30`, end: `${day}T10:30` })).status).toBe(201);
    }
    const res = await series(alice, { title: 'All or nothing', roomId: room, start: '2026-04-06T10:00', end: '2026-04-06T11:00', rrule: 'FREQ=WEEKLY;COUNT=8', mode: 'all-or-nothing' });
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.code).toBe('SERIES_CONFLICTS');
    expect(res.body.detail).toContain('3 of the 8 dates');
    const conflicts = res.body.conflicts as { startLocal: string; code: string; alternative: { start: string; end: string; roomId: string } | null }[];
    expect(localTimes(conflicts)).toEqual(['2026-04-13T10:00:00+02:00', '2026-04-27T10:00:00+02:00', '2026-05-11T10:00:00+02:00']);
    for (const c of conflicts) {
      expect(c.code).toBe('ROOM_TAKEN');
      expect(c.alternative).not.toBeNull();
      // The alternative really is free: booking it succeeds.
      const alt = await book(bob, { title: 'Alternative check', roomId: c.alternative!.roomId, start: c.alternative!.start, end: c.alternative!.end });
      expect(alt.status, JSON.stringify(alt.body)).toBe(201);
      expect((await t.api('DELETE', `/api/v1/bookings/${alt.body.id}`, { as: bob })).status).toBe(200);
    }
    expect(await rowsTitled('All or nothing')).toBe(0);
    // Asked in Italian: the same dates, codes and alternatives, each reason in Italian.
    const italian = await t.api('POST', '/api/v1/series', {
      as: alice,
      headers: { 'accept-language': 'it' },
      body: { title: 'All or nothing', seats: 10, roomId: room, start: '2026-04-06T10:00', end: '2026-04-06T11:00', rrule: 'FREQ=WEEKLY;COUNT=8', mode: 'all-or-nothing' },
    });
    expect(italian.body).toMatchObject({ status: 409, code: 'SERIES_CONFLICTS', lang: 'it' });
    expect(italian.body.detail).toContain('3 delle 8 date');
    const withoutReason = (list: { reason: string }[]) => list.map(({ reason: _reason, ...rest }) => rest);
    expect(withoutReason(italian.body.conflicts)).toEqual(withoutReason(res.body.conflicts));
    for (const c of italian.body.conflicts as { reason: string }[]) expect(c.reason).toMatch(/già prenotata in quell’orario/);
    for (const c of res.body.conflicts as { reason: string }[]) expect(c.reason).toMatch(/already booked at that time/);
    const left = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM booking_series WHERE title = 'All or nothing'`.execute(t.db.database.db)).rows[0]!.n);
    expect(left).toBe(0);
  });

  it('book the free ones: the same request books 5 and lists the 3 skipped dates and why; they become EXDATEs', async () => {
    const res = await series(alice, { title: 'Free ones', roomId: rooms[2], start: '2026-04-06T10:00', end: '2026-04-06T11:00', rrule: 'FREQ=WEEKLY;COUNT=8', mode: 'book-free' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.booked).toHaveLength(5);
    expect(localTimes(res.body.skipped)).toEqual(['2026-04-13T10:00:00+02:00', '2026-04-27T10:00:00+02:00', '2026-05-11T10:00:00+02:00']);
    expect(res.body.skipped.map((s: { code: string }) => s.code)).toEqual(['ROOM_TAKEN', 'ROOM_TAKEN', 'ROOM_TAKEN']);
    expect(res.body.skipped[0].reason).toMatch(/already booked/);
    // A preview of the same dates asked in Italian gives each refusal's reason in Italian.
    const preview = await t.api('POST', '/api/v1/series/preview', {
      as: alice,
      headers: { 'accept-language': 'it' },
      body: { title: 'Free ones', seats: 10, roomId: rooms[2], start: '2026-04-13T10:00', end: '2026-04-13T11:00', rrule: 'FREQ=WEEKLY;COUNT=1' },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.occurrences[0]).toMatchObject({ free: false, refusal: { code: 'ROOM_TAKEN', reason: expect.stringMatching(/già prenotata/) } });
    expect(res.body.series.exdates).toEqual(['2026-04-13T08:00:00.000Z', '2026-04-27T08:00:00.000Z', '2026-05-11T08:00:00.000Z']);
    expect(await rowsTitled('Free ones')).toBe(5);
  });

  it('previews the dates and conflicts without booking anything', async () => {
    const res = await t.api('POST', '/api/v1/series/preview', {
      as: alice,
      body: { title: 'Preview', seats: 10, roomId: rooms[2], start: '2026-04-06T10:00', end: '2026-04-06T11:00', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.occurrences.map((o: { free: boolean }) => o.free)).toEqual([false, false, false]); // "Free ones" holds them now
    const other = await t.api('POST', '/api/v1/series/preview', {
      as: alice,
      body: { title: 'Preview', seats: 10, roomId: rooms[3], start: '2026-04-06T10:00', end: '2026-04-06T11:00', rrule: 'FREQ=WEEKLY;COUNT=3' },
    });
    expect(other.body.occurrences.map((o: { free: boolean; startLocal: string }) => [o.startLocal, o.free])).toEqual([
      ['2026-04-06T10:00:00+02:00', true],
      ['2026-04-13T10:00:00+02:00', true],
      ['2026-04-20T10:00:00+02:00', true],
    ]);
    expect(await rowsTitled('Preview')).toBe(0);
  });

  it('applies the institution quota to every occurrence, like single bookings', async () => {
    const uni = await t.institution({ name: 'Small quota', monthlyQuotaHours: 3 });
    const carla = await t.user('member', uni.id, 'Carla');
    const res = await series(carla, { title: 'Quota', roomId: rooms[3], start: '2026-06-01T14:00', end: '2026-06-01T15:00', rrule: 'FREQ=WEEKLY;COUNT=5', mode: 'book-free' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.booked).toHaveLength(3);
    expect(res.body.skipped.map((s: { code: string }) => s.code)).toEqual(['QUOTA_EXCEEDED', 'QUOTA_EXCEEDED']);
  });

  it('applies the licence seat pool to every occurrence', async () => {
    const small = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { SEAT_POOL: '60' } });
    try {
      const u = await small.user('member', (await small.institution()).id);
      const [r1, r2] = small.rooms.filter((r) => r.capacity >= 50);
      expect((await small.api('POST', '/api/v1/bookings', { as: u, body: { title: 'Big', roomId: r1!.id, seats: 50, start: '2026-04-15T10:00', end: '2026-04-15T11:00' } })).status).toBe(201);
      const res = await small.api('POST', '/api/v1/series', {
        as: u,
        body: { title: 'Pool', roomId: r2!.id, seats: 20, start: '2026-04-08T10:00', end: '2026-04-08T11:00', rrule: 'FREQ=WEEKLY;COUNT=3', mode: 'all-or-nothing' },
      });
      expect(res.status).toBe(409);
      expect(res.body.conflicts.map((c: { code: string; startLocal: string }) => [c.startLocal, c.code])).toEqual([['2026-04-15T10:00:00+02:00', 'SEAT_POOL_FULL']]);
    } finally {
      await small.close();
    }
  });

  it.each([
    ['FREQ=WEEKLY;BYDAY=XX;COUNT=3', 400, 'RRULE_INVALID'],
    ['FREQ=DAILY;COUNT=201', 422, 'TOO_MANY_OCCURRENCES'],
    ['FREQ=WEEKLY', 422, 'RULE_UNBOUNDED'],
    ['FREQ=MONTHLY;COUNT=24', 422, 'SERIES_BEYOND_HORIZON'],
  ])('refuses the rule %s with %i %s and books nothing', async (rrule, status, code) => {
    const res = await series(alice, { title: 'Refused rule', roomId: rooms[3], start: '2026-04-06T08:00', end: '2026-04-06T09:00', rrule });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.detail.length).toBeGreaterThan(20);
    expect(await rowsTitled('Refused rule')).toBe(0);
  });

  it('says what is wrong with a rule on its field, in Italian to an Italian browser', async () => {
    // A rule that is not RFC 5545 (400 RRULE_INVALID), and one that never gives a date (422 RULE_NEVER_MATCHES).
    for (const rrule of ['FREQ=WEEKLY;BYDAY=XX;COUNT=3', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3']) {
      const body = { title: 'Refused rule', seats: 10, roomId: rooms[3], start: '2026-04-06T08:00', end: '2026-04-06T09:00', rrule };
      const en = await series(alice, body);
      const italian = await t.api('POST', '/api/v1/series', { as: alice, body, headers: { 'accept-language': 'it' } });
      expect(italian.status).toBe(en.status);
      expect(italian.body).toMatchObject({ code: en.body.code, lang: 'it', errors: [{ path: 'body.rrule' }] });
      expect(en.body.errors).toEqual([{ path: 'body.rrule', message: expect.any(String) }]);
      // The field's words are the Italian of the detail's own, not the English ones.
      expect(italian.body.errors[0].message).not.toBe(en.body.errors[0].message);
      expect(italian.body.detail).toContain(italian.body.errors[0].message);
      expect(en.body.detail).toContain(en.body.errors[0].message);
    }
    expect(await rowsTitled('Refused rule')).toBe(0);
  });

  it('leaves out the dates asked (a holiday, a week away) as EXDATEs, across the autumn change, and with either mode', async () => {
    // Tuesdays at 14:00 from 20 October: 27 October is the first after the clocks go back, 8 December a holiday.
    const body = { title: 'Tuesday seminar', roomId: rooms[0], start: '2026-10-20T14:00', end: '2026-10-20T15:30', rrule: 'FREQ=WEEKLY;COUNT=8' };
    const preview = await t.api('POST', '/api/v1/series/preview', { as: alice, body: { seats: 10, ...body, leaveOut: ['2026-12-08', '2026-10-27'] } });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.occurrences.map((o: { startLocal: string; free: boolean; leftOut: boolean }) => [o.startLocal.slice(0, 10), o.free, o.leftOut])).toEqual([
      ['2026-10-20', true, false],
      ['2026-10-27', false, true],
      ['2026-11-03', true, false],
      ['2026-11-10', true, false],
      ['2026-11-17', true, false],
      ['2026-11-24', true, false],
      ['2026-12-01', true, false],
      ['2026-12-08', false, true],
    ]);
    // All or nothing: a taken date fails the whole series, unless it is left out too.
    const blocker = await book(bob, { roomId: rooms[0], start: '2026-11-10T15:00', end: '2026-11-10T16:00' });
    expect(blocker.status, JSON.stringify(blocker.body)).toBe(201);
    const refused = await series(alice, { ...body, leaveOut: ['2026-10-27', '2026-12-08'] });
    expect([refused.status, refused.body.code]).toEqual([409, 'SERIES_CONFLICTS']);
    expect(localTimes(refused.body.conflicts)).toEqual(['2026-11-10T14:00:00+01:00']);
    const res = await series(alice, { ...body, leaveOut: ['2026-10-27', '2026-12-08', '2026-11-10'] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(localTimes(res.body.booked)).toEqual([
      '2026-10-20T14:00:00+02:00',
      '2026-11-03T14:00:00+01:00',
      '2026-11-17T14:00:00+01:00',
      '2026-11-24T14:00:00+01:00',
      '2026-12-01T14:00:00+01:00',
    ]);
    expect(res.body.series.exdates).toEqual(['2026-10-27T13:00:00.000Z', '2026-11-10T13:00:00.000Z', '2026-12-08T13:00:00.000Z']);
    // Book the free ones: the left-out dates and the refused ones are the series' EXDATEs together.
    const free = await series(alice, { ...body, title: 'Tuesday seminar, free ones', roomId: rooms[0], start: '2026-10-20T15:45', end: '2026-10-20T16:45', mode: 'book-free', leaveOut: ['2026-12-08'] });
    expect(free.status, JSON.stringify(free.body)).toBe(201);
    expect(localTimes(free.body.skipped)).toEqual(['2026-11-10T15:45:00+01:00']);
    expect(free.body.booked).toHaveLength(6);
    expect(free.body.series.exdates).toEqual(['2026-11-10T14:45:00.000Z', '2026-12-08T14:45:00.000Z']);
  });

  it('refuses to leave out a date the rule does not give, or the first one, saying which and why, in Italian too', async () => {
    const body = { title: 'Refused leave-out', seats: 10, roomId: rooms[1], start: '2026-10-20T08:00', end: '2026-10-20T09:00', rrule: 'FREQ=WEEKLY;COUNT=4', leaveOut: ['2026-10-28', '2026-10-20', '2026-11-03'] };
    const en = await series(alice, body);
    expect([en.status, en.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(en.body.errors).toEqual([
      { path: 'body.leaveOut.0', message: '2026-10-28 is not one of the dates this rule books.' },
      { path: 'body.leaveOut.1', message: '2026-10-20 is the first meeting: start the series on its next date instead.' },
    ]);
    const it_ = await t.api('POST', '/api/v1/series/preview', { as: alice, body, headers: { 'accept-language': 'it' } });
    expect(it_.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', lang: 'it' });
    expect(it_.body.errors[0].message).toBe('2026-10-28 non è una delle date che questa regola prenota.');
    const notADate = await series(alice, { ...body, leaveOut: ['27/10/2026'] });
    expect([notADate.status, notADate.body.errors[0].path]).toEqual([400, 'body.leaveOut.0']);
    expect(await rowsTitled('Refused leave-out')).toBe(0);
  });

  it('books 200 occurrences in one request', async () => {
    const began = performance.now();
    const res = await series(alice, { title: 'Two hundred', roomId: rooms[3], start: '2026-03-21T07:00', end: '2026-03-21T07:30', rrule: 'FREQ=DAILY;COUNT=200' });
    const took = performance.now() - began;
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
    expect(res.body.booked).toHaveLength(200);
    expect(await rowsTitled('Two hundred')).toBe(200);
    console.log(`200 occurrences in one request: ${took.toFixed(0)} ms (${t.db.database.kind})`);
    expect(took).toBeLessThan(15_000);
  });
});

describe('changing and cancelling', () => {
  // Each test takes its own room and hour so the series do not meet.
  const create = async (title: string, room: string, count = 6, hour = '10') => {
    const res = await series(alice, { title, roomId: room, start: `2026-09-07T${hour}:00`, end: `2026-09-07T${String(Number(hour) + 1).padStart(2, '0')}:00`, rrule: `FREQ=WEEKLY;COUNT=${count}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { series: { id: string; sequence: number }; booked: { id: string; startLocal: string; recurrenceId: string }[] };
  };
  const get = async (id: string) => (await t.api('GET', `/api/v1/series/${id}`, { as: alice })).body;

  it('moving one occurrence makes it an exception and keeps its RECURRENCE-ID', async () => {
    const s = await create('Move one', rooms[0]!, 6, '12');
    const third = s.booked[2]!;
    const res = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${third.id}`, {
      as: alice,
      body: { scope: 'one', start: '2026-09-22T15:00', end: '2026-09-22T16:00' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const detail = await get(s.series.id);
    const moved = detail.occurrences.find((o: { id: string }) => o.id === third.id);
    expect(moved).toMatchObject({ startLocal: '2026-09-22T15:00:00+02:00', isException: true, recurrenceId: third.recurrenceId, status: 'confirmed' });
    expect(detail.occurrences.filter((o: { isException: boolean }) => o.isException)).toHaveLength(1);
    expect(detail.series.sequence).toBeGreaterThan(s.series.sequence);
    // The plain booking API tells the calendar the same.
    const asBooking = await t.api('GET', `/api/v1/bookings/${third.id}`, { as: alice });
    expect(asBooking.body).toMatchObject({ seriesId: s.series.id, isException: true, recurrenceId: third.recurrenceId });
  });

  it('cancelling one occurrence adds an EXDATE and raises SEQUENCE', async () => {
    const s = await create('Cancel one', rooms[1]!);
    const second = s.booked[1]!;
    const res = await t.api('DELETE', `/api/v1/series/${s.series.id}/occurrences/${second.id}?scope=one`, { as: alice });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.exdates).toEqual([second.recurrenceId]);
    expect(res.body.sequence).toBe(s.series.sequence + 1);
    const detail = await get(s.series.id);
    expect(detail.occurrences.map((o: { status: string }) => o.status)).toEqual(['confirmed', 'cancelled', 'confirmed', 'confirmed', 'confirmed', 'confirmed']);
    // The plain booking route does the same for an occurrence.
    const fourth = s.booked[3]!;
    expect((await t.api('DELETE', `/api/v1/bookings/${fourth.id}`, { as: alice })).status).toBe(200);
    expect((await get(s.series.id)).series.exdates).toEqual([second.recurrenceId, fourth.recurrenceId]);
  });

  it('changing this and the following ones splits the series', async () => {
    const s = await create('Split', rooms[2]!);
    const third = s.booked[2]!;
    const res = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${third.id}`, {
      as: alice,
      body: { scope: 'following', startTime: '11:30', durationMinutes: 90, title: 'Split, later' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const tail = res.body.series;
    expect(tail.splitFrom).toBe(s.series.id);
    expect(tail.rrule).toBe('FREQ=WEEKLY;COUNT=4');
    expect(tail.firstStartLocal).toBe('2026-09-21T11:30:00+02:00');
    const head = await get(s.series.id);
    expect(head.series.rrule).toBe('FREQ=WEEKLY;UNTIL=20260921T075959Z');
    expect(head.occurrences.map((o: { startLocal: string; title: string }) => [o.startLocal, o.title])).toEqual([
      ['2026-09-07T10:00:00+02:00', 'Split'],
      ['2026-09-14T10:00:00+02:00', 'Split'],
    ]);
    const rest = await get(tail.id);
    expect(rest.occurrences.map((o: { startLocal: string; endLocal: string; title: string; id: string }) => [o.startLocal, o.endLocal, o.title])).toEqual([
      ['2026-09-21T11:30:00+02:00', '2026-09-21T13:00:00+02:00', 'Split, later'],
      ['2026-09-28T11:30:00+02:00', '2026-09-28T13:00:00+02:00', 'Split, later'],
      ['2026-10-05T11:30:00+02:00', '2026-10-05T13:00:00+02:00', 'Split, later'],
      ['2026-10-12T11:30:00+02:00', '2026-10-12T13:00:00+02:00', 'Split, later'],
    ]);
    // The same booking rows moved to the new series (their ids are kept).
    expect(rest.occurrences[0].id).toBe(third.id);
    expect(rest.occurrences.every((o: { recurrenceId: string; start: string }) => o.recurrenceId === o.start)).toBe(true);
  });

  it('changing the whole series moves every occurrence, or nothing when one date is taken', async () => {
    const s = await create('Whole', rooms[3]!, 4);
    const blocker = await book(bob, { roomId: rooms[3], start: '2026-09-21T14:00', end: '2026-09-21T15:00' });
    expect(blocker.status).toBe(201);
    const refused = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${s.booked[0]!.id}`, { as: alice, body: { scope: 'all', startTime: '14:00' } });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SERIES_CONFLICTS');
    expect(localTimes(refused.body.conflicts)).toEqual(['2026-09-21T14:00:00+02:00']);
    expect(refused.body.conflicts[0].alternative).toMatchObject({ roomId: expect.any(String), start: expect.any(String) });
    expect(localTimes((await get(s.series.id)).occurrences)).toEqual([
      '2026-09-07T10:00:00+02:00',
      '2026-09-14T10:00:00+02:00',
      '2026-09-21T10:00:00+02:00',
      '2026-09-28T10:00:00+02:00',
    ]);
    const ok = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${s.booked[1]!.id}`, { as: alice, body: { scope: 'all', startTime: '16:00', title: 'Whole, moved' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.booked.map((o: { recurrenceId: string; start: string }) => o.recurrenceId === o.start)).toEqual([true, true, true, true]);
    const after = await get(s.series.id);
    expect(after.occurrences.map((o: { startLocal: string; title: string }) => [o.startLocal, o.title])).toEqual([
      ['2026-09-07T16:00:00+02:00', 'Whole, moved'],
      ['2026-09-14T16:00:00+02:00', 'Whole, moved'],
      ['2026-09-21T16:00:00+02:00', 'Whole, moved'],
      ['2026-09-28T16:00:00+02:00', 'Whole, moved'],
    ]);
    expect(after.series.firstStartLocal).toBe('2026-09-07T16:00:00+02:00');
  });

  it('cancels this and the following ones (the series ends before it), then the whole series', async () => {
    const s = await create('Cancel following', rooms[0]!, 5, '17');
    const res = await t.api('DELETE', `/api/v1/series/${s.series.id}/occurrences/${s.booked[3]!.id}?scope=following`, { as: alice });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rrule).toBe('FREQ=WEEKLY;UNTIL=20260928T145959Z');
    expect((await get(s.series.id)).occurrences.map((o: { status: string }) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'cancelled', 'cancelled']);
    const all = await t.api('DELETE', `/api/v1/series/${s.series.id}`, { as: alice });
    expect(all.status).toBe(200);
    expect(all.body.status).toBe('cancelled');
    expect((await get(s.series.id)).occurrences.every((o: { status: string }) => o.status === 'cancelled')).toBe(true);
  });

  it('hides another institution’s series (404) and refuses changes to it', async () => {
    const s = await create('Private', rooms[1]!, 2, '18');
    expect((await t.api('GET', `/api/v1/series/${s.series.id}`, { as: olga })).status).toBe(404);
    const res = await t.api('DELETE', `/api/v1/series/${s.series.id}`, { as: olga });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('SERIES_NOT_FOUND');
  });

  it('a whole-series edit books its new dates under the rules of a new booking: subscription, grid, durations, rooms on approval', async () => {
    const ending = await t.institution({ name: 'Ending in October', subscriptionEnd: '2026-10-31' });
    const carl = await t.user('member', ending.id, 'Carl');
    const res = await series(carl, { title: 'Until October', roomId: rooms[3], start: '2026-10-13T08:00', end: '2026-10-13T09:00', rrule: 'FREQ=WEEKLY;COUNT=2' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.series.id as string;
    const first = res.body.booked[0].id as string;
    const edit = (body: Record<string, unknown>) => t.api('PATCH', `/api/v1/series/${id}/occurrences/${first}`, { as: carl, body: { scope: 'all', ...body } });
    // Four weeks run past the subscription (31 October): the date after it is refused, nothing is booked.
    const longer = await edit({ rrule: 'FREQ=WEEKLY;COUNT=4' });
    expect(longer.status, JSON.stringify(longer.body)).toBe(409);
    expect(longer.body.conflicts.map((c: { code: string; startLocal: string }) => [c.startLocal, c.code])).toEqual([['2026-11-03T08:00:00+01:00', 'OUTSIDE_SUBSCRIPTION']]);
    expect(await rowsTitled('Until October')).toBe(2);
    // A length or time of day off the rules is said once, as for a single booking (not as every date refused).
    expect(await edit({ durationMinutes: 5 })).toMatchObject({ status: 422, body: { code: 'DURATION_TOO_SHORT' } });
    expect(await edit({ startTime: '10:03' })).toMatchObject({ status: 422, body: { code: 'NOT_ON_GRID' } });
    expect(await edit({ durationMinutes: 15 * 60 })).toMatchObject({ status: 422, body: { code: 'DURATION_TOO_LONG' } });
    // New dates in a room booked on approval are asked for, not booked by a member.
    const approval = t.rooms.find((r) => r.capacity === 100)!;
    expect((await t.api('PATCH', `/api/v1/rooms/${approval.id}`, { as: t.admin, body: { onApproval: true } })).status).toBe(200);
    try {
      const moved = await edit({ roomId: approval.id, rrule: 'FREQ=WEEKLY;COUNT=2;BYDAY=WE' });
      expect(moved.status, JSON.stringify(moved.body)).toBe(422);
      expect(moved.body.code).toBe('ROOM_ON_APPROVAL');
      expect(await rowsTitled('Until October')).toBe(2);
    } finally {
      await t.api('PATCH', `/api/v1/rooms/${approval.id}`, { as: t.admin, body: { onApproval: false } });
    }
    const detail = (await t.api('GET', `/api/v1/series/${id}`, { as: carl })).body;
    expect(detail.series.rrule).toBe('FREQ=WEEKLY;COUNT=2');
    expect(localTimes(detail.occurrences)).toEqual(['2026-10-13T08:00:00+02:00', '2026-10-20T08:00:00+02:00']);
  });

  it('a whole-series edit of the details leaves a date moved on its own where it is', async () => {
    const s = await create('Keep the moved one', rooms[1]!, 3, '07');
    const second = s.booked[1]!;
    const moved = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${second.id}`, { as: alice, body: { scope: 'one', start: '2026-09-15T15:00', end: '2026-09-15T16:00' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const renamed = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${s.booked[0]!.id}`, { as: alice, body: { scope: 'all', title: 'Renamed' } });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const after = (await get(s.series.id)).occurrences as { startLocal: string; title: string; isException: boolean }[];
    expect(after.map((o) => [o.startLocal, o.title, o.isException])).toEqual([
      ['2026-09-07T07:00:00+02:00', 'Renamed', false],
      ['2026-09-15T15:00:00+02:00', 'Renamed', true],
      ['2026-09-21T07:00:00+02:00', 'Renamed', false],
    ]);
    // A new time of day is the series' time again for every date, the moved one too.
    const retimed = await t.api('PATCH', `/api/v1/series/${s.series.id}/occurrences/${s.booked[0]!.id}`, { as: alice, body: { scope: 'all', startTime: '08:00' } });
    expect(retimed.status, JSON.stringify(retimed.body)).toBe(200);
    expect(((await get(s.series.id)).occurrences as { startLocal: string; isException: boolean }[]).map((o) => [o.startLocal, o.isException])).toEqual([
      ['2026-09-07T08:00:00+02:00', false],
      ['2026-09-14T08:00:00+02:00', false],
      ['2026-09-21T08:00:00+02:00', false],
    ]);
  });

  it('answers bad series requests with 4xx, a stable code and a sentence, and changes nothing', async () => {
    const s = await create('Bad input', rooms[2]!, 2, '19');
    const id = s.series.id;
    const first = s.booked[0]!.id;
    const cases: [string, string, unknown, number, string][] = [
      ['PATCH', `/api/v1/series/${id}/occurrences/${first}`, { scope: 'one', startTime: '09:00' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', `/api/v1/series/${id}/occurrences/${first}`, { scope: 'all', start: '2026-09-07T09:00' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', `/api/v1/series/${id}/occurrences/${first}`, { scope: 'all', startTime: '25:00' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', `/api/v1/series/${id}/occurrences/${first}`, { scope: 'sometimes' }, 400, 'VALIDATION_FAILED'],
      ['PATCH', `/api/v1/series/${id}/occurrences/${first}`, { scope: 'all', rrule: 'FREQ=SOMETIMES' }, 400, 'RRULE_INVALID'],
      ['PATCH', `/api/v1/series/${id}/occurrences/${s.booked[0]!.id.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}`, { scope: 'all', title: 'x' }, 404, 'OCCURRENCE_NOT_FOUND'],
      ['DELETE', `/api/v1/series/${id}/occurrences/${first}?scope=bogus`, undefined, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/v1/series', { title: 'x', roomId: rooms[2], start: '2026-03-01T10:00', end: '2026-03-01T11:00', rrule: 'FREQ=DAILY;COUNT=2' }, 422, 'START_IN_PAST'],
      ['POST', '/api/v1/series', { title: 'x', roomId: rooms[2], start: '2026-04-01T10:00', end: '2026-04-01T11:00', rrule: 'FREQ=DAILY;UNTIL=20260301' }, 422, 'NO_OCCURRENCES'],
      ['POST', '/api/v1/series', { title: 'x', roomId: '00000000-0000-4000-8000-000000000000', start: '2026-04-01T10:00', end: '2026-04-01T11:00', rrule: 'FREQ=DAILY;COUNT=2' }, 404, 'ROOM_NOT_FOUND'],
      ['POST', '/api/v1/series', { title: 'x', roomId: rooms[2], start: '2026-04-01T10:00', end: '2026-04-01T11:00', rrule: 'FREQ=DAILY;COUNT=2', mode: 'maybe' }, 400, 'VALIDATION_FAILED'],
      ['POST', '/api/v1/series/preview', { title: 'x', roomId: rooms[2], start: 'tomorrow', end: '2026-04-01T11:00', rrule: 'FREQ=DAILY;COUNT=2' }, 400, 'INVALID_TIME'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await t.api(method, path, { as: alice, ...(body !== undefined && { body }) });
      expect([res.status, res.body.code], `${method} ${path} ${JSON.stringify(body)}`).toEqual([status, code]);
      expect(res.body.detail.length).toBeGreaterThan(10);
    }
    expect((await get(id)).occurrences.map((o: { title: string; status: string }) => [o.title, o.status])).toEqual([
      ['Bad input', 'confirmed'],
      ['Bad input', 'confirmed'],
    ]);
  });
});
