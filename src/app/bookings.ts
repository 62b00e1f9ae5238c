// Booking use-cases: create, change (move, resize, edit), cancel, read. The request-only rules come
// from domain/; the competitive ones (room overlap, seat pool, quota) are decided inside one
// transaction under the locks described in db/booking-repository.ts.
import { canManageBooking } from '../domain/access.ts';
import type { BookingPolicy, RoomFacts, Slot } from '../domain/booking-rules.ts';
import { checkNotEnded, checkOnApproval, checkRoomActive, checkSeatShare, checkSeats, checkSlot, formatMinutes, slotHours } from '../domain/booking-rules.ts';
import { AppError, bookingNotFound, fieldErrors, notFound, unprocessable } from '../domain/errors.ts';
import { peakSeats, type SeatUsage } from '../domain/seat-pool.ts';
import { offerRequest } from '../domain/requests.ts';
import { checkMayBook } from '../domain/subscription.ts';
import { nearestFreeSlots } from '../domain/suggestions.ts';
import { DAY, MINUTE, monthOf, parseTime } from '../domain/time.ts';
import { onBehalf } from './delegation.ts';
import { GroupCommit } from './group-commit.ts';
import type { AuditRecord, Booking, BookingEvent, BookingFilter, BookingBatchListener, BookingListener, CallContext, Clock, InvitedAs, Repositories, RequestKey, Room, UnitOfWork } from '../ports.ts';

/** Neither a room nor a number of seats: the field a booking or a request then lacks. */
export const SEATS_OR_ROOM = fieldErrors([{ path: 'seats', en: 'Required when roomId is not given.', it: 'Obbligatorio quando manca roomId.' }]);

export type CreateBookingInput = {
  title: string;
  description?: string | undefined;
  roomId?: string | undefined;
  seats?: number | undefined;
  start: string;
  end: string;
  /** False: no audio conference (dial-in) for this booking. */
  audio?: boolean | undefined;
  /** The person the booking is for, when not the caller (issue #17; see app/delegation.ts). */
  ownerId?: string | undefined;
};

export type ChangeBookingInput = Partial<Omit<CreateBookingInput, 'audio' | 'ownerId'>>;

export type QuotaLedger = { refusal(slot: Slot, zone: string): AppError | null; add(slot: Slot, zone: string): void };

/** One booking to make inside a transaction: the rooms it may take (first free wins), when, how big. */
export type Reservation = {
  candidates: Room[];
  slot: Slot;
  seats: number;
  zone: string;
  title: string;
  description: string;
  /** Set for an occurrence of a series: its series and original start (RECURRENCE-ID). */
  seriesId?: string | undefined;
  recurrenceId?: Date | undefined;
  withoutAudio?: boolean | undefined;
  /** The waiting-list hold this reservation confirms: that hold alone does not weigh against it. */
  holdId?: string | undefined;
};

/**
 * Whose booking it is when that is not the caller: an approved request is booked for its requester
 * (booker, institution, that institution's quota) while the approving administrator is the actor.
 */


/** The snapshot kept in audit records and sent to live listeners. */
const auditView = (b: Booking) => ({
  roomId: b.roomId,
  title: b.title,
  description: b.description,
  start: b.start.toISOString(),
  end: b.end.toISOString(),
  seats: b.seats,
  status: b.status,
  bookerId: b.bookerId,
  institutionId: b.institutionId,
  // Booked on behalf (issue #17): the owner and who booked it for them.
  ...(b.bookedById && { ownerId: b.bookerId, bookedById: b.bookedById }),
  ...(b.seriesId && { seriesId: b.seriesId }),
});

/**
 * A message rides with a change: alone it would go out as "the meeting has changed" when nothing
 * did. Change something, or cancel with it.
 */
export function checkMessageHasChange(input: object, message: string | undefined): void {
  if (!message || Object.values(input).some((v) => v !== undefined)) return;
  const field = fieldErrors([{ path: 'message', en: 'A message goes with a change.', it: 'Un messaggio accompagna una modifica.' }]);
  throw new AppError('invalid', 'VALIDATION_FAILED', 'A message is sent with a change: change the time, room, seats, title or description too.', field.en, {
    it: 'Il messaggio si invia con una modifica: cambia anche orario, aula, posti, titolo o descrizione.',
    details: field.it,
  });
}

/** Whom a new booking is for: the caller, or the person they book for (app/delegation.ts). */
const ownerOf = (ctx: CallContext) => ctx.onBehalfOf ?? ctx.actor;

