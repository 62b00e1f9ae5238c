// Invitations by e-mail must not be a relay for spam (issue #11): a booking or series has at most
// `perBooking` invitees, a person adds at most `newPerDay` invitees from outside the portal per UTC
// day, and a person's changes cause at most `mailsPerHour` mails to others per hour. Each count is
// taken in the transaction of the change, so parallel requests cannot overshoot it and a refused
// change leaves no count behind.
import { AppError } from '../domain/errors.ts';
import type { CallContext, Repositories } from '../ports.ts';

export type InvitationLimits = { perBooking: number; newPerDay: number; mailsPerHour: number };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const windowOf = (now: Date, length: number) => new Date(Math.floor(now.getTime() / length) * length);
const secondsLeft = (now: Date, length: number) => Math.max(1, Math.ceil((windowOf(now, length).getTime() + length - now.getTime()) / 1000));

export function tooManyInvitees(limit: number): AppError {
  return new AppError(
    'unprocessable',
    'TOO_MANY_INVITEES',
    `At most ${limit} people can be invited by e-mail; share the guest link with larger audiences.`,
    { limit },
    { it: `Si possono invitare via email al massimo ${limit} persone; per un pubblico più ampio condividi il link per gli ospiti.` },
  );
}

/** Counts one new invitee from outside the portal against the person's day. */
export async function countNewInvitee(r: Repositories, ctx: CallContext, limits: InvitationLimits, now: Date): Promise<void> {
  const n = await r.senders.add(ctx.actor.userId, 'new-invitees', windowOf(now, DAY), 1);
  if (n > limits.newPerDay) {
    const wait = secondsLeft(now, DAY);
    throw new AppError(
      'rate-limited',
      'INVITEE_LIMIT_REACHED',
      `You have invited ${limits.newPerDay} people from outside the portal today, the most allowed in a day. Try again tomorrow (after midnight UTC), or share the guest link.`,
      { limit: limits.newPerDay, retryAfterSeconds: wait },
      { it: `Oggi hai già invitato ${limits.newPerDay} persone esterne al portale, il massimo in un giorno. Riprova domani (dopo la mezzanotte UTC) oppure condividi il link per gli ospiti.` },
    );
  }
}

/**
 * Counts `mails` mails a change of the person (`senderId`) causes to others. A cancellation is
 * counted but never refused: telling people a meeting is off always goes out.
 */
export async function countMails(r: Repositories, senderId: string, limits: InvitationLimits, now: Date, mails: number, o: { refusable: boolean }): Promise<void> {
  if (mails <= 0) return;
  const n = await r.senders.add(senderId, 'mails', windowOf(now, HOUR), mails);
  if (o.refusable && n > limits.mailsPerHour) {
    const wait = secondsLeft(now, HOUR);
    throw new AppError(
      'rate-limited',
      'MAIL_LIMIT_REACHED',
      `This change would send more than ${limits.mailsPerHour} mails from you within an hour, the most allowed. Nothing was changed; try again in ${Math.ceil(wait / 60)} minute(s).`,
      { limit: limits.mailsPerHour, retryAfterSeconds: wait },
      { it: `Questa modifica invierebbe a tuo nome più di ${limits.mailsPerHour} email in un’ora, il massimo consentito. Non è stato cambiato nulla; riprova tra ${Math.ceil(wait / 60)} minuti.` },
    );
  }
}
