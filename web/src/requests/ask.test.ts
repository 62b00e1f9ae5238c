import { describe, expect, it } from 'vitest';
import type { Booking } from '../api/types.ts';
import { bookAgainPath } from './ask.ts';

const ME = 'me-0000';
const booking = (startLocal: string, endLocal: string, start: string, over: Partial<Booking> = {}): Booking =>
  ({
    id: 'b-1',
    title: 'Seminario di dottorato',
    description: 'Ciclo XXXIX',
    roomId: 'room-1',
    roomName: 'Sala Fermi',
    timeZone: 'Europe/Rome',
    seats: 40,
    start,
    startLocal,
    endLocal,
    booker: { id: ME, name: 'Chiara Greco' },
    ...over,
  }) as Booking;

const query = (path: string) => Object.fromEntries(new URL(path, 'http://portal').searchParams);

describe('bookAgainPath', () => {
  it('offers the same meeting a week after it, with its room, seats, title, description and local times', () => {
    const b = booking('2026-12-09T10:00', '2026-12-09T11:30', '2026-12-09T09:00:00.000Z');
    const path = bookAgainPath(b, ME, Date.parse('2026-12-07T12:00:00Z'));
    expect(path.startsWith('/bookings/new?')).toBe(true);
    expect(query(path)).toEqual({ roomId: 'room-1', date: '2026-12-16', start: '10:00', end: '11:30', seats: '40', title: 'Seminario di dottorato', description: 'Ciclo XXXIX' });
  });

  it('for a meeting long past, the first same weekday still to come', () => {
    const b = booking('2026-10-07T10:00', '2026-10-07T11:00', '2026-10-07T08:00:00.000Z');
    // Wednesday 7 October; on Wednesday 9 December at noon its hour has gone: the 16th.
    expect(query(bookAgainPath(b, ME, Date.parse('2026-12-09T12:00:00Z'))).date).toBe('2026-12-16');
    // At 08:00 on the 9th, 10:00 is still to come.
    expect(query(bookAgainPath(b, ME, Date.parse('2026-12-09T07:00:00Z'))).date).toBe('2026-12-09');
  });

  it('keeps the local time across a change to summer time', () => {
    // Monday 23 March 2026, 10:00 CET; the clocks go forward on the 29th: 10:00 CEST on the 30th.
    const b = booking('2026-03-23T10:00', '2026-03-23T11:00', '2026-03-23T09:00:00.000Z');
    expect(query(bookAgainPath(b, ME, Date.parse('2026-03-24T12:00:00Z')))).toMatchObject({ date: '2026-03-30', start: '10:00', end: '11:00' });
  });

  it('books for the same person again when the meeting was someone else’s', () => {
    const b = booking('2026-12-09T10:00', '2026-12-09T11:00', '2026-12-09T09:00:00.000Z', { booker: { id: 'prof-1', name: 'Marco Rossi' } } as Partial<Booking>);
    expect(query(bookAgainPath(b, ME, Date.parse('2026-12-07T12:00:00Z')))).toMatchObject({ ownerId: 'prof-1', ownerName: 'Marco Rossi' });
    expect(query(bookAgainPath(booking('2026-12-09T10:00', '2026-12-09T11:00', '2026-12-09T09:00:00.000Z'), ME, Date.parse('2026-12-07T12:00:00Z')))).not.toHaveProperty('ownerId');
  });
});