export class BookingService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly policy: BookingPolicy;
  private readonly listeners: BookingListener[];
  private readonly batchListeners: BookingBatchListener[] = [];
  /** Concurrent new bookings, judged and written together (app/group-commit.ts). */
  private readonly group: GroupCommit<{ ctx: CallContext; req: Reservation; key: RequestKey | null }, Booking>;

  constructor(deps: { uow: UnitOfWork; clock: Clock; policy: BookingPolicy; listeners?: BookingListener[]; groupLanes?: number }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.listeners = deps.listeners ?? [];
    this.group = new GroupCommit<{ ctx: CallContext; req: Reservation; key: RequestKey | null }, Booking>({
      // Each request's Idempotency-Key is written with its booking, in the group's transaction.
      together: (items) => this.uow.transactionForEach(items.map((x) => x.key), (r, live) => this.reserveEach(r, live.map((i) => items[i]!))),
      // Alone, in the request's own async context: `transaction` finds its key there.
      alone: ({ ctx, req }) => this.uow.transaction((r) => this.reserve(r, ctx, req)),
      // A batch of 64 is a few milliseconds in the database. Two lanes: a second keeps bookings
      // moving while one batch waits on a lock; measured at 32 clients, 1 and 2 lanes booked about
      // 360/s, 4 lanes 285/s, 8 lanes 195/s (smaller batches, more transactions at once).
      maxBatch: 64,
      lanes: deps.groupLanes ?? 2,
    });
  }

  /** Adds a reaction to booking changes (run inside each change's transaction). */
  onChange(listener: BookingListener): void {
    this.listeners.push(listener);
  }

  /** Adds a reaction to all the booking changes of a transaction at once; these run before the others. */
  onChanges(listener: BookingBatchListener): void {
    this.batchListeners.push(listener);
  }

  async create(caller: CallContext, input: CreateBookingInput): Promise<Booking> {
    const ctx = await onBehalf(this.uow.repos, caller, input.ownerId);
    let allowed: Awaited<ReturnType<BookingService['checkSelfService']>>;
    try {
      allowed = await this.checkSelfService(ctx, input);
    } catch (e) {
      // What self-service may not grant may be asked of an administrator (app/requests.ts).
      throw ctx.actor.role === 'admin' ? e : offerRequest(e, input);
    }
    const { candidates, zone, seats, slot } = allowed;
    const reservation: Reservation = { candidates, slot, seats, zone, title: input.title, description: input.description ?? '', withoutAudio: input.audio === false };
    try {
      return await this.group.submit({ ctx, req: reservation, key: this.uow.currentKey() });
    } catch (e) {
      throw await this.withSuggestions(e, { slot, seats, roomId: input.roomId ?? null, excludeId: undefined });
    }
  }

  /**
   * What self-service grants of a new booking before it competes: its rooms, zone, seats and slot,
   * or the request-only rule it breaks. Beyond the rules of every booking, people other than
   * administrators keep to a booking's share of the seat pool and leave rooms "on approval" alone.
   */
  async checkSelfService(ctx: CallContext, input: CreateBookingInput): Promise<{ candidates: Room[]; zone: string; seats: number; slot: Slot }> {
    const chosen = await this.chooseRooms(this.uow.repos, input);
    const slot = this.parseSlot(input.start, input.end, chosen.zone);
    await this.checkMayBookAt(this.uow.repos, ctx, slot, chosen.zone);
    if (ctx.actor.role === 'admin') return { ...chosen, slot };
    checkSeatShare(chosen.seats, this.policy);
    const candidates = chosen.candidates.filter((room) => !room.onApproval);
    if (candidates.length === 0) checkOnApproval(chosen.candidates[0]!, chosen.candidates.length === 1);
    return { ...chosen, candidates, slot };
  }

  /** The rooms a booking may go to (one, or every room that fits, smallest first), its zone and seats. */
  async chooseRooms(repos: Repositories, input: { roomId?: string | undefined; seats?: number | undefined }): Promise<{ candidates: Room[]; zone: string; seats: number }> {
    if (input.roomId) {
      const room = await requireRoom(repos, input.roomId);
      checkRoomActive(room);
      const seats = input.seats ?? room.capacity;
      checkSeats(seats, room);
      return { candidates: [room], zone: room.timeZone, seats };
    }
    if (input.seats === undefined) {
      throw new AppError(
        'invalid',
        'VALIDATION_FAILED',
        'Give either roomId or seats (to get the smallest free room that fits).',
        SEATS_OR_ROOM.en,
        { it: 'Indica roomId oppure seats (i posti, per avere l’aula libera più piccola che li contiene).', details: SEATS_OR_ROOM.it },
      );
    }
    const seats = input.seats;
    const candidates = (await repos.rooms.list()).filter((r) => r.capacity >= seats).sort((a, b) => a.capacity - b.capacity);
    if (candidates.length === 0) {
      const largest = await this.largestCapacity(repos);
      throw unprocessable('NO_ROOM_FITS', `No room holds ${seats} participants; the largest holds ${largest}.`, {
        it: `Nessuna aula contiene ${seats} partecipanti; la più grande ne contiene ${largest}.`,
      });
    }
    return { candidates, zone: this.policy.defaultTimeZone, seats };
  }

  /** The request-only rules of a new slot: grid, duration, past, horizon, subscription. */
  async checkMayBookAt(repos: Repositories, ctx: CallContext, slot: Slot, zone: string): Promise<void> {
    const [refusal] = await this.requestRefusals(repos, ctx, [slot], zone);
    if (refusal) throw refusal;
  }

  /** The same rules for several slots at once: for each, null or the rule it breaks. */
  async requestRefusals(repos: Repositories, ctx: CallContext, slots: readonly Slot[], zone: string): Promise<(AppError | null)[]> {
    const now = this.clock.now();
    // The owner's institution must subscribe, unless an admin books (issue #17).
    const owner = ctx.actor.role === 'admin' ? ctx.actor : ownerOf(ctx);
    const institution = owner.institutionId ? await repos.institutions.findById(owner.institutionId) : null;
    return slots.map((slot) => {
      try {
        checkSlot(slot, zone, this.policy, now);
        checkMayBook(owner, institution, now, slot, zone);
        return null;
      } catch (e) {
        if (e instanceof AppError) return e;
        throw e;
      }
    });
  }

  /** The competitive part of one booking, inside the caller's transaction (see reserveMany). */
  async reserve(r: Repositories, ctx: CallContext, req: Reservation): Promise<Booking> {
    const [outcome] = await this.reserveMany(r, ctx, [req]);
    if (outcome instanceof AppError) throw outcome;
    return outcome!;
  }

  /**
   * The competitive part of booking, inside the caller's transaction: seat-pool locks, quota, seat
   * pool, room overlap with turnaround, insert, audit, live notice and listeners. A single booking
   * (a list of one) and all the occurrences of a series go through here, so the rules exist once.
   * The reservations are judged in order, each against the database and the ones accepted before
   * it; the answer has, for each, its booking or the rule that refused it. Nothing is written for a
   * refused one, so a series can keep the others. Reads and writes are batched: a 200-date series
   * costs a handful of statements, not 200 times each.
   */
  async reserveMany(r: Repositories, ctx: CallContext, reqs: readonly Reservation[]): Promise<(Booking | AppError)[]> {
    return this.reserveEach(r, reqs.map((req) => ({ ctx, req })));
  }

  /**
   * reserveMany for reservations of several callers at once (the group commit of concurrent
   * bookings, app/group-commit.ts): each judged as its caller's, in the order given.
   */
  async reserveEach(r: Repositories, items: readonly { ctx: CallContext; req: Reservation }[]): Promise<(Booking | AppError)[]> {
    const reqs = items.map((x) => x.req);
    // The owner's institution pays the hours (issue #17): the booker's own, or that of the person
    // booked for (a delegate's booking, an approved request). Only an administrator's own bookings,
    // made for the service itself, are held to no quota.
    const owners = items.map((x) => ownerOf(x.ctx));
    const t = this.policy.turnaroundMinutes;
    const slots = reqs.map((q) => q.slot);
    // The seat-pool locks and the reads that must follow them, in one round trip (migration 011).
    const snapshot = await r.bookings.lockAndRead(slots, [...new Set(reqs.flatMap((q) => q.candidates.map((c) => c.id)))], t);
    const { usage, occupancy } = snapshot;
    const payer = (i: number) => (owners[i]!.role === 'admin' ? null : owners[i]!.institutionId);
    const ledgers = await this.quotaLedgers(r, reqs.map((q, i) => ({ payer: payer(i), slot: q.slot, zone: q.zone })));
    const outcome: (Booking | AppError | null)[] = reqs.map(() => null);
    const planned: { i: number; room: Room }[] = [];
    for (const [i, req] of reqs.entries()) {
      const { slot, seats } = req;
      const owner = owners[i]!;
      const quota = ledgers.get(payer(i))!;
      const overQuota = quota.refusal(slot, req.zone);
      if (overQuota) {
        outcome[i] = overQuota;
        continue;
      }
      // A waiting-list hold weighs on every booking but the confirmation of that very hold; not on
      // every booking of its holder, who could otherwise book over it and then confirm it too.
      const counts = (x: { holdId?: string }) => x.holdId === undefined || x.holdId !== req.holdId;
      const overPool = this.seatPoolRefusal(usage.filter((u) => counts(u) && u.start < slot.end && slot.start < u.end), slot, seats);
      if (overPool) {
        outcome[i] = overPool;
        continue;
      }
      let taken: Taken | null = null;
      const room = req.candidates.find((c) => {
        const conflict = occupancy.find((o) => counts(o) && o.roomId === c.id && o.start.getTime() < slot.end.getTime() + t * MINUTE && slot.start.getTime() < o.occupiedUntil.getTime());
        taken ??= conflict ?? null;
        return !conflict;
      });
      if (!room) {
        outcome[i] = roomTaken(req.candidates.length === 1 ? req.candidates[0]! : null, taken ?? slot, owner.userId);
        continue;
      }
      // Later reservations of this batch see this one as taken.
      quota.add(slot, req.zone);
      usage.push({ start: slot.start, end: slot.end, seats });
      occupancy.push({ roomId: room.id, start: slot.start, end: slot.end, occupiedUntil: new Date(slot.end.getTime() + t * MINUTE), bookingId: null, bookerId: owner.userId });
      planned.push({ i, room });
    }
    const newBooking = (i: number, room: Room) => {
      const req = reqs[i]!;
      const { ctx } = items[i]!;
      return {
        roomId: room.id,
        title: req.title,
        description: req.description,
        slot: req.slot,
        turnaroundMinutes: t,
        seats: req.seats,
        bookerId: owners[i]!.userId,
        institutionId: owners[i]!.institutionId,
        bookedById: ctx.onBehalfOf ? ctx.actor.userId : null,
        seriesId: req.seriesId,
        recurrenceId: req.recurrenceId,
      };
    };
    // Inserted and read back in one statement (fewer round trips while the seat-pool locks are held).
    const created = await r.bookings.insertManyBookings(planned.map((p) => newBooking(p.i, p.room)));
    const inserted: { i: number; id: string }[] = [];
    const known = new Map<string, Booking>();
    for (const [k, p] of planned.entries()) {
      const booking = created[k];
      if (booking) {
        inserted.push({ i: p.i, id: booking.id });
        known.set(booking.id, booking);
        continue;
      }
      // Lost a race between our read and the insert: the constraint decided. Try the other rooms
      // that fit, one by one, as a single booking always did.
      const req = reqs[p.i]!;
      let taken: Taken | null = await r.bookings.roomConflict(p.room.id, req.slot, t);
      for (const room of req.candidates.slice(req.candidates.indexOf(p.room) + 1)) {
        const conflict = await r.bookings.roomConflict(room.id, req.slot, t);
        const retried = conflict ? null : await r.bookings.insert(newBooking(p.i, room));
        if (retried) {
          inserted.push({ i: p.i, id: retried });
          break;
        }
        taken ??= conflict ?? (await r.bookings.roomConflict(room.id, req.slot, t));
      }
      if (!inserted.some((x) => x.i === p.i)) outcome[p.i] = roomTaken(req.candidates.length === 1 ? req.candidates[0]! : null, taken ?? req.slot, owners[p.i]!.userId);
    }
    // Only those that went to another room after a lost race are read back on their own.
    const rest = await r.bookings.findByIds(inserted.filter((x) => !known.has(x.id)).map((x) => x.id));
    for (const b of rest) known.set(b.id, b);
    for (const x of inserted) outcome[x.i] = known.get(x.id)!;
    await this.recordChanges(
      r,
      inserted.map((x) => ({ ctx: items[x.i]!.ctx, action: 'created' as const, before: null, after: outcome[x.i] as Booking, partOfSeries: reqs[x.i]!.seriesId !== undefined, withoutAudio: reqs[x.i]!.withoutAudio === true })),
    );
    return outcome.map((o) => o!);
  }

  /** Changes a booking; `message` goes with the update mailed to its booker and invitees. */
  async change(ctx: CallContext, id: string, input: ChangeBookingInput, opts: { message?: string | undefined } = {}): Promise<Booking> {
    checkMessageHasChange(input, opts.message);
    let attempted: { slot: Slot; seats: number; roomId: string } | undefined;
    try {
      return await this.uow.transaction(async (r) => {
        const current = await this.lockForChange(r, ctx, id);
        return this.modify(r, ctx, current, input, { track: (a) => (attempted = a), message: opts.message });
      });
    } catch (e) {
      throw attempted ? await this.withSuggestions(e, { ...attempted, excludeId: id }) : e;
    }
  }

  /** Locks a booking the caller may change and that can still change. */
  async lockForChange(r: Repositories, ctx: CallContext, id: string): Promise<Booking> {
    const current = await r.bookings.findById(id, { forUpdate: true });
    if (!current || !canManageBooking(ctx.actor, current)) throw bookingNotFound();
    if (current.status === 'cancelled') throw unprocessable('BOOKING_CANCELLED', 'This booking was cancelled and can no longer be changed.', { it: 'Questa prenotazione è stata annullata e non si può più modificare.' });
    checkNotEnded(current, this.clock.now());
    return current;
  }

  /**
   * Changes a locked booking inside the caller's transaction under the same rules as a new one.
   * An occurrence changed on its own (not `partOfSeries`) becomes an exception of its series.
   */
  async modify(
    r: Repositories,
    ctx: CallContext,
    current: Booking,
    input: ChangeBookingInput,
    opts: { partOfSeries?: boolean; track?: (attempt: { slot: Slot; seats: number; roomId: string }) => void; message?: string | undefined } = {},
  ): Promise<Booking> {
    const now = this.clock.now();
    const roomChanged = input.roomId !== undefined && input.roomId !== current.roomId;
    const room = await requireRoom(r, input.roomId ?? current.roomId);
    const slot = {
      start: input.start !== undefined ? parseTime(input.start, room.timeZone, 'start') : current.start,
      end: input.end !== undefined ? parseTime(input.end, room.timeZone, 'end') : current.end,
    };
    const seats = input.seats ?? current.seats;
    const slotChanged = slot.start.getTime() !== current.start.getTime() || slot.end.getTime() !== current.end.getTime();
    const competes = slotChanged || roomChanged || seats > current.seats;
    opts.track?.({ slot, seats, roomId: room.id });

    if (slotChanged) checkSlot(slot, room.timeZone, this.policy, now, slot.start.getTime() === current.start.getTime());
    if (roomChanged) checkRoomActive(room);
    checkSeats(seats, room);
    // A change keeps to the self-service limits a new booking keeps to, or it would be the way
    // around them (an administrator's approval is the way through).
    if (ctx.actor.role !== 'admin') {
      if (roomChanged) checkOnApproval(room, true);
      if (seats > current.seats) checkSeatShare(seats, this.policy);
    }

    if (competes) {
      if (slotChanged && ctx.actor.role !== 'admin' && current.institutionId) {
        const institution = await r.institutions.findById(current.institutionId);
        checkMayBook({ ...ctx.actor, institutionId: current.institutionId }, institution, now, slot, room.timeZone);
      }
      await r.bookings.lockSeatPool(slot);
      if (slotChanged) await this.checkQuota(r, current.institutionId, slot, room.timeZone, current.id);
      await this.checkSeatPool(r, slot, seats, current.id);
      const conflict = await r.bookings.roomConflict(room.id, slot, this.policy.turnaroundMinutes, current.id);
      if (conflict) throw roomTaken(room, conflict, ctx.actor.userId);
    }
    const outcome = await r.bookings.update(current.id, {
      ...(input.title !== undefined && { title: input.title }),
      ...(input.description !== undefined && { description: input.description }),
      ...(roomChanged && { roomId: room.id }),
      ...(input.seats !== undefined && { seats }),
      ...((slotChanged || roomChanged) && { slot, turnaroundMinutes: this.policy.turnaroundMinutes }),
      ...(current.seriesId && !opts.partOfSeries && { isException: true }),
    });
    if (outcome === 'room-taken') {
      throw roomTaken(room, (await r.bookings.roomConflict(room.id, slot, this.policy.turnaroundMinutes, current.id)) ?? slot, ctx.actor.userId);
    }
    // The series' SEQUENCE grows too: its invitation carries this exception (RFC 5546, 3.2.2).
    if (current.seriesId && !opts.partOfSeries) await r.bookings.series.update(current.seriesId, {});
    const updated = (await r.bookings.findById(current.id))!;
    await this.recordChanges(r, [{ ctx, action: 'updated', before: current, after: updated, partOfSeries: opts.partOfSeries ?? false, message: opts.message }]);
    return updated;
  }

  /** Cancels a booking; `message` goes with the cancellation mailed to its booker and invitees. */
  async cancel(ctx: CallContext, id: string, opts: { message?: string | undefined } = {}): Promise<Booking> {
    const now = this.clock.now();
    return this.uow.transaction(async (r) => {
      const current = await r.bookings.findById(id, { forUpdate: true });
      if (!current || !canManageBooking(ctx.actor, current)) throw bookingNotFound();
      if (current.status === 'cancelled') return current; // cancelling twice changes nothing (and mails nothing)
      checkNotEnded(current, now);
      return this.withdraw(r, ctx, current, { message: opts.message });
    });
  }

  /**
   * Cancels a locked booking inside the caller's transaction. An occurrence cancelled on its own
   * becomes an EXDATE of its series (RFC 5545, 3.8.5.1), so the series' invitation leaves it out.
   */
  async withdraw(r: Repositories, ctx: CallContext, current: Booking, opts: { partOfSeries?: boolean; message?: string | undefined } = {}): Promise<Booking> {
    await r.bookings.cancel(current.id);
    if (current.seriesId && current.recurrenceId && !opts.partOfSeries) await r.bookings.series.addExdates(current.seriesId, [current.recurrenceId]);
    const cancelled = (await r.bookings.findById(current.id))!;
    await this.recordChanges(r, [{ ctx, action: 'cancelled', before: current, after: cancelled, partOfSeries: opts.partOfSeries ?? false, message: opts.message }]);
    return cancelled;
  }

  async get(ctx: CallContext, id: string): Promise<Booking> {
    const booking = await this.uow.repos.bookings.findById(id);
    if (!booking || !canManageBooking(ctx.actor, booking)) throw bookingNotFound();
    return booking;
  }

  /**
   * A meeting to invite people to (its invitation as text to share): one the caller manages that is
   * still ahead, with the dates of its series still to come (none for a booking on its own).
   */
  async toShare(ctx: CallContext, id: string): Promise<{ booking: Booking; dates: Date[] }> {
    const booking = await this.get(ctx, id);
    const now = this.clock.now().getTime();
    if (booking.status === 'cancelled') {
      throw unprocessable('BOOKING_CANCELLED', 'This booking was cancelled: there is no meeting to invite people to.', { it: 'Questa prenotazione è stata annullata: non c’è una riunione a cui invitare.' });
    }
    if (booking.end.getTime() <= now) {
      throw unprocessable('BOOKING_ENDED', 'This meeting is over: there is nothing left to invite people to.', { it: 'Questa riunione è terminata: non c’è più nulla a cui invitare.' });
    }
    const dates = booking.seriesId
      ? (await this.uow.repos.bookings.ofSeries(booking.seriesId)).filter((o) => o.status === 'confirmed' && o.end.getTime() > now).map((o) => o.start)
      : [];
    return { booking, dates };
  }

  /**
   * The meetings the caller is invited to by e-mail, by their account's address (as joining matches
   * them: db/provisioning-repository.ts), soonest first; not those they booked themselves.
   */
  async invitations(ctx: CallContext, limit: number): Promise<Array<Booking & InvitedAs>> {
    const me = await this.uow.repos.users.findById(ctx.actor.userId);
    return me ? this.uow.repos.bookings.invitedTo(me.email, me.id, this.clock.now(), limit) : [];
  }

  /** A booking's changes from the audit log, for everyone who may see the booking (newest first). */
  async history(ctx: CallContext, id: string): Promise<AuditRecord[]> {
    const booking = await this.get(ctx, id);
    const own = await this.uow.repos.audit.list({ entity: 'booking', entityId: id, limit: 100 });
    if (!booking.seriesId) return own;
    // A date of a series shows what was done to its series' people too (co-hosts, the invitation sent again).
    const series = await this.uow.repos.audit.list({ entity: 'series', entityId: booking.seriesId, limit: 100 });
    return [...own, ...series].sort((a, b) => Number(b.id) - Number(a.id)).slice(0, 100);
  }

  async list(ctx: CallContext, filter: BookingFilter): Promise<Booking[]> {
    return this.uow.repos.bookings.list(filter, ctx.actor);
  }

  parseSlot(start: string, end: string, zone: string): Slot {
    return { start: parseTime(start, zone, 'start'), end: parseTime(end, zone, 'end') };
  }

  private async largestCapacity(r: Repositories): Promise<number> {
    return Math.max(0, ...(await r.rooms.list()).map((room) => room.capacity));
  }

  private async checkSeatPool(r: Repositories, slot: Slot, seats: number, excludeId?: string): Promise<void> {
    const refusal = this.seatPoolRefusal(await r.bookings.seatUsage(slot, excludeId), slot, seats);
    if (refusal) throw refusal;
  }

  /** The licence's seat pool: the peak of seats in use during the slot, plus these, fits the pool. */
  private seatPoolRefusal(usage: SeatUsage[], slot: Slot, seats: number): AppError | null {
    const peak = peakSeats(usage, slot.start, slot.end);
    if (peak.seatsUsed + seats > this.policy.seatPool) {
      const left = Math.max(0, this.policy.seatPool - peak.seatsUsed);
      return new AppError(
        'conflict',
        'SEAT_POOL_FULL',
        `Only ${left} of the licence's ${this.policy.seatPool} seats are free at that time, and this booking needs ${seats}. Choose another time or fewer seats.`,
        { conflict: { start: peak.start.toISOString(), end: peak.end.toISOString(), seatsLeft: left } },
        { it: `In quell’orario sono liberi solo ${left} dei ${this.policy.seatPool} posti del pacchetto di licenze, e questa prenotazione ne richiede ${seats}. Scegli un altro orario o meno posti.` },
      );
    }
    return null;
  }

  /**
   * The quota ledgers of the institutions paying for these slots (null: no one pays), each locked,
   * in the order of their ids as every booking locks them, after the seat-pool locks: transactions
   * of several institutions never deadlock.
   */
  async quotaLedgers(r: Repositories, reqs: readonly { payer: string | null; slot: Slot; zone: string }[]): Promise<Map<string | null, QuotaLedger>> {
    const ledgers = new Map<string | null, QuotaLedger>();
    for (const id of [...new Set(reqs.map((q) => q.payer))].sort()) {
      ledgers.set(id, await this.quotaLedger(r, id, reqs.filter((q) => q.payer === id)));
    }
    return ledgers;
  }

  private async checkQuota(r: Repositories, institutionId: string | null, slot: Slot, zone: string, excludeId?: string): Promise<void> {
    const refusal = (await this.quotaLedger(r, institutionId, [{ slot, zone }], excludeId)).refusal(slot, zone);
    if (refusal) throw refusal;
  }

  /**
   * An institution's monthly quota as a ledger over the months the slots fall in. Locks the
   * institution's row so that two bookings of one institution cannot both fit the last hours.
   */
  private async quotaLedger(r: Repositories, institutionId: string | null, reqs: readonly { slot: Slot; zone: string }[], excludeId?: string): Promise<QuotaLedger> {
    const unlimited: QuotaLedger = { refusal: () => null, add: () => {} };
    if (!institutionId) return unlimited;
    const unlocked = await r.institutions.findById(institutionId);
    if (!unlocked || unlocked.monthlyQuotaHours === null) return unlimited;
    const institution = (await r.institutions.findById(institutionId, { forUpdate: true }))!;
    const quota = institution.monthlyQuotaHours;
    if (quota === null) return unlimited;
    const key = (slot: Slot, zone: string) => monthOf(slot.start, zone).start.getTime();
    const months = [...new Map(reqs.map((q) => [key(q.slot, q.zone), monthOf(q.slot.start, q.zone)])).values()];
    const hours =
      excludeId !== undefined
        ? await Promise.all(months.map((m) => r.bookings.institutionHours(institutionId, m, excludeId)))
        : await r.bookings.institutionHoursPerMonth(institutionId, months);
    const used = new Map(months.map((m, i) => [m.start.getTime(), hours[i]!]));
    return {
      refusal: (slot, zone) => {
        const month = monthOf(slot.start, zone);
        const spent = used.get(month.start.getTime()) ?? 0;
        const needed = slotHours(slot);
        if (spent + needed <= quota + 1e-9) return null;
        const left = Math.max(0, quota - spent);
        return new AppError(
          'conflict',
          'QUOTA_EXCEEDED',
          `${institution.name} has ${formatMinutes(Math.round(left * 60))} left of its ${quota} booked hours for that month, and this booking needs ${formatMinutes(Math.round(needed * 60))}.`,
          { conflict: { start: month.start.toISOString(), end: month.end.toISOString(), hoursLeft: left } },
          {
            it: `${institution.name} ha ancora ${formatMinutes(Math.round(left * 60))} delle sue ${quota} ore di prenotazione per quel mese, e questa prenotazione ne richiede ${formatMinutes(Math.round(needed * 60))}.`,
          },
        );
      },
      add: (slot, zone) => {
        const k = key(slot, zone);
        used.set(k, (used.get(k) ?? 0) + slotHours(slot));
      },
    };
  }

  /** Audit records, one live notice statement for all, then the listeners, in order. */
  private async recordChanges(
    r: Repositories,
    changes: { ctx: CallContext; action: BookingEvent['action']; before: Booking | null; after: Booking; partOfSeries: boolean; withoutAudio?: boolean; message?: string | undefined }[],
  ) {
    await r.audit.recordMany(
      changes.map(({ ctx, action, before, after, message }) => ({
        actorId: ctx.actor.userId,
        action: `booking.${action}`,
        entity: 'booking',
        entityId: after.id,
        before: before && auditView(before),
        // The words mailed with a change or cancellation stay with it: the booking's history shows why.
        after: { ...auditView(after), ...(message && { message }) },
        requestId: ctx.requestId,
      })),
    );
    await r.bookings.notifyChanges(
      changes.map(({ action, before, after }) => ({
        action,
        bookingId: after.id,
        roomId: after.roomId,
        previousRoomId: before && before.roomId !== after.roomId ? before.roomId : undefined,
        // For the join caches: a series-wide guest link follows its series' occurrences.
        seriesId: after.seriesId ?? undefined,
        start: after.start.toISOString(),
        end: after.end.toISOString(),
      })),
    );
    const events: BookingEvent[] = changes.map(({ ctx, action, before, after, partOfSeries, withoutAudio, message }) => ({
      action,
      before,
      after,
      ctx,
      ...(partOfSeries && { partOfSeries }),
      ...(withoutAudio && { withoutAudio }),
      ...(message && { message }),
    }));
    for (const listener of this.batchListeners) await listener(r, events);
    for (const event of events) {
      for (const listener of this.listeners) await listener(r, event);
    }
  }

  /**
   * The rooms and busy times four days around a slot, for suggestions. The losers of one race ask
   * for the same at the same moment (31 of 32 clients in the contention benchmark): they share one
   * read in flight instead of sending the same two queries each, which made a loser wait about
   * twice as long as the winner.
   */
  private readonly readsAround = new Map<string, Promise<[Room[], Awaited<ReturnType<Repositories['bookings']['busy']>>]>>();
  private aroundSlot(slot: Slot) {
    const from = slot.start.getTime() - 4 * DAY;
    const to = slot.end.getTime() + 4 * DAY;
    const key = `${from} ${to}`;
    let read = this.readsAround.get(key);
    if (!read) {
      read = Promise.all([this.uow.repos.rooms.list(), this.uow.repos.bookings.busy(new Date(from), new Date(to))]).finally(() => this.readsAround.delete(key));
      this.readsAround.set(key, read);
    }
    return read;
  }

  /**
   * A lost competition carries the nearest slots that would have been accepted. The refusal was
   * decided already: if the read for suggestions fails (the database went away after the decision),
   * the refusal goes out without them rather than as that read's error, to every loser sharing it.
   */
  async withSuggestions(
    e: unknown,
    req: { slot: Slot; seats: number; roomId: string | null; excludeId: string | undefined },
  ): Promise<unknown> {
    if (!(e instanceof AppError) || (e.code !== 'ROOM_TAKEN' && e.code !== 'SEAT_POOL_FULL')) return e;
    // A new request may join the waiting list for this slot (POST /api/v1/waiting-list).
    const waitable = req.excludeId === undefined && { waitable: true };
    const around = await this.aroundSlot(req.slot).catch(() => null);
    if (!around) return new AppError(e.kind, e.code, e.message, { ...e.details, ...waitable }, e.translations);
    const [rooms, busy] = around;
    const suggestions = nearestFreeSlots({
      slot: req.slot,
      seats: req.seats,
      roomId: req.roomId,
      rooms,
      busy: busy.filter((b) => b.id !== req.excludeId),
      policy: this.policy,
      now: this.clock.now(),
    });
    return new AppError(
      e.kind,
      e.code,
      e.message,
      {
        ...e.details,
        ...waitable,
        suggestions: suggestions.map((s) => ({ roomId: s.roomId, roomName: s.roomName, start: s.start.toISOString(), end: s.end.toISOString() })),
      },
      e.translations,
    );
  }
}

