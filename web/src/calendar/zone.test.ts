import { describe, expect, it } from 'vitest';
import { addDays, offsetString, wallClock, zonedToInstant } from './zone.ts';

describe('wall clock and instants in a zone', () => {
  it('reads an instant on a Rome clock in winter and summer', () => {
    expect(wallClock('2026-01-15T08:30:00Z', 'Europe/Rome')).toBe('2026-01-15T09:30:00');
    expect(wallClock('2026-07-15T08:30:00Z', 'Europe/Rome')).toBe('2026-07-15T10:30:00');
  });

  it('turns a Rome wall clock back into the instant', () => {
    expect(zonedToInstant('2026-01-15T09:30', 'Europe/Rome').toISOString()).toBe('2026-01-15T08:30:00.000Z');
    expect(zonedToInstant('2026-07-15T10:30:00', 'Europe/Rome').toISOString()).toBe('2026-07-15T08:30:00.000Z');
  });

  it('is right on both sides of the spring change, also on a day with a change', () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST.
    expect(wallClock('2026-03-29T00:59:00Z', 'Europe/Rome')).toBe('2026-03-29T01:59:00');
    expect(wallClock('2026-03-29T01:00:00Z', 'Europe/Rome')).toBe('2026-03-29T03:00:00');
    expect(zonedToInstant('2026-03-29T09:00', 'Europe/Rome').toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(zonedToInstant('2026-03-29T01:00', 'Europe/Rome').toISOString()).toBe('2026-03-29T00:00:00.000Z');
  });

  it('handles zones with half-hour offsets', () => {
    expect(wallClock('2026-05-01T00:00:00Z', 'Asia/Kolkata')).toBe('2026-05-01T05:30:00');
    expect(offsetString(Date.parse('2026-05-01T00:00:00Z'), 'Asia/Kolkata')).toBe('+05:30');
    expect(offsetString(Date.parse('2026-01-01T00:00:00Z'), 'America/New_York')).toBe('-05:00');
  });

  it('adds days across month ends', () => {
    expect(addDays('2026-02-27', 3)).toBe('2026-03-02');
  });
});
