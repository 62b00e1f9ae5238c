// People the booker invites by e-mail to a booking or a whole series. Adding one sends them the
// invitation; removing one sends them a cancellation (listeners, inside the same transaction).
import { canManageBooking } from '../domain/access.ts';
import { checkNotEnded } from '../domain/booking-rules.ts';
import { AppError, bookingNotFound, notFound, seriesNotFound, timeZoneRefused } from '../domain/errors.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { CallContext, Clock, Invitee, InviteeReply, InviteeTarget, Repositories, UnitOfWork } from '../ports.ts';
import { countNewInvitee, tooManyInvitees, type InvitationLimits } from './sender-limits.ts';

/** An entry of the booking's (or series') history, by whoever acted. */
const auditOf = (ctx: CallContext, target: InviteeTarget) => ({
  actorId: ctx.actor.userId,
  entity: 'bookingId' in target ? 'booking' : 'series',
  entityId: 'bookingId' in target ? target.bookingId : target.seriesId,
  before: null,
  requestId: ctx.requestId,
});
const inviteeNotFound = () => notFound('INVITEE_NOT_FOUND', 'No such invitee on this booking.', { it: 'Questa persona non è tra gli invitati di questa prenotazione.' });

/**
 * `message`: the inviter's words, mailed with the invitation. `resent`: the invitation again, with
 * the meeting's links as they are now. `made-cohost`: they host the meeting from now on (they are told).
 */
export type InviteeEvent = { action: 'added' | 'removed' | 'resent' | 'made-cohost'; target: InviteeTarget; invitee: Invitee; ctx: CallContext; message?: string | undefined };
export type InviteeListener = (repos: Repositories, event: InviteeEvent) => Promise<void>;

/**
 * What the link in an invitee's mails shows them: the meeting (a series' next date), their answer
 * and their choice about mail. `state`: whether there is still something to answer for.
 */
export type InviteeLinkView = {
  invitee: Invitee;
  /** `bookingId`: the booking, or the series' next date (the one its links lead to). */
  meeting: { bookingId: string; seriesId: string | null; title: string; roomName: string; start: Date; end: Date; timeZone: string; bookerName: string; series: boolean };
  state: 'ahead' | 'over' | 'cancelled';
};

/** An answer is for a meeting still ahead: a cancelled or ended one has nothing to answer. */
function answerable(state: InviteeLinkView['state']): void {
  if (state === 'ahead') return;
  const cancelled = state === 'cancelled';
  throw new AppError(
    'unprocessable',
    cancelled ? 'BOOKING_CANCELLED' : 'BOOKING_ENDED',
    cancelled ? 'This meeting was cancelled: there is nothing to answer.' : 'This meeting is over: there is nothing to answer.',
    {},
    { it: cancelled ? 'Questa riunione è stata annullata: non c’è nulla a cui rispondere.' : 'Questa riunione è terminata: non c’è nulla a cui rispondere.' },
  );
}

/** The secret of a reply link: 64 hex digits (migration 025); anything else is looked up nowhere. */
const REPLY_TOKEN = /^[0-9a-f]{64}$/;

