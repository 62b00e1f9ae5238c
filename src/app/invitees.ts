// People the booker invites by e-mail to a booking or a whole series. Adding one sends them the
// invitation; removing one sends them a cancellation (listeners, inside the same transaction).
import { canManageBooking } from '../domain/access.ts';
import { checkNotEnded } from '../domain/booking-rules.ts';
import { AppError, bookingNotFound, fieldErrors, notFound, seriesNotFound } from '../domain/errors.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { CallContext, Clock, Invitee, InviteeTarget, Repositories, UnitOfWork } from '../ports.ts';
import { countNewInvitee, tooManyInvitees, type InvitationLimits } from './sender-limits.ts';

const zoneField = fieldErrors([{ path: 'timeZone', en: 'is not an IANA time zone', it: 'non è un fuso orario IANA' }]);

export type InviteeEvent = { action: 'added' | 'removed'; target: InviteeTarget; invitee: Invitee; ctx: CallContext };
export type InviteeListener = (repos: Repositories, event: InviteeEvent) => Promise<void>;

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

  async add(ctx: CallContext, target: InviteeTarget, input: { email: string; locale: 'it' | 'en'; timeZone?: string | undefined }): Promise<Invitee> {
    if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
      throw new AppError(
        'invalid',
        'VALIDATION_FAILED',
        'timeZone must be an IANA time zone such as Europe/Rome.',
        zoneField.en,
        { it: 'timeZone deve essere un fuso orario IANA come Europe/Rome.', details: zoneField.it },
      );
    }
    return this.uow.transaction(async (r) => {
      // The booking's (or series') row is locked from here: parallel adds count one after the other.
      await this.authorise(r, ctx, target, true);
      if ((await r.bookings.invitees.list(target)).length >= this.limits.perBooking) throw tooManyInvitees(this.limits.perBooking);
      // People with an account on the portal are not a spam audience; everyone else counts.
      if (!(await r.users.findByEmail(input.email.trim()))) await countNewInvitee(r, ctx, this.limits, this.clock.now());
      const invitee = await r.bookings.invitees.add(target, { email: input.email.trim(), locale: input.locale, timeZone: input.timeZone ?? null });
      if (!invitee) throw new AppError('conflict', 'ALREADY_INVITED', `${input.email} is already invited.`, {}, { it: `${input.email} è già tra gli invitati.` });
      for (const l of this.listeners) await l(r, { action: 'added', target, invitee, ctx });
      return invitee;
    });
  }

  async remove(ctx: CallContext, target: InviteeTarget, id: string): Promise<void> {
    await this.uow.transaction(async (r) => {
      await this.authorise(r, ctx, target, true);
      const invitee = await r.bookings.invitees.remove(target, id);
      if (!invitee) throw notFound('INVITEE_NOT_FOUND', 'No such invitee on this booking.', { it: 'Questa persona non è tra gli invitati di questa prenotazione.' });
      for (const l of this.listeners) await l(r, { action: 'removed', target, invitee, ctx });
    });
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
