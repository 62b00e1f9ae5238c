import { describe, expect, it } from 'vitest';
import { bookForRefusal, canManageBooking, type Actor, type BookingOwner } from './access.ts';

const member: Actor = { userId: 'u-sec', role: 'member', institutionId: 'i-office' };
const manager: Actor = { userId: 'u-man', role: 'institution-manager', institutionId: 'i-uni' };
const admin: Actor = { userId: 'u-adm', role: 'admin', institutionId: null };
const professor: BookingOwner = { id: 'u-prof', role: 'member', institutionId: 'i-uni', disabled: false };

describe('who may book for whom (issue #17)', () => {
  it('lets anyone book for themself', () => {
    expect(bookForRefusal(member, { id: 'u-sec', role: 'member', institutionId: 'i-office', disabled: false }, 'none')).toBeNull();
  });
  it('lets a delegate book only once they accepted', () => {
    expect(bookForRefusal(member, professor, 'accepted')).toBeNull();
    expect(bookForRefusal(member, professor, 'pending')?.en).toMatch(/not yet accepted/);
    expect(bookForRefusal(member, professor, 'none')?.it).toMatch(/Puoi prenotare solo/);
  });
  it('lets a manager book for the members of their institution, not of another', () => {
    expect(bookForRefusal(manager, professor, 'none')).toBeNull();
    expect(bookForRefusal(manager, { ...professor, institutionId: 'i-other' }, 'none')).not.toBeNull();
    expect(bookForRefusal({ ...manager, institutionId: null }, { ...professor, institutionId: null }, 'none')).not.toBeNull();
  });
  it('lets an admin book for anyone, but nobody for a disabled account', () => {
    expect(bookForRefusal(admin, professor, 'none')).toBeNull();
    expect(bookForRefusal(admin, { ...professor, disabled: true }, 'none')?.en).toMatch(/disabled/);
    expect(bookForRefusal(member, { ...professor, disabled: true }, 'accepted')).not.toBeNull();
  });
  it('lets the person who booked on behalf change and cancel the booking', () => {
    expect(canManageBooking(member, { bookerId: 'u-prof', institutionId: 'i-uni', bookedById: 'u-sec' })).toBe(true);
    expect(canManageBooking(member, { bookerId: 'u-prof', institutionId: 'i-uni', bookedById: null })).toBe(false);
    expect(canManageBooking(member, { bookerId: 'u-prof', institutionId: 'i-uni' })).toBe(false);
  });
});
