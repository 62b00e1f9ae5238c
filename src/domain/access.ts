// Who may see and change what. Every use-case asks these with the caller's actor first, so the
// rule is visible in one place and the same for the API and the UI.

export const ROLES = ['admin', 'institution-manager', 'member'] as const;
export type Role = (typeof ROLES)[number];

export type Actor = {
  userId: string;
  role: Role;
  institutionId: string | null;
  /** The person's saved language, for the messages people read (http/errors.ts); null: none saved. */
  locale?: 'it' | 'en' | null;
};

export type BookingOwnership = { bookerId: string; institutionId: string | null };

/** A member sees and changes their own bookings, a manager those of their institution, an admin all. */
export function canManageBooking(actor: Actor, booking: BookingOwnership): boolean {
  if (actor.role === 'admin') return true;
  if (booking.bookerId === actor.userId) return true;
  return actor.role === 'institution-manager' && actor.institutionId !== null && booking.institutionId === actor.institutionId;
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';
