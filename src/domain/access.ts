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

/** `bookerId` is the owner; `bookedById` the person who booked it for them (issue #17), if another. */
export type BookingOwnership = { bookerId: string; institutionId: string | null; bookedById?: string | null | undefined };

/**
 * A member sees and changes their own bookings and those they made for someone else, a manager
 * those of their institution, an admin all.
 */
export function canManageBooking(actor: Actor, booking: BookingOwnership): boolean {
  if (actor.role === 'admin') return true;
  if (booking.bookerId === actor.userId) return true;
  if (booking.bookedById && booking.bookedById === actor.userId) return true;
  return actor.role === 'institution-manager' && actor.institutionId !== null && booking.institutionId === actor.institutionId;
}

/** The person a booking would be for, as the on-behalf rule sees them. */
export type BookingOwner = { id: string; role: Role; institutionId: string | null; disabled: boolean };
/** The delegation the owner gave the booker: none, asked but not yet accepted, or accepted. */
export type DelegationState = 'none' | 'pending' | 'accepted';

/**
 * Who may book for whom (issue #17): anyone for themself; an admin for anyone; an institution
 * manager for the members of their institution; anyone else only for a person who named them
 * delegate and whose request they accepted. Answers why not, or null when they may.
 */
export function bookForRefusal(actor: Actor, owner: BookingOwner, delegation: DelegationState): { en: string; it: string } | null {
  if (owner.id === actor.userId) return null;
  if (owner.disabled) return { en: 'This account is disabled: nobody can book for it.', it: 'Questo account è disattivato: nessuno può prenotare per suo conto.' };
  if (actor.role === 'admin') return null;
  if (actor.role === 'institution-manager' && actor.institutionId !== null && owner.institutionId === actor.institutionId) return null;
  if (delegation === 'accepted') return null;
  if (delegation === 'pending') {
    return {
      en: 'You have not yet accepted this person’s request to book for them: accept it in your account under "People I book for", then book again.',
      it: 'Non hai ancora accettato la richiesta di questa persona di prenotare per suo conto: accettala nel tuo account, in "Persone per cui prenoto", poi prenota di nuovo.',
    };
  }
  return {
    en: 'You may book only for people who named you their delegate (and you accepted) or, as an institution manager, for the members of your institution.',
    it: 'Puoi prenotare solo per chi ti ha nominato suo delegato (e tu hai accettato) o, come referente di un ente, per i membri del tuo ente.',
  };
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';
