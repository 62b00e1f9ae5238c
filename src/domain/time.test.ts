import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { isoInstant, monthOf, parseTime, toZonedIso, wallClock } from './time.ts';

describe('parseTime', () => {
  it('reads a local time in the room’s zone, standard and summer time', () => {
    expect(parseTime('2026-03-28T10:00', 'Europe/Rome', 'start').toISOString()).toBe('2026-03-28T09:00:00.000Z');
    expect(parseTime('2026-03-30T10:00', 'Europe/Rome', 'start').toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('takes an instant with an offset as it is, whatever the zone', () => {
    expect(parseTime('2026-03-30T10:00:00+05:30', 'Europe/Rome', 'start').toISOString()).toBe('2026-03-30T04:30:00.000Z');
    expect(parseTime('2026-03-30T10:00:00Z', 'America/New_York', 'start').toISOString()).toBe('2026-03-30T10:00:00.000Z');
  });

  it('refuses a local time that the spring change skips', () => {
    expect(() => parseTime('2026-03-29T02:30', 'Europe/Rome', 'start')).toThrow(/does not exist/);
  });

  it('takes the earlier instant for a local time repeated in autumn', () => {
    expect(parseTime('2026-10-25T02:30', 'Europe/Rome', 'start').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('refuses text that is not a date-time', () => {
    for (const bad of ['tomorrow', '2026-13-01T10:00', '2026-02-30T10:00', '10:00', '']) {
      expect(() => parseTime(bad, 'Europe/Rome', 'start')).toThrow();
    }
  });
});

describe('zoned output', () => {
  it('writes an instant as Date.prototype.toISOString does, at the edges of days and years and outside 0000–9999', () => {
    const edges = [0, -1, 1, 999, 1000, 86_399_999, 86_400_000, Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 12, 0, 0, 7), Date.UTC(0, 0, 1) - 1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1, 8.64e15, -8.64e15];
    for (const ms of edges) expect(isoInstant(new Date(ms))).toBe(new Date(ms).toISOString());
    // Pseudo-random instants over 1900–2100, each millisecond of a second in turn.
    let seed = 7;
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = Date.UTC(1900, 0, 1) + Math.floor((seed / 2_147_483_648) * 200 * 365.25 * 86_400) * 1000 + (i % 1000);
      if (isoInstant(new Date(ms)) !== new Date(ms).toISOString()) expect(isoInstant(new Date(ms))).toBe(new Date(ms).toISOString());
    }
    expect(() => isoInstant(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('writes an instant with the zone’s offset on both sides of the changes', () => {
    expect(toZonedIso(new Date('2026-03-29T00:30:00Z'), 'Europe/Rome')).toBe('2026-03-29T01:30:00+01:00');
    expect(toZonedIso(new Date('2026-03-29T01:30:00Z'), 'Europe/Rome')).toBe('2026-03-29T03:30:00+02:00');
    expect(wallClock(new Date('2026-10-25T09:00:00Z'), 'Europe/Rome')).toEqual({ date: '2026-10-25', time: '10:00' });
  });

  it('writes every local time as Luxon does, across DST changes, half-hour and 45-minute zones, UTC and unknown zones', () => {
    const zones = ['Europe/Rome', 'Europe/London', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Africa/Casablanca', 'America/Santiago', 'UTC', 'Etc/UTC', 'Etc/GMT+5', 'Not/AZone'];
    // Each quarter hour over two years (every DST change of 2026–2027 in these zones: offsets and
    // changes fall on quarter hours), some with milliseconds. Every 7.5 minutes, as it was, took
    // close to the 60 s limit on a loaded 2-core CI machine (1.8 million Luxon conversions).
    const from = Date.UTC(2026, 0, 1);
    for (const zone of zones) {
      for (let ms = from; ms < from + 2 * 365 * 86_400_000; ms += 900_000) {
        const at = new Date(ms + (ms % 7 === 0 ? 123 : 0));
        const luxon = DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
        if (toZonedIso(at, zone) !== luxon) expect(`${zone} ${at.toISOString()}: ${toZonedIso(at, zone)}`).toBe(`${zone} ${at.toISOString()}: ${luxon}`);
      }
    }
    // Seventy years at an uneven step (every 17 h 7 min: all hours of the day come round), where
    // offsets are kept by the UTC day: Ramadan breaks, southern summers, and Rome's own changes.
    for (const zone of ['Europe/Rome', 'Africa/Casablanca', 'America/Santiago']) {
      for (let ms = Date.UTC(1970, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 1027 * 60_000) {
        const at = new Date(ms);
        const luxon = DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true });
        if (toZonedIso(at, zone) !== luxon) expect(`${zone} ${at.toISOString()}: ${toZonedIso(at, zone)}`).toBe(`${zone} ${at.toISOString()}: ${luxon}`);
      }
    }
    expect(toZonedIso(new Date('2026-10-25T00:30:00Z'), 'Europe/Rome')).toBe('2026-10-25T02:30:00+02:00');
    expect(toZonedIso(new Date('2026-10-25T01:30:00Z'), 'Europe/Rome')).toBe('2026-10-25T02:30:00+01:00');
    expect(toZonedIso(new Date('2026-03-08T06:30:00.250Z'), 'America/St_Johns')).toBe('2026-03-08T04:00:00.250-02:30');
  }, 120_000);

  it('finds the calendar month in the zone', () => {
    const m = monthOf(new Date('2026-03-31T22:30:00Z'), 'Europe/Rome'); // already 1 April in Rome
    expect(m.start.toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect(m.end.toISOString()).toBe('2026-04-30T22:00:00.000Z');
  });
});
