// Recurring bookings. A series is an RRULE in the room's zone; each occurrence is an ordinary
// booking made through BookingService.reserve/modify/withdraw, all of a series' occurrences in one
// transaction, so the rules (room overlap with turnaround, seat pool, quota) exist once.
import { canManageBooking } from '../domain/access.ts';
import { checkOnApproval, checkSeatShare, checkShape, earliestStart, latestStart, type BookingPolicy, type Slot } from '../domain/booking-rules.ts';
import { AppError, fieldErrors, notFound, seriesNotFound, unprocessable } from '../domain/errors.ts';
import { atTimeOf, endBefore, expandRecurrence, formatRecurrence, leaveOut, occurrenceDay, parseRecurrence, remainder, type Recurrence } from '../domain/recurrence.ts';
import { nearestFreeSlots, type BusySlot } from '../domain/suggestions.ts';
import { DAY, MINUTE, parseTime, toZonedIso } from '../domain/time.ts';
import type { Booking, CallContext, Clock, Repositories, Room, Series, SeriesEvent, SeriesListener, UnitOfWork } from '../ports.ts';
import { checkMessageHasChange, requireRoom, type BookingService } from './bookings.ts';
import { onBehalf } from './delegation.ts';

export type { Slot };

export type SeriesMode = 'all-or-nothing' | 'book-free';
export type SeriesScope = 'one' | 'following' | 'all';

export type CreateSeriesInput = {
  title: string;
  description?: string | undefined;
  /** Left out (with seats): the smallest room free at every date, else at the most dates. */
  roomId?: string | undefined;
  seats?: number | undefined;
  /** The first meeting; later ones keep its wall-clock time in the room's zone. */
  start: string;
  end: string;
  rrule: string;
  mode: SeriesMode;
  sharedAccess?: boolean | undefined;
  /** False: no audio conference (dial-in) for the occurrences. */
  audio?: boolean | undefined;
  /** The person the series is for, when not the caller (issue #17; see app/delegation.ts). */
  ownerId?: string | undefined;
  /** Local dates (YYYY-MM-DD, the room's zone) of the rule not to book: they become EXDATEs. */
  leaveOut?: readonly string[] | undefined;
};

/** A series-wide edit: times of day and the rule apply to every occurrence in scope. */
export type ChangeSeriesInput = {
  title?: string | undefined;
  description?: string | undefined;
  seats?: number | undefined;
  roomId?: string | undefined;
  /** New wall-clock start time ("HH:MM") in the room's zone. */
  startTime?: string | undefined;
  durationMinutes?: number | undefined;
  rrule?: string | undefined;
};

export type Alternative = { roomId: string; roomName: string; start: Date; end: Date };
/** A date the series could not have, with why (in English and Italian) and the nearest slot that was free. */
export type Refusal = { start: Date; end: Date; code: string; reason: string; reasonIt: string; alternative: Alternative | null };
const oneOnly = fieldErrors([{ path: 'start', en: 'Only with scope "one".', it: 'Solo con scope "one".' }]);
const refusalOf = (slot: Slot, e: AppError): Refusal => ({ start: slot.start, end: slot.end, code: e.code, reason: e.message, reasonIt: e.translations.it, alternative: null });
export type SeriesOutcome = { series: Series; booked: Booking[]; skipped: Refusal[] };
/** A date of the rule: free (it would be booked now), taken (with why), or left out by the booker. */
export type PlannedOccurrence = { start: Date; end: Date; free: boolean; leftOut: boolean; refusal: Refusal | null };

const occurrenceNotFound = () =>
  notFound('OCCURRENCE_NOT_FOUND', 'This booking is not an occurrence of this series.', { it: 'Questa prenotazione non è una riunione di questa serie.' });
// Refusals that belong to one date (someone else holds it, or a rule about that date); anything
// else (a bug, the database) aborts the whole request.
const PER_DATE = new Set(['conflict', 'unprocessable']);

type DryRunOutcome = { booked: Booking[]; refusals: Refusal[] };
type Plan = Awaited<ReturnType<SeriesService['plan']>>;

