import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { checkSeats, checkSlot, earliestStart, onGrid, type BookingPolicy } from './booking-rules.ts';
import { MINUTE, parseTime } from './time.ts';

const policy: BookingPolicy = {
  seatPool: 500,
  turnaroundMinutes: 15,
  minDurationMinutes: 15,
  maxDurationMinutes: 720,
  maxDaysAhead: 180,
  granularityMinutes: 5,
  defaultTimeZone: 'Europe/Rome',
};
const now = new Date('2026-03-20T09:02:00Z');
const zone = 'Europe/Rome';
const slot = (s: string, e: string) => ({ start: parseTime(s, zone, 'start'), end: parseTime(e, zone, 'end') });
const code = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('checkSlot', () => {
  it('accepts an ordinary meeting', () => {
    expect(code(() => checkSlot(slot('2026-03-23T10:00', '2026-03-23T11:00'), zone, policy, now))).toBe('ok');
  });

  it('accepts exactly the shortest and the longest durations', () => {
    expect(code(() => checkSlot(slot('2026-03-23T10:00', '2026-03-23T10:15'), zone, policy, now))).toBe('ok');
    expect(code(() => checkSlot(slot('2026-03-23T08:00', '2026-03-23T20:00'), zone, policy, now))).toBe('ok');
    expect(code(() => checkSlot(slot('2026-03-23T08:00', '2026-03-23T20:05'), zone, policy, now))).toBe('DURATION_TOO_LONG');
    expect(code(() => checkSlot(slot('2026-03-23T10:00', '2026-03-23T10:10'), zone, policy, now))).toBe('DURATION_TOO_SHORT');
  });

  it('measures duration in real time across the spring change (01:00–04:00 is two hours)', () => {
    const s = slot('2026-03-29T01:00', '2026-03-29T04:00');
    expect(s.end.getTime() - s.start.getTime()).toBe(2 * 3_600_000);
  });

  it('lets the grid step running now be booked, but not an earlier one', () => {
    expect(earliestStart(now, policy).toISOString()).toBe('2026-03-20T09:00:00.000Z');
    expect(code(() => checkSlot(slot('2026-03-20T10:00', '2026-03-20T11:00'), zone, policy, now))).toBe('ok');
    expect(code(() => checkSlot(slot('2026-03-20T09:55', '2026-03-20T11:00'), zone, policy, now))).toBe('START_IN_PAST');
  });

  it('opens bookings 180 days ahead', () => {
    expect(code(() => checkSlot(slot('2026-09-15T10:00', '2026-09-15T11:00'), zone, policy, now))).toBe('ok');
    expect(code(() => checkSlot(slot('2026-09-17T10:00', '2026-09-17T11:00'), zone, policy, now))).toBe('TOO_FAR_AHEAD');
  });

  it('keeps times on the grid of the room’s zone', () => {
    expect(code(() => checkSlot(slot('2026-03-23T10:02', '2026-03-23T11:00'), zone, policy, now))).toBe('NOT_ON_GRID');
    expect(code(() => checkSlot({ start: new Date('2026-03-23T09:00:30Z'), end: new Date('2026-03-23T10:00:00Z') }, zone, policy, now))).toBe('NOT_ON_GRID');
  });

  it('lets a running meeting be extended when its start stays', () => {
    const running = slot('2026-03-20T09:30', '2026-03-20T11:00');
    expect(code(() => checkSlot(running, zone, policy, new Date('2026-03-20T09:00:00Z'), true))).toBe('ok');
    expect(code(() => checkSlot(running, zone, policy, new Date('2026-03-20T10:30:00Z'), true))).toBe('END_IN_PAST');
  });
});

describe('checkSeats', () => {
  const room = { name: 'Sala Volta', capacity: 100, timeZone: zone, active: true };
  it('accepts up to the capacity and refuses more', () => {
    expect(code(() => checkSeats(100, room))).toBe('ok');
    expect(code(() => checkSeats(101, room))).toBe('SEATS_OVER_CAPACITY');
    expect(code(() => checkSeats(0, room))).toBe('VALIDATION_FAILED');
  });
});

describe('onGrid', () => {
  // What "on the grid" means, written with Luxon: the room's local time is a whole minute whose
  // minute of the hour is a multiple of the granularity.
  const byLuxon = (instant: Date, zone: string, g: number) => {
    const dt = DateTime.fromJSDate(instant, { zone });
    return dt.second === 0 && dt.millisecond === 0 && dt.minute % g === 0;
  };

  it('agrees with the room’s local time every minute and second around DST changes, in zones with half- and quarter-hour offsets', () => {
    const zones = ['Europe/Rome', 'America/St_Johns', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'UTC', 'Etc/GMT+3', 'America/Sao_Paulo'];
    const around = ['2026-03-29T00:30:00Z', '2026-10-25T00:30:00Z', '2026-04-05T14:00:00Z', '2026-11-01T05:00:00Z', '2026-09-27T13:30:00Z'].map((s) => Date.parse(s));
    let checked = 0;
    for (const zone of zones) {
      for (const base of around) {
        for (let step = -180; step <= 180; step++) {
          for (const extra of [0, 1_000, 30_000, 1]) {
            const instant = new Date(base + step * MINUTE + extra);
            for (const g of [1, 5, 7, 15, 30, 45, 60]) {
              expect(onGrid(instant, zone, g), `${zone} ${instant.toISOString()} /${g}`).toBe(byLuxon(instant, zone, g));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(400_000);
  });
});
