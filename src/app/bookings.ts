// Booking use-cases: create, change (move, resize, edit), cancel, read. The request-only rules come
// from domain/; the competitive ones (room overlap, seat pool, quota) are decided inside one
// transaction under the locks described in db/booking-repository.ts.
import { canManageBooking } from '../domain/access.ts';
import type { BookingPolicy, RoomFacts, Slot } from '../domain/booking-rules.ts';
import { checkNotEnded, checkRoomActive, checkSeats, checkSlot, formatMinutes, slotHours } from '../domain/booking-rules.ts';
import { AppError, notFound, unprocessable } from '../domain/errors.ts';
import { peakSeats } from '../domain/seat-pool.ts';
import { checkMayBook } from '../domain/subscription.ts';
import { nearestFreeSlots } from '../domain/suggestions.ts';
import { DAY, monthOf, parseTime } from '../domain/time.ts';
import type { Booking, BookingEvent, BookingFilter, BookingListener, CallContext, Clock, Repositories, Room, UnitOfWork } from '../ports.ts';

export type CreateBookingInput = {
  title: string;
  description?: string | undefined;
  roomId?: string | undefined;
  seats?: number | undefined;
  start: string;
  end: string;
};

export type ChangeBookingInput = Partial<CreateBookingInput>;

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
};

const bookingNotFound = () => notFound('BOOKING_NOT_FOUND', 'No booking with this id exists, or you may not see it.');

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
  ...(b.seriesId && { seriesId: b.seriesId }),
});

