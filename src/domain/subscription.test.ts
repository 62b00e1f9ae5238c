import { describe, expect, it } from 'vitest';
import { bookingRefusal } from './subscription.ts';

const member = { userId: 'u', role: 'member' as const, institutionId: 'i' };
const inst = { name: 'Ateneo', subscriptionStart: '2026-01-01', subscriptionEnd: '2026-06-30' };
const zone = 'Europe/Rome';

describe('bookingRefusal', () => {
  it('allows members of an institution inside its subscription, on its first and last day', () => {
    expect(bookingRefusal(member, inst, new Date('2026-03-01T12:00:00Z'), zone)).toBeNull();
    expect(bookingRefusal(member, inst, new Date('2025-12-31T23:30:00Z'), zone)).toBeNull(); // already 1 January in Rome
    expect(bookingRefusal(member, inst, new Date('2026-06-30T21:59:00Z'), zone)).toBeNull();
  });
  it('explains a subscription not started, ended, or missing, in English and Italian', () => {
    expect(bookingRefusal(member, inst, new Date('2025-12-31T12:00:00Z'), zone)?.en).toMatch(/starts on 2026-01-01/);
    expect(bookingRefusal(member, inst, new Date('2026-06-30T22:00:00Z'), zone)?.en).toMatch(/ended on 2026-06-30/);
    expect(bookingRefusal(member, null, new Date(), zone)?.en).toMatch(/not belong to a subscribing institution/);
    expect(bookingRefusal(member, inst, new Date('2026-06-30T22:00:00Z'), zone)?.it).toMatch(/è terminato il 2026-06-30/);
  });
  it('does not bind administrators', () => {
    expect(bookingRefusal({ ...member, role: 'admin' }, null, new Date(), zone)).toBeNull();
  });
});
