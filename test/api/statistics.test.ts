// Usage statistics (issue #15) from a known month, against figures worked out by hand. March 2026 in
// Europe/Rome (the clocks go forward on the 29th). Institution A held two overlapping meetings on
// Tuesday the 10th (web and phone at once: the peak is their sum), institution B had a no-show and
// a Jitsi meeting nobody could count; A cancelled one meeting half an hour before it.
//
//   b1  A  room 0  10 Mar 09:00–11:00Z  20 seats  booked 9 days ahead    09:00–09:59 web 10 + phone 2, 10:00–10:59 web 5
//   b2  A  room 1  10 Mar 09:30–10:30Z  30 seats  booked the same day    09:30–10:29 web 20 + phone 1   (a series)
//   b3  B  room 0  12 Mar 13:00–14:00Z  10 seats  booked 39 days ahead   13:00–13:09 web 0, phone 0     no-show
//   b4  B  room 2  30 Mar 08:00–09:00Z   5 seats  booked 5 days ahead    08:00–08:09 web unknown        unknown
//   b5  A  room 0  20 Mar 09:00Z cancelled at 08:30Z
//   b6  A  room 3  31 Mar 14:00Z: not started yet at 12:00Z; b7 in April: outside the period
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let managerA: Caller;
let managerB: Caller;
let member: Caller;
const PERIOD = 'from=2026-03-01&to=2026-03-31';

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-31T12:00:00Z' });
  const a = await t.institution({ name: 'Università A' });
  const b = await t.institution({ name: 'Università B' });
  managerA = await t.user('institution-manager', a.id, 'Manager A');
  managerB = await t.user('institution-manager', b.id, 'Manager B');
  member = await t.user('member', a.id, 'Member A');
  const db = t.portal.database.db;
  const room = (i: number) => t.rooms[i]!.id;
  const series = await sql<{ id: string }>`INSERT INTO booking_series (room_id, title, seats, booker_id, institution_id, time_zone, rrule, first_start, duration_minutes)
    VALUES (${room(1)}::uuid, 'Serie', 30, ${managerA.userId}::uuid, ${a.id}::uuid, 'Europe/Rome', 'FREQ=WEEKLY', '2026-03-10T09:30:00Z', 60) RETURNING id`.execute(db);
  const book = async (id: string, o: { inst: string; room: number; start: string; end: string; seats: number; created: string; series?: string; cancelled?: string }) => {
    await sql`INSERT INTO bookings (id, room_id, title, during, occupied, seats, booker_id, institution_id, status, created_at, cancelled_at, series_id, recurrence_id)
      VALUES (${id}::uuid, ${room(o.room)}::uuid, 'Riunione', tstzrange(${o.start}::timestamptz, ${o.end}::timestamptz), tstzrange(${o.start}::timestamptz, ${o.end}::timestamptz),
              ${o.seats}, ${managerA.userId}::uuid, ${o.inst}::uuid, ${o.cancelled ? 'cancelled' : 'confirmed'}, ${o.created}::timestamptz, ${o.cancelled ?? null}::timestamptz,
              ${o.series ?? null}::uuid, ${o.series ? o.start : null}::timestamptz)`.execute(db);
  };
  const samples = async (id: string, from: string, minutes: number, web: number | null, phone: number) => {
    await sql`INSERT INTO usage_samples (booking_id, at, web, phone)
      SELECT ${id}::uuid, ${from}::timestamptz + make_interval(mins => m), ${web}::int, ${phone} FROM generate_series(0, ${minutes - 1}) m`.execute(db);
  };
  const id = (n: number) => `50000000-0000-4000-8000-00000000000${n}`;
  await book(id(1), { inst: a.id, room: 0, start: '2026-03-10T09:00Z', end: '2026-03-10T11:00Z', seats: 20, created: '2026-03-01T09:00Z' });
  await book(id(2), { inst: a.id, room: 1, start: '2026-03-10T09:30Z', end: '2026-03-10T10:30Z', seats: 30, created: '2026-03-10T08:00Z', series: series.rows[0]!.id });
  await book(id(3), { inst: b.id, room: 0, start: '2026-03-12T13:00Z', end: '2026-03-12T14:00Z', seats: 10, created: '2026-02-01T13:00Z' });
  await book(id(4), { inst: b.id, room: 2, start: '2026-03-30T08:00Z', end: '2026-03-30T09:00Z', seats: 5, created: '2026-03-25T08:00Z' });
  await book(id(5), { inst: a.id, room: 0, start: '2026-03-20T09:00Z', end: '2026-03-20T10:00Z', seats: 5, created: '2026-03-01T09:00Z', cancelled: '2026-03-20T08:30Z' });
  await book(id(6), { inst: a.id, room: 3, start: '2026-03-31T14:00Z', end: '2026-03-31T15:00Z', seats: 5, created: '2026-03-01T09:00Z' });
  await book(id(7), { inst: a.id, room: 3, start: '2026-04-02T14:00Z', end: '2026-04-02T15:00Z', seats: 5, created: '2026-03-01T09:00Z' });
  await samples(id(1), '2026-03-10T09:00Z', 60, 10, 2);
  await samples(id(1), '2026-03-10T10:00Z', 60, 5, 0);
  await samples(id(2), '2026-03-10T09:30Z', 60, 20, 1);
  await samples(id(3), '2026-03-12T13:00Z', 10, 0, 0);
  await samples(id(4), '2026-03-30T08:00Z', 10, null, 0);
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, as: Caller = t.admin, headers: Record<string, string> = {}) => t.api('GET', `/api/v1/statistics/${path}`, { as, headers });

