import { describe, expect, it } from 'vitest';
import type { BookingPolicy } from './booking-rules.ts';
import { nearestFreeSlots, roomFree } from './suggestions.ts';

const policy: BookingPolicy = {
  seatPool: 500,
  turnaroundMinutes: 15,
  minDurationMinutes: 15,
  maxDurationMinutes: 720,
  maxDaysAhead: 180,
  granularityMinutes: 5,
  defaultTimeZone: 'Europe/Rome',
};
const at = (h: number, m = 0) => new Date(Date.UTC(2026, 3, 1, h, m));
const rooms = [
  { id: 'small', name: 'Small', capacity: 50, active: true },
  { id: 'big', name: 'Big', capacity: 200, active: true },
  { id: 'closed', name: 'Closed', capacity: 200, active: false },
];
const now = at(0);

describe('roomFree', () => {
  it('keeps the turnaround on both sides', () => {
    const busy = [{ roomId: 'small', start: at(10), end: at(11), seats: 10 }];
    expect(roomFree('small', { start: at(11, 10), end: at(12) }, busy, 15)).toBe(false);
    expect(roomFree('small', { start: at(11, 15), end: at(12) }, busy, 15)).toBe(true);
    expect(roomFree('small', { start: at(9), end: at(9, 50) }, busy, 15)).toBe(false);
    expect(roomFree('small', { start: at(9), end: at(9, 45) }, busy, 15)).toBe(true);
    expect(roomFree('big', { start: at(10), end: at(11) }, busy, 15)).toBe(true);
  });
});

describe('nearestFreeSlots', () => {
  it('offers the same room right after the turnaround and another room at the same time', () => {
    const busy = [{ roomId: 'small', start: at(10), end: at(11), seats: 10 }];
    const s = nearestFreeSlots({ slot: { start: at(10, 30), end: at(11, 30) }, seats: 20, roomId: 'small', rooms, busy, policy, now });
    expect(s[0]).toEqual({ roomId: 'small', roomName: 'Small', start: at(11, 15), end: at(12, 15) });
    expect(s.find((x) => x.roomId === 'big')).toEqual({ roomId: 'big', roomName: 'Big', start: at(10, 30), end: at(11, 30) });
    expect(s.some((x) => x.roomId === 'closed')).toBe(false);
  });

  it('never offers a room too small, or a slot over the seat pool, or in the past', () => {
    const busy = [
      { roomId: 'big', start: at(9), end: at(12), seats: 200 },
      { roomId: 'x', start: at(9), end: at(13), seats: 450 },
    ];
    const s = nearestFreeSlots({ slot: { start: at(10), end: at(11) }, seats: 100, roomId: 'big', rooms, busy, policy, now: at(9) });
    expect(s.length).toBeGreaterThan(0);
    for (const x of s) {
      expect(x.roomId).toBe('big');
      // The room is busy until 12:15 with its turnaround; 450 + 100 seats exceed the pool until 13:00;
      // earlier slots before 9:00 would be in the past.
      expect(x.start.getTime()).toBeGreaterThanOrEqual(at(13).getTime());
    }
    expect(s[0]!.start).toEqual(at(13));
  });

  it('returns nothing when nothing fits within the search window', () => {
    const busy = [{ roomId: 'p', start: at(0), end: at(23, 59), seats: 500 }];
    expect(nearestFreeSlots({ slot: { start: at(10), end: at(11) }, seats: 1, roomId: 'small', rooms, busy, policy, now, searchHours: 6 })).toEqual([]);
  });
});