export class BookingService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly policy: BookingPolicy;
  private readonly listeners: BookingListener[];

  constructor(deps: { uow: UnitOfWork; clock: Clock; policy: BookingPolicy; listeners?: BookingListener[] }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.listeners = deps.listeners ?? [];
  }

  /** Adds a reaction to booking changes (run inside each change's transaction). */
  onChange(listener: BookingListener): void {
    this.listeners.push(listener);
  }

  async create(ctx: CallContext, input: CreateBookingInput): Promise<Booking> {
    const { candidates, zone, seats } = await this.chooseRooms(this.uow.repos, input);
    const slot = this.parseSlot(input.start, input.end, zone);
    await this.checkMayBookAt(this.uow.repos, ctx, slot, zone);
    const reservation: Reservation = { candidates, slot, seats, zone, title: input.title, description: input.description ?? '' };
    try {
      return await this.uow.transaction((r) => this.reserve(r, ctx, reservation));
    } catch (e) {
      throw await this.withSuggestions(e, { slot, seats, roomId: input.roomId ?? null, excludeId: undefined });
    }
  }

  /** The rooms a booking may go to (one, or every room that fits, smallest first), its zone and seats. */
  async chooseRooms(repos: Repositories, input: { roomId?: string | undefined; seats?: number | undefined }): Promise<{ candidates: Room[]; zone: string; seats: number }> {
    if (input.roomId) {
      const room = await this.requireRoom(repos, input.roomId);
      checkRoomActive(room);
      const seats = input.seats ?? room.capacity;
      checkSeats(seats, room);
      return { candidates: [room], zone: room.timeZone, seats };
    }
    if (input.seats === undefined) {
      throw new AppError('invalid', 'VALIDATION_FAILED', 'Give either roomId or seats (to get the smallest free room that fits).', {
        errors: [{ path: 'seats', message: 'Required when roomId is not given.' }],
      });
    }
    const seats = input.seats;
    const candidates = (await repos.rooms.list()).filter((r) => r.capacity >= seats).sort((a, b) => a.capacity - b.capacity);
    if (candidates.length === 0) {
      throw unprocessable('NO_ROOM_FITS', `No room holds ${seats} participants; the largest holds ${await this.largestCapacity(repos)}.`);
    }
    return { candidates, zone: this.policy.defaultTimeZone, seats };
  }

  /** The request-only rules of a new slot: grid, duration, past, horizon, subscription. */
  async checkMayBookAt(repos: Repositories, ctx: CallContext, slot: Slot, zone: string): Promise<void> {
    const now = this.clock.now();
    checkSlot(slot, zone, this.policy, now);
    const institution = ctx.actor.institutionId ? await repos.institutions.findById(ctx.actor.institutionId) : null;
    checkMayBook(ctx.actor, institution, now, slot, zone);
  }

  /**
   * The competitive part of booking, inside the caller's transaction: seat-pool locks, quota, seat
   * pool, room overlap with turnaround, insert, audit, live notice and listeners. A single booking
   * and every occurrence of a series go through here, so the rules exist once. It writes nothing
   * before a rule refuses, so a series can skip a refused occurrence and go on in the same transaction.
   */
  async reserve(r: Repositories, ctx: CallContext, req: Reservation): Promise<Booking> {
    const { actor } = ctx;
    const { slot, seats, candidates } = req;
    await r.bookings.lockSeatPool(slot);
    await this.checkQuota(r, actor.role === 'admin' ? null : actor.institutionId, slot, req.zone);
    await this.checkSeatPool(r, slot, seats);
    let taken: Slot | null = null;
    for (const room of candidates) {
      const conflict = await r.bookings.roomConflict(room.id, slot, this.policy.turnaroundMinutes);
      if (conflict) {
        taken ??= conflict;
        continue;
      }
      const id = await r.bookings.insert({
        roomId: room.id,
        title: req.title,
        description: req.description,
        slot,
        turnaroundMinutes: this.policy.turnaroundMinutes,
        seats,
        bookerId: actor.userId,
        institutionId: actor.institutionId,
        seriesId: req.seriesId,
        recurrenceId: req.recurrenceId,
      });
      if (!id) {
        // Lost a race between our check and the insert: the constraint decided.
        taken ??= await r.bookings.roomConflict(room.id, slot, this.policy.turnaroundMinutes);
        continue;
      }
      const booking = (await r.bookings.findById(id))!;
      await this.recordChange(r, ctx, 'created', null, booking, req.seriesId !== undefined);
      return booking;
    }
    throw roomTaken(candidates.length === 1 ? candidates[0]! : null, taken ?? slot);
  }

  async change(ctx: CallContext, id: string, input: ChangeBookingInput): Promise<Booking> {
    let attempted: { slot: Slot; seats: number; roomId: string } | undefined;
    try {
      return await this.uow.transaction(async (r) => {
        const current = await this.lockForChange(r, ctx, id);
        return this.modify(r, ctx, current, input, { track: (a) => (attempted = a) });
      });
    } catch (e) {
      throw attempted ? await this.withSuggestions(e, { ...attempted, excludeId: id }) : e;
    }
  }

  /** Locks a booking the caller may change and that can still change. */
  async lockForChange(r: Repositories, ctx: CallContext, id: string): Promise<Booking> {
    const current = await r.bookings.findById(id, { forUpdate: true });
    if (!current || !canManageBooking(ctx.actor, current)) throw bookingNotFound();
    if (current.status === 'cancelled') throw unprocessable('BOOKING_CANCELLED', 'This booking was cancelled and can no longer be changed.');
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
    opts: { partOfSeries?: boolean; track?: (attempt: { slot: Slot; seats: number; roomId: string }) => void } = {},
  ): Promise<Booking> {
    const now = this.clock.now();
    const roomChanged = input.roomId !== undefined && input.roomId !== current.roomId;
    const room = await this.requireRoom(r, input.roomId ?? current.roomId);
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

    if (competes) {
      if (slotChanged && ctx.actor.role !== 'admin' && current.institutionId) {
        const institution = await r.institutions.findById(current.institutionId);
        checkMayBook({ ...ctx.actor, institutionId: current.institutionId }, institution, now, slot, room.timeZone);
      }
      await r.bookings.lockSeatPool(slot);
      if (slotChanged) await this.checkQuota(r, current.institutionId, slot, room.timeZone, current.id);
      await this.checkSeatPool(r, slot, seats, current.id);
      const conflict = await r.bookings.roomConflict(room.id, slot, this.policy.turnaroundMinutes, current.id);
      if (conflict) throw roomTaken(room, conflict);
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
      throw roomTaken(room, (await r.bookings.roomConflict(room.id, slot, this.policy.turnaroundMinutes, current.id)) ?? slot);
    }
    // The series' SEQUENCE grows too: its invitation carries this exception (RFC 5546, 3.2.2).
    if (current.seriesId && !opts.partOfSeries) await r.bookings.series.update(current.seriesId, {});
    const updated = (await r.bookings.findById(current.id))!;
    await this.recordChange(r, ctx, 'updated', current, updated, opts.partOfSeries ?? false);
    return updated;
  }

  async cancel(ctx: CallContext, id: string): Promise<Booking> {
    const now = this.clock.now();
    return this.uow.transaction(async (r) => {
      const current = await r.bookings.findById(id, { forUpdate: true });
      if (!current || !canManageBooking(ctx.actor, current)) throw bookingNotFound();
      if (current.status === 'cancelled') return current; // cancelling twice changes nothing
      checkNotEnded(current, now);
      return this.withdraw(r, ctx, current);
    });
  }

  /**
   * Cancels a locked booking inside the caller's transaction. An occurrence cancelled on its own
   * becomes an EXDATE of its series (RFC 5545, 3.8.5.1), so the series' invitation leaves it out.
   */
  async withdraw(r: Repositories, ctx: CallContext, current: Booking, opts: { partOfSeries?: boolean } = {}): Promise<Booking> {
    await r.bookings.cancel(current.id);
    if (current.seriesId && current.recurrenceId && !opts.partOfSeries) await r.bookings.series.addExdates(current.seriesId, [current.recurrenceId]);
    const cancelled = (await r.bookings.findById(current.id))!;
    await this.recordChange(r, ctx, 'cancelled', current, cancelled, opts.partOfSeries ?? false);
    return cancelled;
  }

  async get(ctx: CallContext, id: string): Promise<Booking> {
    const booking = await this.uow.repos.bookings.findById(id);
    if (!booking || !canManageBooking(ctx.actor, booking)) throw bookingNotFound();
    return booking;
  }

  async list(ctx: CallContext, filter: BookingFilter): Promise<Booking[]> {
    return this.uow.repos.bookings.list(filter, ctx.actor);
  }

  parseSlot(start: string, end: string, zone: string): Slot {
    return { start: parseTime(start, zone, 'start'), end: parseTime(end, zone, 'end') };
  }

  private async requireRoom(r: Repositories, id: string): Promise<Room> {
    const room = await r.rooms.findById(id);
    if (!room) throw notFound('ROOM_NOT_FOUND', 'No room with this id exists.');
    return room;
  }

  private async largestCapacity(r: Repositories): Promise<number> {
    return Math.max(0, ...(await r.rooms.list()).map((room) => room.capacity));
  }

  private async checkSeatPool(r: Repositories, slot: Slot, seats: number, excludeId?: string): Promise<void> {
    const peak = peakSeats(await r.bookings.seatUsage(slot, excludeId), slot.start, slot.end);
    if (peak.seatsUsed + seats > this.policy.seatPool) {
      const left = Math.max(0, this.policy.seatPool - peak.seatsUsed);
      throw new AppError(
        'conflict',
        'SEAT_POOL_FULL',
        `Only ${left} of the licence's ${this.policy.seatPool} seats are free at that time, and this booking needs ${seats}. Choose another time or fewer seats.`,
        { conflict: { start: peak.start.toISOString(), end: peak.end.toISOString(), seatsLeft: left } },
      );
    }
  }

  /** Locks the institution's row so that two bookings of one institution cannot both fit the last hours. */
  private async checkQuota(r: Repositories, institutionId: string | null, slot: Slot, zone: string, excludeId?: string): Promise<void> {
    if (!institutionId) return;
    const unlocked = await r.institutions.findById(institutionId);
    if (!unlocked || unlocked.monthlyQuotaHours === null) return;
    const institution = (await r.institutions.findById(institutionId, { forUpdate: true }))!;
    if (institution.monthlyQuotaHours === null) return;
    const month = monthOf(slot.start, zone);
    const used = await r.bookings.institutionHours(institutionId, month, excludeId);
    const needed = slotHours(slot);
    if (used + needed > institution.monthlyQuotaHours + 1e-9) {
      const left = Math.max(0, institution.monthlyQuotaHours - used);
      throw new AppError(
        'conflict',
        'QUOTA_EXCEEDED',
        `${institution.name} has ${formatMinutes(Math.round(left * 60))} left of its ${institution.monthlyQuotaHours} booked hours for that month, and this booking needs ${formatMinutes(Math.round(needed * 60))}.`,
        { conflict: { start: month.start.toISOString(), end: month.end.toISOString(), hoursLeft: left } },
      );
    }
  }

  private async recordChange(r: Repositories, ctx: CallContext, action: BookingEvent['action'], before: Booking | null, after: Booking, partOfSeries: boolean) {
    await r.audit.record({
      actorId: ctx.actor.userId,
      action: `booking.${action}`,
      entity: 'booking',
      entityId: after.id,
      before: before && auditView(before),
      after: auditView(after),
      requestId: ctx.requestId,
    });
    await r.bookings.notifyChange({
      action,
      bookingId: after.id,
      roomId: after.roomId,
      previousRoomId: before && before.roomId !== after.roomId ? before.roomId : undefined,
      start: after.start.toISOString(),
      end: after.end.toISOString(),
    });
    for (const listener of this.listeners) await listener(r, { action, before, after, ctx, ...(partOfSeries && { partOfSeries }) });
  }

  /** A lost competition carries the nearest slots that would have been accepted. */
  async withSuggestions(
    e: unknown,
    req: { slot: Slot; seats: number; roomId: string | null; excludeId: string | undefined },
  ): Promise<unknown> {
    if (!(e instanceof AppError) || (e.code !== 'ROOM_TAKEN' && e.code !== 'SEAT_POOL_FULL')) return e;
    const margin = 4 * DAY;
    const [rooms, busy] = await Promise.all([
      this.uow.repos.rooms.list(),
      this.uow.repos.bookings.busy(new Date(req.slot.start.getTime() - margin), new Date(req.slot.end.getTime() + margin)),
    ]);
    const suggestions = nearestFreeSlots({
      slot: req.slot,
      seats: req.seats,
      roomId: req.roomId,
      rooms,
      busy: busy.filter((b) => b.id !== req.excludeId),
      policy: this.policy,
      now: this.clock.now(),
    });
    return new AppError(e.kind, e.code, e.message, {
      ...e.details,
      suggestions: suggestions.map((s) => ({ roomId: s.roomId, roomName: s.roomName, start: s.start.toISOString(), end: s.end.toISOString() })),
    });
  }
}

function roomTaken(room: (RoomFacts & { id: string }) | null, conflict: Slot): AppError {
  const where = room ? `${room.name} is` : 'Every room that fits is';
  return new AppError(
    'conflict',
    'ROOM_TAKEN',
    `${where} already booked at that time, or too close to another meeting (a turnaround stays free between meetings). Pick one of the suggested free slots or another time.`,
    { conflict: { start: conflict.start.toISOString(), end: conflict.end.toISOString(), ...(room ? { roomId: room.id } : {}) } },
  );
}