class DryRun extends Error {
  readonly outcome: DryRunOutcome;
  constructor(outcome: DryRunOutcome) {
    super('dry run');
    this.outcome = outcome;
  }
}

export class SeriesService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly bookings: BookingService;
  private readonly policy: BookingPolicy;
  private readonly listeners: SeriesListener[] = [];

  constructor(deps: { uow: UnitOfWork; clock: Clock; policy: BookingPolicy; bookings: BookingService }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.bookings = deps.bookings;
  }

  /** Adds a reaction to series changes (run inside each change's transaction). */
  onChange(listener: SeriesListener): void {
    this.listeners.push(listener);
  }

  /** The dates a rule gives and which of them are free now (in the room given or chosen), without booking anything. */
  async preview(caller: CallContext, input: CreateSeriesInput): Promise<{ zone: string; room: Room; occurrences: PlannedOccurrence[] }> {
    const ctx = await onBehalf(this.uow.repos, caller, input.ownerId);
    const plan = await this.inRoom(ctx, input, await this.plan(ctx, input));
    const outcome = plan.tried ?? (await this.dryRun(ctx, input, plan));
    const refusals = await this.withAlternatives(outcome.refusals, plan, outcome.booked);
    const byStart = new Map(refusals.map((f) => [f.start.getTime(), f]));
    const kept = plan.slots.map((s) => ({ start: s.start, end: s.end, free: !byStart.has(s.start.getTime()), leftOut: false, refusal: byStart.get(s.start.getTime()) ?? null }));
    const leftOut = plan.leftOut.map((s) => ({ start: s.start, end: s.end, free: false, leftOut: true, refusal: null }));
    return { zone: plan.zone, room: plan.room, occurrences: [...kept, ...leftOut].sort((a, b) => a.start.getTime() - b.start.getTime()) };
  }

  async create(caller: CallContext, input: CreateSeriesInput): Promise<SeriesOutcome> {
    const ctx = await onBehalf(this.uow.repos, caller, input.ownerId);
    const plan = await this.inRoom(ctx, input, await this.plan(ctx, input));
    let refused: Refusal[] = [];
    try {
      const result = await this.uow.transaction(async (r) => {
        const seriesId = await this.insertSeries(r, ctx, input, plan);
        const { booked, refusals } = await this.reserveAll(r, ctx, plan, seriesId);
        refused = refusals;
        if (refusals.length > 0 && (input.mode === 'all-or-nothing' || booked.length === 0)) throw conflicts(refusals, plan.slots.length, booked.length === 0, plan.zone);
        if (refusals.length > 0) {
          const exdates = [...plan.leftOut.map((s) => s.start), ...refusals.map((f) => f.start)].sort((a, b) => a.getTime() - b.getTime());
          await r.bookings.series.update(seriesId, { exdates }, { keepSequence: true });
        }
        const series = (await r.bookings.series.findById(seriesId))!;
        await this.emit(r, { action: 'created', series, ctx });
        return { series, booked };
      });
      return { ...result, skipped: await this.withAlternatives(refused, plan, result.booked) };
    } catch (e) {
      if (e instanceof AppError && e.code === 'SERIES_CONFLICTS') {
        const withAlternatives = await this.withAlternatives(refused, plan, []);
        throw listingConflicts(e, withAlternatives, plan.zone);
      }
      throw e;
    }
  }

  async get(ctx: CallContext, id: string): Promise<{ series: Series; occurrences: Booking[] }> {
    const series = await this.uow.repos.bookings.series.findById(id);
    if (!series || !canManageBooking(ctx.actor, series)) throw seriesNotFound();
    return { series, occurrences: await this.uow.repos.bookings.ofSeries(id) };
  }

  async list(ctx: CallContext, filter: { bookerId?: string | undefined; limit: number }): Promise<Series[]> {
    return this.uow.repos.bookings.series.list(filter, ctx.actor);
  }

  /**
   * Changes one occurrence (it becomes an exception), this and the following ones (the series is
   * split: the first part ends before it, a new series carries the rest), or the whole series.
   */
  async change(
    ctx: CallContext,
    seriesId: string,
    occurrenceId: string,
    scope: SeriesScope,
    input: ChangeSeriesInput & { start?: string; end?: string },
    opts: { message?: string | undefined } = {},
  ): Promise<SeriesOutcome> {
    checkMessageHasChange(input, opts.message);
    if (scope === 'one') {
      const seriesWide = (['startTime', 'durationMinutes', 'rrule'] as const).filter((k) => input[k] !== undefined);
      if (seriesWide.length > 0) {
        const wide = fieldErrors(seriesWide.map((k) => ({ path: k, en: 'Only with scope "following" or "all".', it: 'Solo con scope "following" o "all".' })));
        throw new AppError(
          'invalid',
          'VALIDATION_FAILED',
          `${seriesWide.join(', ')} change several occurrences; with scope "one" give start and end instead.`,
          wide.en,
          { it: `${seriesWide.join(', ')} ${seriesWide.length === 1 ? 'cambia' : 'cambiano'} più riunioni; con scope "one" indica invece start e end.`, details: wide.it },
        );
      }
      await this.requireOccurrence(this.uow.repos, ctx, seriesId, occurrenceId);
      const booking = await this.bookings.change(ctx, occurrenceId, {
        ...(input.title !== undefined && { title: input.title }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.seats !== undefined && { seats: input.seats }),
        ...(input.roomId !== undefined && { roomId: input.roomId }),
        ...(input.start !== undefined && { start: input.start }),
        ...(input.end !== undefined && { end: input.end }),
      }, opts);
      const series = (await this.uow.repos.bookings.series.findById(seriesId))!;
      return { series, booked: [booking], skipped: [] };
    }
    if (input.start !== undefined || input.end !== undefined) {
      throw new AppError(
        'invalid',
        'VALIDATION_FAILED',
        'To change several occurrences, give startTime ("HH:MM") and durationMinutes; start and end move one occurrence.',
        oneOnly.en,
        { it: 'Per cambiare più riunioni indica startTime ("HH:MM") e durationMinutes; start ed end spostano una sola riunione.', details: oneOnly.it },
      );
    }
    const rule = input.rrule !== undefined ? parseRecurrence(input.rrule) : undefined;
    let attempt: { room: Room; seats: number; slots: Slot[]; zone: string; refusals: Refusal[] } | undefined;
    try {
      return await this.changeMany(ctx, seriesId, occurrenceId, scope, input, rule, (a) => (attempt = a), opts.message);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'SERIES_CONFLICTS' || !attempt) throw e;
      const a = attempt;
      const withAlternatives = await this.withAlternatives(a.refusals, a, []);
      throw listingConflicts(e, withAlternatives, a.zone);
    }
  }

  private async changeMany(
    ctx: CallContext,
    seriesId: string,
    occurrenceId: string,
    scope: SeriesScope,
    input: ChangeSeriesInput,
    rule: Recurrence | undefined,
    track: (attempt: { room: Room; seats: number; slots: Slot[]; zone: string; refusals: Refusal[] }) => void,
    message: string | undefined,
  ): Promise<SeriesOutcome> {
    return this.uow.transaction(async (r) => {
      const { series, anchor, occurrences } = await this.lockSeries(r, ctx, seriesId, occurrenceId);
      const room = input.roomId !== undefined ? await requireRoom(r, input.roomId) : await requireRoom(r, series.roomId);
      const zone = room.timeZone;
      const current = parseRecurrence(series.rrule);
      const splitAt = scope === 'following' && anchor.recurrenceId!.getTime() > series.firstStart.getTime() ? anchor.recurrenceId! : null;
      const from = splitAt ?? series.firstStart;
      const timeSource = input.startTime !== undefined ? parseTime(`${occurrenceDay(from, zone)}T${input.startTime}`, zone, 'startTime') : from;
      const firstStart = atTimeOf(from, timeSource, zone);
      const durationMinutes = input.durationMinutes ?? series.durationMinutes;
      // Dates of the rule already used before the split: occurrences and EXDATEs (a cancelled
      // occurrence is both), for COUNT of the second part.
      const usedBefore = new Set([...occurrences.map((o) => o.recurrenceId!), ...series.exdates].map((d) => d.getTime()).filter((t) => t < from.getTime())).size;
      const tailRule: Recurrence = rule ?? (splitAt ? remainder(current, usedBefore) : current);
      const skippedDays = new Set(series.exdates.filter((d) => d.getTime() >= from.getTime()).map((d) => occurrenceDay(d, zone)));
      const now = this.clock.now();
      const starts = expandRecurrence({ rule: tailRule, start: firstStart, zone, notAfter: latestStart(now, this.policy) });
      const kept = rule ? starts : starts.filter((s) => !skippedDays.has(occurrenceDay(s, zone)));
      const exdates = rule ? [] : starts.filter((s) => skippedDays.has(occurrenceDay(s, zone)));
      // The series' DTSTART is its rule's first date: a start the rule does not produce would be an
      // extra meeting in every calendar (RFC 5545 counts DTSTART as the first instance).
      const seriesStart = starts[0] ?? firstStart;
      const slotOf = (start: Date): Slot => ({ start, end: new Date(start.getTime() + durationMinutes * MINUTE) });
      // A new time of day or length keeps to the grid and the durations for every date or for none:
      // said once, not as every date refused.
      if (input.startTime !== undefined || input.durationMinutes !== undefined) checkShape(slotOf(firstStart), zone, this.policy);

      let target = series.id;
      const details = {
        ...(input.title !== undefined && { title: input.title }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.seats !== undefined && { seats: input.seats }),
        ...(input.roomId !== undefined && { roomId: input.roomId }),
      };
      const ruleText = formatRecurrence(tailRule, seriesStart, zone);
      if (splitAt) {
        await r.bookings.series.update(series.id, { rrule: formatRecurrence(endBefore(current, splitAt), series.firstStart, series.timeZone), exdates: series.exdates.filter((d) => d < splitAt) });
        target = await r.bookings.series.insert({
          roomId: room.id,
          title: input.title ?? series.title,
          description: input.description ?? series.description,
          seats: input.seats ?? series.seats,
          bookerId: series.bookerId,
          bookedById: series.bookedById,
          institutionId: series.institutionId,
          timeZone: zone,
          rrule: ruleText,
          firstStart: seriesStart,
          durationMinutes,
          exdates,
          sharedAccess: series.sharedAccess,
          splitFrom: series.id,
        });
        // The people invited to the series are invited to both parts (the new part's invitation
        // goes to them); at most the invitee limit of one series. Who asked for no more mail stays
        // so; an answer is asked again (the dates to come are not those they answered for).
        for (const i of await r.bookings.invitees.list({ seriesId: series.id })) {
          await r.bookings.invitees.add({ seriesId: target }, { email: i.email, locale: i.locale, timeZone: i.timeZone, cohost: i.cohost, muted: i.muted });
        }
      } else {
        await r.bookings.series.update(series.id, { ...details, rrule: ruleText, firstStart: seriesStart, durationMinutes, exdates });
      }
      const inScope = occurrences.filter((o) => o.status === 'confirmed' && o.recurrenceId!.getTime() >= from.getTime() && o.end.getTime() > now.getTime());
      if (splitAt) await r.bookings.reassignSeries(inScope.map((o) => o.id), target);
      // The occurrences stay the owner's; someone else editing (a manager, a delegate) books them on
      // the owner's behalf, so the audit names who did it and the new ones carry booked_by. The
      // owner's role is taken as the editor's: an administrator's edit keeps its quota exemption.
      const owner: CallContext =
        series.bookerId === ctx.actor.userId ? ctx : { ...ctx, onBehalfOf: { userId: series.bookerId, role: ctx.actor.role, institutionId: series.institutionId } };
      const byDay = new Map(inScope.map((o) => [occurrenceDay(o.recurrenceId!, zone), o]));
      const refusals: Refusal[] = [];
      const booked: Booking[] = [];
      const bookable = earliestStart(now, this.policy).getTime();
      // Dates the series did not have are new bookings: the rules of a new booking hold for them
      // (subscription, grid, durations, horizon; on-approval rooms and the seat share for people
      // other than administrators), as when the series was made.
      const fresh = kept.filter((s) => !byDay.has(occurrenceDay(s, zone)) && s.getTime() >= bookable);
      if (fresh.length > 0 && ctx.actor.role !== 'admin') {
        checkOnApproval(room, true);
        checkSeatShare(input.seats ?? series.seats, this.policy);
      }
      const early = await this.bookings.requestRefusals(r, owner, fresh.map(slotOf), zone);
      const refusedEarly = new Map(fresh.map((s, i) => [s.getTime(), early[i]]));
      // A date moved on its own keeps its time unless the edit sets the series' times anew.
      const retimed = input.startTime !== undefined || input.durationMinutes !== undefined || rule !== undefined;
      for (const start of kept) {
        const { end } = slotOf(start);
        const existing = byDay.get(occurrenceDay(start, zone));
        byDay.delete(occurrenceDay(start, zone));
        try {
          if (existing && existing.isException && !retimed) {
            booked.push(await this.bookings.modify(r, owner, existing, details, { partOfSeries: true, message }));
          } else if (existing) {
            const moved = await this.bookings.modify(r, owner, existing, { ...details, start: start.toISOString(), end: end.toISOString() }, { partOfSeries: true, message });
            await r.bookings.update(moved.id, { isException: false, recurrenceId: start });
            booked.push((await r.bookings.findById(moved.id))!);
          } else if (start.getTime() >= bookable) {
            const refusal = refusedEarly.get(start.getTime());
            if (refusal) throw refusal;
            booked.push(
              await this.bookings.reserve(r, owner, {
                candidates: [room],
                slot: { start, end },
                seats: input.seats ?? series.seats,
                zone,
                title: input.title ?? series.title,
                description: input.description ?? series.description,
                seriesId: target,
                recurrenceId: start,
              }),
            );
          }
        } catch (e) {
          if (!(e instanceof AppError) || !PER_DATE.has(e.kind)) throw e;
          refusals.push(refusalOf({ start, end }, e));
        }
      }
      // Occurrences the new rule no longer has.
      for (const gone of byDay.values()) await this.bookings.withdraw(r, owner, gone, { partOfSeries: true, message });
      if (refusals.length > 0) {
        const slots = kept.map(slotOf);
        track({ room, seats: input.seats ?? series.seats, slots, zone, refusals });
        throw conflicts(refusals, kept.length, false, zone);
      }
      const updated = (await r.bookings.series.findById(series.id))!;
      await this.emit(r, { action: 'updated', series: updated, ctx, message, ...(!splitAt && { next: nextDate(inScope, booked) }) });
      if (splitAt) {
        const tail = (await r.bookings.series.findById(target))!;
        await this.emit(r, { action: 'created', series: tail, ctx, message });
        return { series: tail, booked, skipped: [] };
      }
      return { series: updated, booked, skipped: [] };
    });
  }

  /** Cancels one occurrence (an EXDATE), this and the following ones (the series ends before it), or all. */
  async cancel(ctx: CallContext, seriesId: string, occurrenceId: string | null, scope: SeriesScope, opts: { message?: string | undefined } = {}): Promise<Series> {
    if (scope === 'one') {
      if (!occurrenceId) throw new AppError('invalid', 'VALIDATION_FAILED', 'Name the occurrence to cancel.', {}, { it: 'Indica quale riunione della serie annullare.' });
      await this.requireOccurrence(this.uow.repos, ctx, seriesId, occurrenceId);
      await this.bookings.cancel(ctx, occurrenceId, opts);
      return (await this.uow.repos.bookings.series.findById(seriesId))!;
    }
    return this.uow.transaction(async (r) => {
      const { series, anchor, occurrences } = await this.lockSeries(r, ctx, seriesId, occurrenceId);
      const now = this.clock.now();
      const splitAt = scope === 'following' && anchor && anchor.recurrenceId!.getTime() > series.firstStart.getTime() ? anchor.recurrenceId! : null;
      const from = splitAt ?? new Date(0);
      for (const o of occurrences) {
        if (o.status === 'confirmed' && o.recurrenceId!.getTime() >= from.getTime() && o.end.getTime() > now.getTime()) {
          await this.bookings.withdraw(r, ctx, o, { partOfSeries: true, message: opts.message });
        }
      }
      if (splitAt) {
        await r.bookings.series.update(series.id, {
          rrule: formatRecurrence(endBefore(parseRecurrence(series.rrule), splitAt), series.firstStart, series.timeZone),
          exdates: series.exdates.filter((d) => d < splitAt),
        });
      } else {
        await r.bookings.series.update(series.id, { status: 'cancelled' });
      }
      const updated = (await r.bookings.series.findById(series.id))!;
      await this.emit(r, { action: splitAt ? 'updated' : 'cancelled', series: updated, ctx, message: opts.message });
      return updated;
    });
  }

  // --- helpers -------------------------------------------------------------------------------

  private async plan(ctx: CallContext, input: CreateSeriesInput) {
    const repos = this.uow.repos;
    const chosen = await this.bookings.chooseRooms(repos, { roomId: input.roomId, seats: input.seats });
    const { zone, seats } = chosen;
    let candidates = chosen.candidates;
    const first = this.bookings.parseSlot(input.start, input.end, zone);
    // The first meeting must itself be a valid booking request; later dates are judged one by one.
    await this.bookings.checkMayBookAt(repos, ctx, first, zone);
    // The self-service limits of a single booking hold for each occurrence (requests are for single bookings).
    if (ctx.actor.role !== 'admin') {
      checkSeatShare(seats, this.policy);
      candidates = candidates.filter((room) => !room.onApproval);
      if (candidates.length === 0) checkOnApproval(chosen.candidates[0]!, chosen.candidates.length === 1);
    }
    const rule = parseRecurrence(input.rrule);
    const now = this.clock.now();
    const length = first.end.getTime() - first.start.getTime();
    const { kept, leftOut } = leaveOut(expandRecurrence({ rule, start: first.start, zone, notAfter: latestStart(now, this.policy) }), input.leaveOut ?? [], zone);
    const slotAt = (start: Date): Slot => ({ start, end: new Date(start.getTime() + length) });
    return {
      room: candidates[0]!,
      candidates,
      zone,
      seats,
      rule,
      first,
      slots: kept.map(slotAt),
      leftOut: leftOut.map(slotAt),
      title: input.title,
      description: input.description ?? '',
      withoutAudio: input.audio === false,
    };
  }

  /**
   * The series' one room. With a choice (no roomId), each room that fits is tried, smallest first,
   * by the same rules that book, in a transaction rolled back: the first free at every date is
   * taken, else the one free at the most dates (the smallest of those). A room cannot help with a
   * date refused for other reasons (the seat pool, a quota), so those end the search. At most one
   * try per room (rooms are few); the booking itself then decides again under its locks. The
   * chosen room's try comes along, so a preview does not ask twice.
   */
  private async inRoom(ctx: CallContext, input: CreateSeriesInput, plan: Plan): Promise<Plan & { tried?: DryRunOutcome }> {
    if (plan.candidates.length === 1) return plan;
    let best: { room: Room; outcome: DryRunOutcome } | null = null;
    for (const room of plan.candidates) {
      const outcome = await this.dryRun(ctx, input, { ...plan, room });
      if (!best || outcome.refusals.length < best.outcome.refusals.length) best = { room, outcome };
      if (!outcome.refusals.some((f) => f.code === 'ROOM_TAKEN')) break;
    }
    return { ...plan, room: best!.room, tried: best!.outcome };
  }

  /** What booking the series would give now, in a transaction rolled back. */
  private async dryRun(ctx: CallContext, input: CreateSeriesInput, plan: Plan): Promise<DryRunOutcome> {
    try {
      await this.uow.transaction(async (r) => {
        const seriesId = await this.insertSeries(r, ctx, input, plan);
        throw new DryRun(await this.reserveAll(r, ctx, plan, seriesId));
      });
      throw new Error('unreachable');
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
      return e.outcome;
    }
  }

  private async insertSeries(r: Repositories, ctx: CallContext, input: CreateSeriesInput, plan: Plan): Promise<string> {
    return r.bookings.series.insert({
      roomId: plan.room.id,
      title: plan.title,
      description: plan.description,
      seats: plan.seats,
      bookerId: (ctx.onBehalfOf ?? ctx.actor).userId,
      institutionId: (ctx.onBehalfOf ?? ctx.actor).institutionId,
      bookedById: ctx.onBehalfOf ? ctx.actor.userId : null,
      timeZone: plan.zone,
      // DTSTART is the rule's first date, which is not the start given when the rule skips its day
      // (a Wednesday start for Mondays): RFC 5545 would count that start as one more meeting.
      rrule: formatRecurrence(plan.rule, plan.slots[0]?.start ?? plan.first.start, plan.zone),
      firstStart: plan.slots[0]?.start ?? plan.first.start,
      durationMinutes: Math.round((plan.first.end.getTime() - plan.first.start.getTime()) / MINUTE),
      exdates: plan.leftOut.map((s) => s.start),
      sharedAccess: input.sharedAccess ?? true,
      splitFrom: null,
    });
  }

  /** Books every planned date that the rules allow, in time order, in one pass of the booking rules. */
  private async reserveAll(r: Repositories, ctx: CallContext, plan: Plan, seriesId: string) {
    const early = await this.bookings.requestRefusals(r, ctx, plan.slots, plan.zone);
    const open = plan.slots.filter((_, i) => !early[i]);
    const results = await this.bookings.reserveMany(
      r,
      ctx,
      open.map((slot) => ({ candidates: [plan.room], slot, seats: plan.seats, zone: plan.zone, title: plan.title, description: plan.description, seriesId, recurrenceId: slot.start, withoutAudio: plan.withoutAudio })),
    );
    const bySlot = new Map(open.map((slot, k) => [slot.start.getTime(), results[k]!]));
    const booked: Booking[] = [];
    const refusals: Refusal[] = [];
    for (const [i, slot] of plan.slots.entries()) {
      const result = early[i] ?? bySlot.get(slot.start.getTime())!;
      if (result instanceof AppError) refusals.push(refusalOf(slot, result));
      else booked.push(result);
    }
    return { booked, refusals };
  }

  /** The nearest free slot for each refused date, counting the series' own meetings as busy. */
  private async withAlternatives(refusals: Refusal[], plan: { room: Room; seats: number; slots: Slot[] }, booked: Booking[]): Promise<Refusal[]> {
    if (refusals.length === 0) return [];
    const policy = this.policy;
    const from = new Date(refusals[0]!.start.getTime() - 4 * DAY);
    const to = new Date(refusals[refusals.length - 1]!.end.getTime() + 4 * DAY);
    const [rooms, busy] = await Promise.all([this.uow.repos.rooms.list(), this.uow.repos.bookings.busy(from, to)]);
    const bookedIds = new Set(booked.map((b) => b.id));
    const refusedStarts = new Set(refusals.map((f) => f.start.getTime()));
    // In all-or-nothing nothing was kept: the other dates of the series will compete for the room too.
    const own: BusySlot[] = plan.slots
      .filter((s) => !refusedStarts.has(s.start.getTime()) && !booked.some((b) => b.start.getTime() === s.start.getTime()))
      .map((s) => ({ roomId: plan.room.id, start: s.start, end: s.end, seats: plan.seats }));
    const all: BusySlot[] = [...busy.filter((b) => !bookedIds.has(b.id)), ...booked, ...own];
    return refusals.map((f) => {
      const [best] = nearestFreeSlots({ slot: f, seats: plan.seats, roomId: plan.room.id, rooms, busy: all, policy, now: this.clock.now(), perGroup: 1 });
      return { ...f, alternative: best ? { roomId: best.roomId, roomName: best.roomName, start: best.start, end: best.end } : null };
    });
  }

  private async lockSeries(r: Repositories, ctx: CallContext, seriesId: string, occurrenceId: string | null) {
    const series = await r.bookings.series.findById(seriesId, { forUpdate: true });
    if (!series || !canManageBooking(ctx.actor, series)) throw seriesNotFound();
    if (series.status === 'cancelled') throw unprocessable('SERIES_CANCELLED', 'This series was cancelled and can no longer be changed.', { it: 'Questa serie è stata annullata e non si può più modificare.' });
    const occurrences = await r.bookings.ofSeries(seriesId, { forUpdate: true });
    const anchor = occurrenceId ? occurrences.find((o) => o.id === occurrenceId) : occurrences[0];
    if (!anchor) throw occurrenceNotFound();
    return { series, anchor, occurrences };
  }

  private async requireOccurrence(r: Repositories, ctx: CallContext, seriesId: string, occurrenceId: string): Promise<void> {
    const series = await r.bookings.series.findById(seriesId);
    if (!series || !canManageBooking(ctx.actor, series)) throw seriesNotFound();
    const booking = await r.bookings.findById(occurrenceId);
    if (!booking || booking.seriesId !== seriesId) throw occurrenceNotFound();
  }

  private async emit(r: Repositories, event: SeriesEvent): Promise<void> {
    for (const listener of this.listeners) await listener(r, event);
  }
}