export class InviteeService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly limits: InvitationLimits;
  private readonly listeners: InviteeListener[] = [];
  constructor(deps: { uow: UnitOfWork; clock: Clock; limits: InvitationLimits }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.limits = deps.limits;
  }

  onChange(listener: InviteeListener): void {
    this.listeners.push(listener);
  }

  async list(ctx: CallContext, target: InviteeTarget): Promise<Invitee[]> {
    await this.authorise(this.uow.repos, ctx, target);
    return this.uow.repos.bookings.invitees.list(target);
  }

  /** Invites one person; 409 ALREADY_INVITED when they are. */
  async add(ctx: CallContext, target: InviteeTarget, input: { email: string; locale: 'it' | 'en'; timeZone?: string | undefined; message?: string | undefined }): Promise<Invitee> {
    const { added } = await this.addMany(ctx, target, { emails: [input.email], locale: input.locale, timeZone: input.timeZone, message: input.message });
    if (!added[0]) throw new AppError('conflict', 'ALREADY_INVITED', `${input.email} is already invited.`, {}, { it: `${input.email} è già tra gli invitati.` });
    return added[0];
  }

  /**
   * Invites several people at once (a list pasted from a mail's To line): all of them or, when a
   * limit refuses one, none, in one transaction; those already invited are named, not refused.
   * The caller bounds the list (the API: 50), so one request sends at most that many invitations.
   */
  async addMany(
    ctx: CallContext,
    target: InviteeTarget,
    input: { emails: readonly string[]; locale: 'it' | 'en'; timeZone?: string | undefined; message?: string | undefined },
  ): Promise<{ added: Invitee[]; alreadyInvited: string[] }> {
    if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) throw timeZoneRefused();
    // Once each, as typed first (addresses compare without case, as the table's unique index does).
    const seen = new Set<string>();
    const emails = input.emails.map((e) => e.trim()).filter((e) => !seen.has(e.toLowerCase()) && seen.add(e.toLowerCase()));
    return this.uow.transaction(async (r) => {
      // The booking's (or series') row is locked from here: parallel adds count one after the other.
      await this.authorise(r, ctx, target, true);
      const invited = new Set((await r.bookings.invitees.list(target)).map((i) => i.email.toLowerCase()));
      const fresh = emails.filter((e) => !invited.has(e.toLowerCase()));
      if (invited.size + fresh.length > this.limits.perBooking) throw tooManyInvitees(this.limits.perBooking);
      const added: Invitee[] = [];
      for (const email of fresh) {
        // People with an account on the portal are not a spam audience; everyone else counts.
        if (!(await r.users.findByEmail(email))) await countNewInvitee(r, ctx, this.limits, this.clock.now());
        const invitee = await r.bookings.invitees.add(target, { email, locale: input.locale, timeZone: input.timeZone ?? null });
        if (!invitee) continue; // not reached: the row lock above orders every add to this list
        for (const l of this.listeners) await l(r, { action: 'added', target, invitee, ctx, message: input.message });
        added.push(invitee);
      }
      return { added, alreadyInvited: emails.filter((e) => invited.has(e.toLowerCase())) };
    });
  }

  /**
   * The invitation again to everyone invited, with the meeting's links as they are now: after a new
   * guest link or PIN, the mails they have lead nowhere. One transaction: every mail or, over the
   * sender's hourly limit, none. The list is bounded by the invitees' limit per booking.
   */
  async resend(ctx: CallContext, target: InviteeTarget, message?: string): Promise<{ sent: number }> {
    return this.uow.transaction(async (r) => {
      await this.authorise(r, ctx, target, true);
      // Not to those who asked for no more mail about this meeting.
      const invitees = (await r.bookings.invitees.list(target)).filter((i) => !i.muted);
      for (const invitee of invitees) for (const l of this.listeners) await l(r, { action: 'resent', target, invitee, ctx, message });
      // The words stay with it, as a change's do (the history shows them).
      if (invitees.length > 0) await r.audit.record({ ...auditOf(ctx, target), action: 'booking.invitation-resent', after: { sent: invitees.length, ...(message && { message }) } });
      return { sent: invitees.length };
    });
  }

  /** Makes someone invited a co-host (they enter the meeting as host, and are told by mail) or an attendee again. */
  async setCohost(ctx: CallContext, target: InviteeTarget, id: string, cohost: boolean): Promise<Invitee> {
    return this.uow.transaction(async (r) => {
      await this.authorise(r, ctx, target, true);
      const invitee = await r.bookings.invitees.setCohost(target, id, cohost);
      if (!invitee) throw inviteeNotFound();
      await r.audit.record({ ...auditOf(ctx, target), action: cohost ? 'booking.cohost-added' : 'booking.cohost-removed', after: { email: invitee.email } });
      // Someone who now hosts should know before the meeting; undoing it is the booker's own affair.
      if (cohost) for (const l of this.listeners) await l(r, { action: 'made-cohost', target, invitee, ctx });
      return invitee;
    });
  }

  async remove(ctx: CallContext, target: InviteeTarget, id: string): Promise<void> {
    await this.uow.transaction(async (r) => {
      await this.authorise(r, ctx, target, true);
      const invitee = await r.bookings.invitees.remove(target, id);
      if (!invitee) throw inviteeNotFound();
      for (const l of this.listeners) await l(r, { action: 'removed', target, invitee, ctx });
    });
  }

  /** The page of an invitee's reply link; null when the link leads nowhere (removed, or never was). */
  async reply(token: string): Promise<InviteeLinkView | null> {
    if (!REPLY_TOKEN.test(token)) return null;
    const invitee = await this.uow.repos.bookings.invitees.findByReplyToken(token);
    return invitee && this.replyOf(this.uow.repos, invitee);
  }

  /**
   * The invitee's answer (will they come) or their choice about mail, from their link, without an
   * account. An answer is for a meeting still ahead; mail can be turned off or on at any time (a
   * one-click unsubscribe must work, RFC 8058). Answering again replaces the answer.
   */
  async answer(token: string, change: { reply?: InviteeReply; muted?: boolean }): Promise<InviteeLinkView | null> {
    if (!REPLY_TOKEN.test(token)) return null;
    return this.uow.transaction(async (r) => {
      const invitee = await r.bookings.invitees.findByReplyToken(token);
      if (!invitee) return null;
      const before = await this.replyOf(r, invitee);
      if (!before) return null;
      if (change.reply) answerable(before.state);
      const after = await r.bookings.invitees.setReply(invitee.id, change, this.clock.now());
      return after && { ...before, invitee: after };
    });
  }

  /**
   * A signed-in person's answer from the meetings they are invited to (by their account's address,
   * as joining matches it): to this date's own invitation, else to its series' (then for every date).
   */
  async answerAsInvited(ctx: CallContext, bookingId: string, reply: InviteeReply): Promise<InviteeReply> {
    return this.uow.transaction(async (r) => {
      const me = await r.users.findById(ctx.actor.userId);
      const b = await r.bookings.findById(bookingId);
      const mine = (list: Invitee[]) => list.filter((i) => i.email.toLowerCase() === me?.email.toLowerCase());
      const [own, ofSeries] = me && b ? [mine(await r.bookings.invitees.list({ bookingId: b.id })), b.seriesId ? mine(await r.bookings.invitees.list({ seriesId: b.seriesId })) : []] : [[], []];
      const invitation = own[0] ?? ofSeries[0];
      // Not invited reads as no such booking, as for anyone else who may not see it.
      if (!b || !invitation) throw bookingNotFound();
      answerable(b.status === 'cancelled' ? 'cancelled' : b.end.getTime() <= this.clock.now().getTime() ? 'over' : 'ahead');
      await r.bookings.invitees.setReply(invitation.id, { reply }, this.clock.now());
      return reply;
    });
  }

  /** The meeting an invitee's link is about, as it is now: the booking, or the series' next date. */
  private async replyOf(r: Repositories, invitee: Invitee): Promise<InviteeLinkView | null> {
    const now = this.clock.now().getTime();
    if (invitee.bookingId) {
      const b = await r.bookings.findById(invitee.bookingId);
      if (!b) return null;
      const state = b.status === 'cancelled' ? 'cancelled' : b.end.getTime() <= now ? 'over' : 'ahead';
      return { invitee, state, meeting: { bookingId: b.id, seriesId: null, title: b.title, roomName: b.roomName, start: b.start, end: b.end, timeZone: b.timeZone, bookerName: b.bookerName, series: false } };
    }
    const s = invitee.seriesId ? await r.bookings.series.findById(invitee.seriesId) : null;
    if (!s) return null;
    const dates = (await r.bookings.ofSeries(s.id)).filter((o) => o.status === 'confirmed');
    const next = dates.find((o) => o.end.getTime() > now) ?? dates.at(-1);
    const firstEnd = new Date(s.firstStart.getTime() + s.durationMinutes * 60_000);
    const state = s.status === 'cancelled' ? 'cancelled' : next && next.end.getTime() > now ? 'ahead' : 'over';
    return {
      invitee,
      state,
      meeting: {
        bookingId: next?.id ?? s.id,
        seriesId: s.id,
        title: next?.title ?? s.title,
        roomName: next?.roomName ?? s.roomName,
        start: next?.start ?? s.firstStart,
        end: next?.end ?? firstEnd,
        timeZone: s.timeZone,
        bookerName: s.bookerName,
        series: true,
      },
    };
  }

  private async authorise(r: Repositories, ctx: CallContext, target: InviteeTarget, forChange = false): Promise<void> {
    if ('bookingId' in target) {
      const b = await r.bookings.findById(target.bookingId, { forUpdate: forChange });
      if (!b || !canManageBooking(ctx.actor, b)) throw bookingNotFound();
      if (forChange && b.status === 'cancelled') throw new AppError('unprocessable', 'BOOKING_CANCELLED', 'This booking was cancelled; nobody can be invited to it.', {}, { it: 'Questa prenotazione è stata annullata; non si può invitare nessuno.' });
      // An invitation (or its withdrawal) to a meeting that is over would only mail a past hour.
      // (A series' list is the series', for its dates to come: not refused here.)
      if (forChange) checkNotEnded(b, this.clock.now());
    } else {
      const s = await r.bookings.series.findById(target.seriesId, { forUpdate: forChange });
      if (!s || !canManageBooking(ctx.actor, s)) throw seriesNotFound();
      if (forChange && s.status === 'cancelled') throw new AppError('unprocessable', 'SERIES_CANCELLED', 'This series was cancelled; nobody can be invited to it.', {}, { it: 'Questa serie è stata annullata; non si può invitare nessuno.' });
    }
  }
}
