// Who may book: members of an institution whose subscription is active, for meetings inside the
// subscription period. Admins book for the service itself and are not bound by a subscription.
import { DateTime } from 'luxon';
import type { Actor } from './access.ts';
import type { Slot } from './booking-rules.ts';
import { AppError } from './errors.ts';

export type Subscription = { name: string; subscriptionStart: string | null; subscriptionEnd: string | null };

/** Why `actor` may not book now, in English and Italian, or null when they may. */
export function bookingRefusal(actor: Actor, institution: Subscription | null, now: Date, zone: string): { en: string; it: string } | null {
  if (actor.role === 'admin') return null;
  if (!institution) {
    return {
      en: 'Your account does not belong to a subscribing institution, so you can join meetings but not book rooms. Ask your institution’s WebMeetings contact or an administrator to add you.',
      it: 'Il tuo account non appartiene a un ente abbonato, quindi puoi partecipare alle riunioni ma non prenotare aule. Chiedi al referente WebMeetings del tuo ente o a un amministratore di aggiungerti.',
    };
  }
  const today = DateTime.fromJSDate(now, { zone }).toISODate() ?? '';
  if (institution.subscriptionStart && today < institution.subscriptionStart) {
    return {
      en: `The subscription of ${institution.name} starts on ${institution.subscriptionStart}; bookings open then.`,
      it: `L’abbonamento di ${institution.name} inizia il ${institution.subscriptionStart}; da allora si potrà prenotare.`,
    };
  }
  if (institution.subscriptionEnd && today > institution.subscriptionEnd) {
    return {
      en: `The subscription of ${institution.name} ended on ${institution.subscriptionEnd}. Ask your institution’s WebMeetings contact to renew it.`,
      it: `L’abbonamento di ${institution.name} è terminato il ${institution.subscriptionEnd}. Chiedi al referente WebMeetings del tuo ente di rinnovarlo.`,
    };
  }
  return null;
}

export function checkMayBook(actor: Actor, institution: Subscription | null, now: Date, slot: Slot, zone: string): void {
  const refusal = bookingRefusal(actor, institution, now, zone);
  if (refusal) throw new AppError('forbidden', 'NOT_ALLOWED_TO_BOOK', refusal.en, {}, { it: refusal.it });
  if (actor.role === 'admin' || !institution?.subscriptionEnd) return;
  const lastDay = DateTime.fromJSDate(new Date(slot.end.getTime() - 1), { zone }).toISODate() ?? '';
  if (lastDay > institution.subscriptionEnd) {
    throw new AppError(
      'unprocessable',
      'OUTSIDE_SUBSCRIPTION',
      `The subscription of ${institution.name} ends on ${institution.subscriptionEnd}; choose a date up to then.`,
      {},
      { it: `L’abbonamento di ${institution.name} termina il ${institution.subscriptionEnd}; scegli una data fino ad allora.` },
    );
  }
}
