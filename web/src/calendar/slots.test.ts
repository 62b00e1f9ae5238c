import { describe, expect, it } from 'vitest';
import { fullFormAddress, slotFromClick } from './slots.ts';

describe('a click on free space', () => {
  it('books the half hour under the pointer, for an hour', () => {
    expect(slotFromClick('2026-03-16T15:10:00', 15, 480)).toEqual({ start: '2026-03-16T15:00', end: '2026-03-16T16:00' });
    expect(slotFromClick('2026-03-16T15:45', 15, 480)).toEqual({ start: '2026-03-16T15:30', end: '2026-03-16T16:30' });
  });

  it('keeps to the shortest and longest booking the portal allows', () => {
    expect(slotFromClick('2026-03-16T09:00', 90, 480).end).toBe('2026-03-16T10:30');
    expect(slotFromClick('2026-03-16T09:00', 15, 30).end).toBe('2026-03-16T09:30');
  });

  it('runs past midnight on the wall clock', () => {
    expect(slotFromClick('2026-03-16T23:40', 15, 480)).toEqual({ start: '2026-03-16T23:30', end: '2026-03-17T00:30' });
  });
});

describe('"more options" from the quick dialog', () => {
  const slot = { roomId: 'r1', timeZone: 'Europe/Rome', start: '2026-03-16T16:00:00Z', end: '2026-03-16T17:00:00Z' };

  it('carries the room, the date and the times in the room’s zone, and what was typed', () => {
    const url = new URL(fullFormAddress(slot, { title: 'Corso di dottorato', seats: '12', description: '' }), 'https://x');
    expect(url.pathname).toBe('/bookings/new');
    expect(Object.fromEntries(url.searchParams)).toEqual({ roomId: 'r1', date: '2026-03-16', start: '17:00', end: '18:00', seats: '12', title: 'Corso di dottorato' });
  });

  it('leaves the end to the form when the slot crosses midnight', () => {
    const late = { ...slot, start: '2026-03-16T22:30:00Z', end: '2026-03-16T23:30:00Z' };
    const query = new URL(fullFormAddress(late, { title: '', seats: ' ', description: '' }), 'https://x').searchParams;
    expect(query.get('start')).toBe('23:30');
    expect(query.has('end')).toBe(false);
    expect(query.has('seats')).toBe(false);
  });

  it('carries the person chosen under "Book for"', () => {
    const query = new URL(fullFormAddress(slot, { title: '', seats: '5', description: '', owner: { id: 'u-prof', name: 'Paolo Neri' } }), 'https://x').searchParams;
    expect(query.get('ownerId')).toBe('u-prof');
    expect(query.get('ownerName')).toBe('Paolo Neri');
  });
});
