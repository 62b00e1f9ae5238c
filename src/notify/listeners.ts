// Booking, series and invitee changes enqueue a mail job inside their own transaction: the mail
// exists exactly when the change does, and sending (with its retries) never holds up a booking.
// The mails a change sends to others count against its author's hourly limit in that same
// transaction (app/sender-limits.ts): over it, the change is refused, except cancellations.
import type { InviteeListener } from '../app/invitees.ts';
import { countMails, type InvitationLimits } from '../app/sender-limits.ts';
import type { Booking, BookingEvent, BookingListener, CallContext, Clock, Repositories, SeriesEvent, SeriesListener } from '../ports.ts';
import type { ComposeJob, MailWas } from './compose.ts';

export const COMPOSE_QUEUE = 'mail-compose';

export type MailListeners = { booking: BookingListener; series: SeriesListener; invitee: InviteeListener };

export function mailListeners(limits: InvitationLimits, clock: Clock): MailListeners {
  /**
   * Mails to the invitees of a booking or series (the booker's own copy is not counted); the invitees
   * told. Those who asked for no more mail about the meeting are not told, nor counted.
   */
  const countInvitees = async (r: Repositories, ctx: CallContext, target: { bookingId: string } | { seriesId: string }, cancelling: boolean) => {
    const invitees = (await r.bookings.invitees.list(target)).filter((i) => !i.muted);
    await countMails(r, ctx.actor.userId, limits, clock.now(), invitees.length, { refusable: !cancelling });
    return invitees;
  };

  /** The author's words ride in the job: a message is said once, with the change it explains. */
  const said = (e: { message?: string | undefined; ctx: CallContext }) => (e.message ? { message: { text: e.message, from: e.ctx.actor.userId } } : {});

  /** Where a change moved a booking from: its time and room before, those that changed (undefined: neither). */
  const movedFrom = (before: Booking, after: Booking): MailWas | undefined => {
    const moved = before.start.getTime() !== after.start.getTime() || before.end.getTime() !== after.end.getTime();
    const roomChanged = before.roomId !== after.roomId;
    if (!moved && !roomChanged) return undefined;
    return { ...(moved && { slot: { start: before.start.toISOString(), end: before.end.toISOString() } }), ...(roomChanged && { roomName: before.roomName }) };
  };

  /** An update that moved a booking says from where. */
  const was = (e: BookingEvent): { was?: MailWas } => {
    const from = e.action === 'updated' && e.before ? movedFrom(e.before, e.after) : undefined;
    return from ? { was: from } : {};
  };

  /** A change of a whole series that moved its next date says where that date was, under it. */
  const nextWas = (e: SeriesEvent): { nextWas?: { bookingId: string } & MailWas } => {
    const from = e.next && movedFrom(e.next.before, e.next.after);
    return from ? { nextWas: { bookingId: e.next!.after.id, ...from } } : {};
  };

  /**
   * A new booking's (or series') mail is its booker's alone: nobody can be invited before it exists,
   * and those invited right after get their own invitation. Without this, a compose job that ran
   * after them (a busy queue) read them among the invitees and sent them a second invitation.
   */
  const bookerOnly = (isNew: boolean) => (isNew ? { bookerOnly: true } : {});

  /**
   * A change's mail is for the people invited when it was made: someone invited after it, before its
   * job ran (a busy queue), already has the meeting as it is now in their invitation. Their ids ride
   * in the job (at most the invitee limit of one booking or series).
   */
  const invitedAtChange = (invitees: readonly { id: string }[]) => ({ inviteeIds: invitees.map((i) => i.id) });

  const booking: BookingListener = async (r, e) => {
    const b = e.after;
    if (b.seriesId) {
      // People invited to this date alone were sent its own invitation (UID booking-<id>): they hear
      // of its changes the same way, whether the date changed alone or with its series.
      if (e.action !== 'created') {
        for (const i of await countInvitees(r, e.ctx, { bookingId: b.id }, e.action === 'cancelled')) {
          const to = { email: i.email, locale: i.locale, timeZone: i.timeZone };
          await r.jobs.enqueue(COMPOSE_QUEUE, { kind: 'booking', id: b.id, sequence: b.sequence, action: e.action, method: e.action === 'cancelled' ? 'CANCEL' : 'REQUEST', to, ...said(e), ...was(e) } satisfies ComposeJob);
        }
      }
      // A series-wide change is mailed once, by the series listener.
      if (e.partOfSeries) return;
      const series = await r.bookings.series.findById(b.seriesId);
      if (!series) return;
      const job: ComposeJob =
        e.action === 'cancelled'
          ? { kind: 'series', id: series.id, sequence: series.sequence, action: 'cancelled', method: 'CANCEL', recurrenceId: b.recurrenceId!.toISOString(), ...said(e) }
          : // The series' whole invitation goes (its exceptions with it), and the mail says which date moved and from where.
            { kind: 'series', id: series.id, sequence: series.sequence, action: 'updated', method: 'REQUEST', changedDate: { bookingId: b.id, ...was(e) }, ...said(e) };
      const told = await countInvitees(r, e.ctx, { seriesId: series.id }, e.action === 'cancelled');
      await r.jobs.enqueue(COMPOSE_QUEUE, { ...job, ...invitedAtChange(told) });
      return;
    }
    const job: ComposeJob = {
      kind: 'booking',
      id: b.id,
      sequence: b.sequence,
      action: e.action,
      method: e.action === 'cancelled' ? 'CANCEL' : 'REQUEST',
      ...said(e),
      ...was(e),
      ...bookerOnly(e.action === 'created'),
    };
    const told = e.action !== 'created' ? await countInvitees(r, e.ctx, { bookingId: b.id }, e.action === 'cancelled') : null;
    await r.jobs.enqueue(COMPOSE_QUEUE, told ? { ...job, ...invitedAtChange(told) } : job);
  };

  const series: SeriesListener = async (r, e) => {
    const job: ComposeJob = {
      kind: 'series',
      id: e.series.id,
      sequence: e.series.sequence,
      action: e.action,
      method: e.action === 'cancelled' ? 'CANCEL' : 'REQUEST',
      ...said(e),
      ...nextWas(e),
      // The second part of a split series is new, with the first part's invitees already on it.
      ...bookerOnly(e.action === 'created' && !e.series.splitFrom),
    };
    const told = e.action !== 'created' ? await countInvitees(r, e.ctx, { seriesId: e.series.id }, e.action === 'cancelled') : null;
    await r.jobs.enqueue(COMPOSE_QUEUE, told ? { ...job, ...invitedAtChange(told) } : job);
  };

  /**
   * A new invitee gets the invitation; a removed one gets a cancellation (RFC 5546, 3.2.5); one sent
   * it again gets it as an update (the same UID and SEQUENCE: a calendar replaces the entry it has).
   */
  const invitee: InviteeListener = async (r, e) => {
    if (e.invitee.muted) return;
    const to = { email: e.invitee.email, locale: e.invitee.locale, timeZone: e.invitee.timeZone };
    const removed = e.action === 'removed';
    const common = {
      action: e.action === 'added' ? ('created' as const) : removed ? ('cancelled' as const) : ('updated' as const),
      method: removed ? ('CANCEL' as const) : ('REQUEST' as const),
      to,
      ...said(e),
      ...(e.action === 'resent' && { resent: true }),
      ...(e.action === 'made-cohost' && { cohostBy: e.ctx.actor.userId }),
    };
    await countMails(r, e.ctx.actor.userId, limits, clock.now(), 1, { refusable: !removed });
    if ('bookingId' in e.target) {
      const b = await r.bookings.findById(e.target.bookingId);
      if (b) await r.jobs.enqueue(COMPOSE_QUEUE, { kind: 'booking', id: b.id, sequence: b.sequence, ...common } satisfies ComposeJob);
    } else {
      const s = await r.bookings.series.findById(e.target.seriesId);
      if (s) await r.jobs.enqueue(COMPOSE_QUEUE, { kind: 'series', id: s.id, sequence: s.sequence, ...common } satisfies ComposeJob);
    }
  };

  return { booking, series, invitee };
}
