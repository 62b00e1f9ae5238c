import { describe, expect, it } from 'vitest';
import type { Availability, Settings } from '../api/types.ts';
import { checkSlot, lowestSeatsLeft } from './rules.ts';

const settings: Settings = {
  seatPool: 100,
  turnaroundMinutes: 15,
  minDurationMinutes: 15,
  maxDurationMinutes: 240,
  maxDaysAhead: 30,
  granularityMinutes: 5,
  defaultTimeZone: 'Europe/Rome',
};
const now = new Date('2026-03-02T07:00:00Z');
const at = (hhmm: string) => new Date(`2026-03-03T${hhmm}:00Z`);

const availability: Availability = {
  from: '2026-03-02T00:00:00Z',
  to: '2026-03-09T00:00:00Z',
  seatPool: 100,
  rooms: [
    {
      roomId: 'a',
      name: 'Aula Magna',
      capacity: 80,
      timeZone: 'Europe/Rome',
      fits: true,
      busy: [{ start: '2026-03-03T10:00:00Z', end: '2026-03-03T11:00:00Z', blockedUntil: '2026-03-03T11:15:00Z', bookingId: 'mine', title: 'Lezione', seats: 30, booker: { id: 'me', name: 'Me' }, seriesId: null }],
    },
    { roomId: 'b', name: 'Sala Volta', capacity: 100, timeZone: 'Europe/Rome', fits: true, busy: [] },
  ],
  pool: [
    { start: '2026-03-02T00:00:00Z', end: '2026-03-03T10:00:00Z', seatsUsed: 0, seatsLeft: 100 },
    { start: '2026-03-03T10:00:00Z', end: '2026-03-03T11:00:00Z', seatsUsed: 90, seatsLeft: 10 },
    { start: '2026-03-03T11:00:00Z', end: '2026-03-09T00:00:00Z', seatsUsed: 0, seatsLeft: 100 },
  ],
};

const slot = (roomId: string, start: string, end: string, seats = 5, bookingId: string | null = null) => ({
  roomId,
  start: at(start),
  end: at(end),
  seats,
  bookingId,
});

describe('what the calendar refuses while dragging', () => {
  it('allows a free slot', () => {
    expect(checkSlot(slot('a', '12:00', '13:00'), settings, availability, now)).toBeNull();
  });

  it('refuses a start in the past', () => {
    expect(checkSlot({ ...slot('a', '12:00', '13:00'), start: new Date('2026-03-02T06:00:00Z') }, settings, availability, now)?.code).toBe('START_IN_PAST');
  });

  it('refuses too short and too long', () => {
    expect(checkSlot(slot('a', '12:00', '12:10'), settings, availability, now)).toEqual({ code: 'DURATION_TOO_SHORT', minutes: 15 });
    expect(checkSlot(slot('a', '12:00', '17:00'), settings, availability, now)).toEqual({ code: 'DURATION_TOO_LONG', minutes: 240 });
  });

  it('refuses a booking that overlaps another by one minute', () => {
    expect(checkSlot(slot('a', '09:00', '10:01'), settings, availability, now)).toEqual({ code: 'ROOM_TAKEN', turnaround: false });
  });

  it('refuses the turnaround after a booking, and before it', () => {
    expect(checkSlot(slot('a', '11:10', '12:00'), settings, availability, now)).toEqual({ code: 'ROOM_TAKEN', turnaround: true });
    expect(checkSlot(slot('a', '09:00', '09:50'), settings, availability, now)).toEqual({ code: 'ROOM_TAKEN', turnaround: true });
    expect(checkSlot(slot('a', '11:15', '12:00'), settings, availability, now)).toBeNull();
  });

  it('lets a booking move over its own old slot', () => {
    expect(checkSlot(slot('a', '10:30', '11:30', 30, 'mine'), settings, availability, now)).toBeNull();
  });

  it('refuses more seats than the room has', () => {
    expect(checkSlot(slot('a', '12:00', '13:00', 81), settings, availability, now)).toEqual({ code: 'SEATS_OVER_CAPACITY', capacity: 80 });
  });

  it('refuses when the licence pool is short, counting the moved booking’s own seats as free', () => {
    expect(checkSlot(slot('b', '10:00', '11:00', 11), settings, availability, now)).toEqual({ code: 'SEAT_POOL_FULL', seatsLeft: 10 });
    expect(checkSlot(slot('b', '10:00', '11:00', 30, 'mine'), settings, availability, now)).toBeNull();
  });

  it('finds the lowest seats left over a range', () => {
    expect(lowestSeatsLeft(availability, Date.parse('2026-03-03T09:00:00Z'), Date.parse('2026-03-03T10:30:00Z'))).toBe(10);
    expect(lowestSeatsLeft(availability, Date.parse('2026-03-03T11:00:00Z'), Date.parse('2026-03-03T12:00:00Z'))).toBe(100);
    expect(lowestSeatsLeft(availability, Date.parse('2026-04-01T00:00:00Z'), Date.parse('2026-04-02T00:00:00Z'))).toBeNull();
  });
});