describe('the summary', () => {
  it('counts meetings held, no-shows and unknowns, hours, people and the peak minute', async () => {
    const r = await get(`summary?${PERIOD}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      period: { from: '2026-03-01', to: '2026-03-31', timeZone: 'Europe/Rome', institutionId: null, bucket: 'day' },
      meetings: 4,
      held: 2,
      noShows: 1,
      unknown: 1,
      bookedHours: 5,
      heldHours: 3,
      avgPeople: 16.5,
      avgWeb: 15,
      avgPhone: 1.5,
      maxPeople: 21,
      seatHours: 85,
      // b1: 60 min × 12 + 60 min × 5 = 17 h; b2: 60 min × 21 = 21 h.
      peopleHours: 38,
      // 09:30Z: b1's 10 + 2 and b2's 20 + 1 at the same minute.
      peak: { at: '2026-03-10T09:30:00.000Z', web: 30, phone: 3, total: 33 },
      seriesShare: 0.25,
      // Lead times 1 hour, 5, 9 and 39 days: the median is between 5 and 9.
      medianLeadDays: 7,
      leadTime: { sameDay: 1, withinWeek: 1, withinMonth: 1, later: 1 },
      cancellations: { count: 1, medianHoursBefore: 0.5, afterStart: 0, lastHour: 1, lastDay: 0, lastWeek: 0, earlier: 0 },
    });
  });

  it('shows an institution manager their own institution only', async () => {
    const a = await get(`summary?${PERIOD}`, managerA);
    expect(a.body).toMatchObject({ meetings: 2, held: 2, noShows: 0, bookedHours: 3, seatHours: 70, peopleHours: 38, peak: { total: 33 }, cancellations: { count: 1 } });
    const b = await get(`summary?${PERIOD}`, managerB);
    expect(b.body).toMatchObject({ meetings: 2, held: 0, noShows: 1, unknown: 1, peak: { total: 0 }, cancellations: { count: 0 } });
    const other = await get(`summary?${PERIOD}&institutionId=${a.body.period.institutionId}`, managerB);
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('OTHER_INSTITUTION');
    expect((await get(`summary?${PERIOD}`, member)).status).toBe(403);
  });

  it('refuses a reversed, too long or malformed period with a sentence to act on', async () => {
    const reversed = await get('summary?from=2026-03-31&to=2026-03-01');
    expect([reversed.status, reversed.body.code]).toEqual([400, 'PERIOD_REVERSED']);
    const long = await get('summary?from=2020-01-01&to=2026-03-31');
    expect([long.status, long.body.code]).toEqual([400, 'PERIOD_TOO_LONG']);
    expect(long.body.detail).toMatch(/at most 731/);
    expect((await get('summary?from=1%20March')).status).toBe(400);
  });
});

describe('the tables', () => {
  it('per institution, per room and per month', async () => {
    const inst = await get(`institutions?${PERIOD}`);
    expect(inst.body.items.map((r: { label: string; meetings: number; held: number; bookedHours: number }) => [r.label, r.meetings, r.held, r.bookedHours])).toEqual([
      ['Università A', 2, 2, 3],
      ['Università B', 2, 0, 2],
    ]);
    const rooms = await get(`rooms?${PERIOD}`);
    const room0 = rooms.body.items.find((r: { key: string }) => r.key === t.rooms[0]!.id);
    expect(room0).toMatchObject({ meetings: 2, held: 1, noShows: 1, bookedHours: 3, seatHours: 50, peopleHours: 17 });
    const months = await get(`months?${PERIOD}`);
    expect(months.body.items).toEqual([expect.objectContaining({ key: '2026-03', meetings: 4, held: 2 })]);
  });

  it('the seat pool per day of the zone, across the change to summer time', async () => {
    const pool = await get(`pool?${PERIOD}`);
    expect(pool.body.items).toHaveLength(31);
    expect(pool.body.items.map((b: { start: string }) => b.start)).toContain('2026-03-29T00:00');
    // 10 March: 70 seat-hours over 24 h; 2,280 person-minutes over 1,440.
    expect(pool.body.items.find((b: { start: string }) => b.start === '2026-03-10T00:00')).toEqual({ start: '2026-03-10T00:00', bookedSeats: 2.9, presentPeople: 1.6, peakPeople: 33 });
    const hourly = await get('pool?from=2026-03-10&to=2026-03-10');
    expect(hourly.body.period.bucket).toBe('hour');
    // 10:00–11:00 in Rome: b1's 20 seats all hour, b2's 30 from half past; 12 people, then 33.
    expect(hourly.body.items.find((b: { start: string }) => b.start === '2026-03-10T10:00')).toEqual({ start: '2026-03-10T10:00', bookedSeats: 35, presentPeople: 22.5, peakPeople: 33 });
  });

  it('per hour across the change to summer time: the hour the clocks skip is no bucket', async () => {
    // It was one of no length, and the whole answer a 500 (division by zero).
    const spring = await get('pool?from=2026-03-29&to=2026-03-29');
    expect(spring.status, JSON.stringify(spring.body)).toBe(200);
    expect(spring.body.items.map((b: { start: string }) => b.start.slice(11))).toEqual(['00:00', '01:00', ...Array.from({ length: 21 }, (_, h) => `${String(h + 3).padStart(2, '0')}:00`)]);
    // Three days over the change, b4 on the 30th at 10:00 Rome (08:00Z, summer time now).
    const days = await get('pool?from=2026-03-28&to=2026-03-30');
    expect(days.body.items).toHaveLength(71);
    expect(days.body.items.find((b: { start: string }) => b.start === '2026-03-30T10:00')).toEqual({ start: '2026-03-30T10:00', bookedSeats: 5, presentPeople: 0, peakPeople: 0 });
  });

  it('the heat map by weekday and hour of the zone', async () => {
    const heat = await get(`heatmap?${PERIOD}`);
    expect(heat.body.items).toHaveLength(7 * 24);
    const cell = (weekday: number, hour: number) => heat.body.items.find((c: { weekday: number; hour: number }) => c.weekday === weekday && c.hour === hour);
    // Tuesday 10–11 local: b1 a whole hour, b2 half; five Tuesdays in March, eight rooms.
    expect(cell(2, 10)).toEqual({ weekday: 2, hour: 10, bookedHours: 1.5, utilisation: 0.038 });
    expect(cell(4, 14)).toMatchObject({ bookedHours: 1 });
    // 30 March, after the change: 08:00Z is 10:00 in Rome.
    expect(cell(1, 10)).toMatchObject({ bookedHours: 1 });
    expect(cell(1, 9)).toMatchObject({ bookedHours: 0 });
  });
});

describe('the seat pool across the change back to standard time', () => {
  // 25 October 2026 in Rome: 02:00–02:59 comes twice (CEST, then CET). A meeting 00:00–02:00Z runs
  // over both, 4 people in the first and 8 in the second: one bucket "02:00" of two hours holds them.
  let autumn: TestPortal;
  beforeAll(async () => {
    autumn = await startTestPortal({ now: '2026-10-26T12:00:00Z' });
    const inst = await autumn.institution({ name: 'Università C' });
    const booker = await autumn.user('member', inst.id, 'Member C');
    const db = autumn.portal.database.db;
    const id = '50000000-0000-4000-8000-000000000009';
    await sql`INSERT INTO bookings (id, room_id, title, during, occupied, seats, booker_id, institution_id, status, created_at)
      VALUES (${id}::uuid, ${autumn.rooms[0]!.id}::uuid, 'Notte', tstzrange('2026-10-25T00:00Z', '2026-10-25T02:00Z'), tstzrange('2026-10-25T00:00Z', '2026-10-25T02:00Z'),
              10, ${booker.userId}::uuid, ${inst.id}::uuid, 'confirmed', '2026-10-01T09:00Z')`.execute(db);
    await sql`INSERT INTO usage_samples (booking_id, at, web, phone)
      SELECT ${id}::uuid, '2026-10-25T00:00Z'::timestamptz + make_interval(mins => m), CASE WHEN m < 60 THEN 4 ELSE 8 END, 0 FROM generate_series(0, 119) m`.execute(db);
  });
  afterAll(async () => {
    await autumn?.close();
  });

  it('keeps the repeated hour as one bucket of two hours, averaged over both', async () => {
    const r = await autumn.api('GET', '/api/v1/statistics/pool?from=2026-10-25&to=2026-10-25', { as: autumn.admin });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.items).toHaveLength(24);
    const at = (hour: string) => r.body.items.find((b: { start: string }) => b.start === `2026-10-25T${hour}`);
    expect(at('01:00')).toEqual({ start: '2026-10-25T01:00', bookedSeats: 0, presentPeople: 0, peakPeople: 0 });
    expect(at('02:00')).toEqual({ start: '2026-10-25T02:00', bookedSeats: 10, presentPeople: 6, peakPeople: 8 });
    expect(at('03:00')).toEqual({ start: '2026-10-25T03:00', bookedSeats: 0, presentPeople: 0, peakPeople: 0 });
    // By the day: 20 seat-hours over the day's 25 hours; 240 + 480 person-minutes over 1,500.
    const day = await autumn.api('GET', '/api/v1/statistics/pool?from=2026-10-01&to=2026-10-31', { as: autumn.admin });
    expect(day.body.items.find((b: { start: string }) => b.start === '2026-10-25T00:00')).toEqual({ start: '2026-10-25T00:00', bookedSeats: 0.8, presentPeople: 0.5, peakPeople: 8 });
  });
});

describe('CSV', () => {
  it('exports every table for a spreadsheet, with formulas in names defused', async () => {
    await sql`UPDATE rooms SET name = '=HYPERLINK("http://x")' WHERE id = ${t.rooms[1]!.id}::uuid`.execute(t.portal.database.db);
    const rooms = await fetch(`${t.baseUrl}/api/v1/statistics/rooms?${PERIOD}&format=csv`, { headers: { authorization: `Bearer ${t.admin.token}` } });
    expect(rooms.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(rooms.headers.get('content-disposition')).toBe('attachment; filename="webmeetings-rooms-2026-03-01-2026-03-31.csv"');
    const text = await rooms.text();
    expect(text.split('\n')[0]).toBe('room,meetings,held,no_shows,unknown,booked_hours,held_hours,avg_people,avg_web,avg_phone,max_people,seat_hours,people_hours');
    expect(text).toContain(`"'=HYPERLINK(""http://x"")",1,1,0,0,1,1,21,20,1,21,30,21`);
    const summary = await get(`summary?${PERIOD}`, t.admin, { accept: 'text/csv' });
    expect(summary.body).toContain('meetings,4\n');
    expect(summary.body).toContain('peak_people,33\n');
    for (const path of ['institutions', 'months', 'pool', 'heatmap']) {
      const r = await fetch(`${t.baseUrl}/api/v1/statistics/${path}?${PERIOD}&format=csv`, { headers: { authorization: `Bearer ${t.admin.token}` } });
      expect(r.status, path).toBe(200);
      expect((await r.text()).split('\n').length, path).toBeGreaterThan(2);
    }
  });
});