/** The series' next date (the first in scope) before a change of the whole series and after it; undefined when it is gone. */
function nextDate(before: readonly Booking[], after: readonly Booking[]): SeriesEvent['next'] {
  const next = [...before].sort((a, b) => a.start.getTime() - b.start.getTime())[0];
  const now = next && after.find((b) => b.id === next.id);
  return next && now ? { before: next, after: now } : undefined;
}

export const refusalView = (f: Refusal, zone?: string, lang: 'en' | 'it' = 'en') => ({
  start: f.start.toISOString(),
  end: f.end.toISOString(),
  ...(zone && { startLocal: toZonedIso(f.start, zone), endLocal: toZonedIso(f.end, zone) }),
  code: f.code,
  reason: lang === 'it' ? f.reasonIt : f.reason,
  alternative: f.alternative && { ...f.alternative, start: f.alternative.start.toISOString(), end: f.alternative.end.toISOString() },
});

function conflicts(refusals: Refusal[], total: number, nothingFree: boolean, zone: string): AppError {
  const n = refusals.length;
  const [message, it] = nothingFree
    ? [`None of the ${total} dates can be booked. Choose another time or room.`, `Nessuna delle ${total} date si può prenotare. Scegli un altro orario o un’altra aula.`]
    : [
        `${n} of the ${total} dates cannot be booked, so nothing was booked. Pick the suggested alternatives, change the rule, or book only the free dates.`,
        `${n} delle ${total} date non ${n === 1 ? 'si può' : 'si possono'} prenotare, quindi non è stato prenotato nulla. Scegli le alternative suggerite, cambia la regola o prenota solo le date libere.`,
      ];
  return listingConflicts(new AppError('conflict', 'SERIES_CONFLICTS', message, {}, { it }), refusals, zone);
}

/** `e` listing `refusals` as its conflicts, each with its reason in English and, in the Italian details, in Italian. */
function listingConflicts(e: AppError, refusals: Refusal[], zone: string): AppError {
  return new AppError(
    e.kind,
    e.code,
    e.message,
    { ...e.details, conflicts: refusals.map((f) => refusalView(f, zone)) },
    { it: e.translations.it, details: { ...e.translations.details, conflicts: refusals.map((f) => refusalView(f, zone, 'it')) } },
  );
}

