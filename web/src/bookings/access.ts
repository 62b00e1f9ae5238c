import type { Booking, Me } from '../api/types.ts';

/**
 * Who may change a booking, as the API decides (domain/access.ts canManageBooking): an
 * administrator, its booker, whoever booked it for them, a manager of its institution.
 */
export const mayManage = (me: Me, b: Pick<Booking, 'booker' | 'bookedBy' | 'institutionId'>): boolean =>
  me.role === 'admin' ||
  b.booker.id === me.id ||
  b.bookedBy?.id === me.id ||
  (me.role === 'institution-manager' && b.institutionId !== null && b.institutionId === me.institution?.id);