/** The room with this id, or 404 ROOM_NOT_FOUND (every use-case that names a room asks this). */
export async function requireRoom(r: Repositories, id: string): Promise<Room> {
  const room = await r.rooms.findById(id);
  if (!room) throw notFound('ROOM_NOT_FOUND', 'No room with this id exists.', { it: 'Non esiste un’aula con questo id.' });
  return room;
}

/** What stands in a slot's way: a booking (whose, when known) or, after a lost race, just the slot. */
type Taken = Slot & { bookingId?: string | null; bookerId?: string };

/**
 * The room is taken. When the booking in the way is the caller's own (a double click, a form sent
 * twice, a series over an existing booking), the answer says so: `conflict.yours` and, when it
 * exists already, that booking's id, which the caller may see anyway. Whose it is stays unsaid otherwise.
 */
function roomTaken(room: (RoomFacts & { id: string }) | null, conflict: Taken, callerId: string): AppError {
  const yours = room !== null && conflict.bookerId === callerId;
  const where = room ? { en: `${room.name} is`, it: `${room.name} è` } : { en: 'Every room that fits is', it: 'Ogni aula adatta è' };
  const [message, it] = yours
    ? [
        `You already have a booking in ${room.name} at that time (or too close to it: a turnaround stays free between meetings). Open it from "My bookings" to change it, or pick another time.`,
        `Hai già una prenotazione in ${room.name} in quell’orario (o troppo vicina: tra due riunioni resta sempre un intervallo libero). Aprila da «Le mie prenotazioni» per modificarla, o scegli un altro orario.`,
      ]
    : [
        `${where.en} already booked at that time, or too close to another meeting (a turnaround stays free between meetings). Pick one of the suggested free slots or another time.`,
        `${where.it} già prenotata in quell’orario, o troppo vicina a un’altra riunione (tra due riunioni resta sempre un intervallo libero). Scegli uno degli orari liberi suggeriti o un altro orario.`,
      ];
  const details = {
    conflict: {
      start: conflict.start.toISOString(),
      end: conflict.end.toISOString(),
      ...(room ? { roomId: room.id } : {}),
      ...(yours ? { yours: true, ...(conflict.bookingId ? { bookingId: conflict.bookingId } : {}) } : {}),
    },
  };
  return new AppError('conflict', 'ROOM_TAKEN', message, details, { it });
}
