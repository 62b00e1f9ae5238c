// Requests that an administrator approves (issue #17). What self-service may not grant (domain/
// requests.ts: ASKABLE_CODES) is asked for with a reason. A request holds nothing: no room, no
// seats. Approving it books it through BookingService.reserve, the same rules and locks as any
// booking, so it can still lose a race; the administrator then sees the nearest free slots and
// approves one of them (approve with another room or time: the requester is told what they got and
// may cancel it; there is no back-and-forth of proposals). Denying needs a reason. A request whose
// start has come expires (expireDue, swept by jobs/request-expiry.ts).
import type { Actor } from '../domain/access.ts';
import { checkRoomActive, checkSlot, LONGEST_BOOKING_MINUTES, type Slot } from '../domain/booking-rules.ts';
import { AppError, adminOnly } from '../domain/errors.ts';
import { checkPending, checkPendingCount, isAskable, type RequestState } from '../domain/requests.ts';
import { parseTime } from '../domain/time.ts';
import type { BookingPolicy } from '../domain/booking-rules.ts';
import type { Booking, BookingRequest, CallContext, Clock, Repositories, Room, UnitOfWork } from '../ports.ts';
import { requireRoom, SEATS_OR_ROOM, type BookingService, type CreateBookingInput } from './bookings.ts';
import { toActor } from './accounts.ts';

export type AskInput = CreateBookingInput & { reason: string };
/** An approval may book another room, time or number of seats than asked (a proposal the requester may cancel). */
export type ApproveInput = { roomId?: string | undefined; start?: string | undefined; end?: string | undefined; seats?: number | undefined; note?: string | undefined };
export type RequestFilter = { state?: RequestState | undefined; institutionId?: string | undefined; roomId?: string | undefined; from?: Date | undefined; to?: Date | undefined; mine?: boolean | undefined; limit: number; offset?: number | undefined };

export type RequestEvent = {
  action: 'created' | 'approved' | 'denied' | 'expired' | 'withdrawn';
  request: BookingRequest;
  booking?: Booking | undefined;
};
/** Reacts to a request's change inside its transaction (the requester's mail is enqueued there). */
export type RequestListener = (repos: Repositories, event: RequestEvent) => Promise<void>;

const requireAdmin = (actor: Actor) => {
  if (actor.role !== 'admin') throw adminOnly();
};
const requestNotFound = () =>
  new AppError('not-found', 'REQUEST_NOT_FOUND', 'No request with this id exists, or you may not see it.', {}, { it: 'Non esiste una richiesta con questo id, o non puoi vederla.' });

const auditView = (q: BookingRequest) => ({
  state: q.state,
  requesterId: q.requester.id,
  roomId: q.room?.id ?? null,
  title: q.title,
  start: q.start.toISOString(),
  end: q.end.toISOString(),
  seats: q.seats,
  askedFor: q.askedFor,
  ...(q.decisionNote && { note: q.decisionNote }),
  ...(q.bookingId && { bookingId: q.bookingId }),
});

export class RequestService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly policy: BookingPolicy;
  private readonly bookings: BookingService;
  private readonly listeners: RequestListener[] = [];

  constructor(deps: { uow: UnitOfWork; clock: Clock; policy: BookingPolicy; bookings: BookingService }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.bookings = deps.bookings;
  }

  onChange(listener: RequestListener): void {
    this.listeners.push(listener);
  }

  /**
   * Asks for what self-service refused. The request must break one of the askable rules (else it
   * is booked directly) and none of the others: grid, minimum duration, a start from now on.
   */
  async ask(ctx: CallContext, input: AskInput): Promise<BookingRequest> {
    const room = input.roomId ? await requireRoom(this.uow.repos, input.roomId) : null;
    if (room) checkRoomActive(room);
    const zone = room?.timeZone ?? this.policy.defaultTimeZone;
    const slot = { start: parseTime(input.start, zone, 'start'), end: parseTime(input.end, zone, 'end') };
    this.checkApprovable(slot, zone);
    const refusal = await this.bookings.checkSelfService(ctx, input).then(
      () => null,
      (e: unknown) => e,
    );
    if (refusal === null) {
      throw new AppError('unprocessable', 'NOTHING_TO_ASK', 'You may book this yourself: nothing in it needs an administrator’s approval. Book it from the booking form.', {}, {
        it: 'Puoi prenotarlo da solo: niente qui richiede l’approvazione di un amministratore. Prenota dal modulo di prenotazione.',
      });
    }
    if (!(refusal instanceof AppError) || !isAskable(refusal.code)) throw refusal;
    const seats = input.seats ?? room?.capacity;
    if (seats === undefined) {
      throw new AppError(
        'invalid',
        'VALIDATION_FAILED',
        'Give either roomId or seats.',
        SEATS_OR_ROOM.en,
        { it: 'Indica roomId o seats (i posti).', details: SEATS_OR_ROOM.it },
      );
    }
    return this.uow.transaction(async (r) => {
      // Counted and inserted under the requester's lock: two requests at once cannot both be the 20th.
      checkPendingCount(await r.requests.countPending({ requesterId: ctx.actor.userId, lock: true }));
      const id = await r.requests.insert({
        requesterId: ctx.actor.userId,
        institutionId: ctx.actor.institutionId,
        roomId: room?.id ?? null,
        title: input.title,
        description: input.description ?? '',
        seats,
        start: slot.start,
        end: slot.end,
        reason: input.reason,
        askedFor: refusal.code,
      });
      return this.changed(r, ctx, 'created', id, null);
    });
  }

  async get(ctx: CallContext, id: string): Promise<BookingRequest> {
    const q = await this.uow.repos.requests.findById(id);
    if (!q || (ctx.actor.role !== 'admin' && q.requester.id !== ctx.actor.userId)) throw requestNotFound();
    return q;
  }

  /** Administrators see every request (the queue); anyone else only their own. */
  async list(ctx: CallContext, f: RequestFilter): Promise<BookingRequest[]> {
    const own = ctx.actor.role !== 'admin' || f.mine === true;
    return this.uow.repos.requests.list({ ...f, requesterId: own ? ctx.actor.userId : undefined });
  }

  /** Pending requests: all of them for an administrator (the queue's badge), and the caller's own. */
  async counts(ctx: CallContext): Promise<{ pending: number | null; minePending: number }> {
    const repo = this.uow.repos.requests;
    const [all, mine] = await Promise.all([ctx.actor.role === 'admin' ? repo.countPending({}) : null, repo.countPending({ requesterId: ctx.actor.userId })]);
    return { pending: all, minePending: mine };
  }

  /**
   * Books the request for its requester (booker and institution: theirs; the administrator is the
   * audit's actor) with the self-service limits waived, under the rules and locks of every booking.
   * A lost race answers ROOM_TAKEN or SEAT_POOL_FULL with the nearest free slots; the request stays
   * pending, and approving it with one of those slots is the proposal.
   */
  async approve(ctx: CallContext, id: string, input: ApproveInput): Promise<{ request: BookingRequest; booking: Booking }> {
    requireAdmin(ctx.actor);
    let attempt: { slot: Slot; seats: number; roomId: string | null } | undefined;
    try {
      return await this.uow.transaction(async (r) => {
        const q = await r.requests.findById(id, { forUpdate: true });
        if (!q) throw requestNotFound();
        const now = this.clock.now();
        checkPending(q.state, now, q.start, 'approved');
        const room = (input.roomId ?? q.room?.id) ? await requireRoom(r, (input.roomId ?? q.room?.id)!) : null;
        if (room) checkRoomActive(room);
        const zone = room?.timeZone ?? this.policy.defaultTimeZone;
        const slot = {
          start: input.start !== undefined ? parseTime(input.start, zone, 'start') : q.start,
          end: input.end !== undefined ? parseTime(input.end, zone, 'end') : q.end,
        };
        const seats = input.seats ?? q.seats;
        this.checkApprovable(slot, zone);
        // A room the administrator names takes the request whatever its size (capacity is a
        // self-service limit); without one, the smallest room that holds the seats.
        const candidates: Room[] = room ? [room] : (await r.rooms.list()).filter((c) => c.capacity >= seats).sort((a, b) => a.capacity - b.capacity);
        if (candidates.length === 0) {
          throw new AppError('unprocessable', 'APPROVAL_NEEDS_ROOM', `No room holds ${seats} participants: choose the room this request goes to.`, {}, {
            it: `Nessuna aula contiene ${seats} partecipanti: scegli l’aula per questa richiesta.`,
          });
        }
        attempt = { slot, seats, roomId: room?.id ?? null };
        // Booked by the administrator for the requester: the owner's booking, institution and quota.
        const requester = await r.users.findById(q.requester.id);
        if (!requester) throw requestNotFound();
        const booking = await this.bookings.reserve(r, { ...ctx, onBehalfOf: toActor(requester) }, { candidates, slot, seats, zone, title: q.title, description: q.description });
        await r.requests.decide(id, { state: 'approved', decidedBy: ctx.actor.userId, at: now, note: input.note ?? '', bookingId: booking.id });
        return { request: await this.changed(r, ctx, 'approved', id, q, booking), booking };
      });
    } catch (e) {
      throw attempt ? await this.bookings.withSuggestions(e, { ...attempt, excludeId: undefined }) : e;
    }
  }

  async deny(ctx: CallContext, id: string, reason: string): Promise<BookingRequest> {
    requireAdmin(ctx.actor);
    return this.uow.transaction(async (r) => {
      const q = await r.requests.findById(id, { forUpdate: true });
      if (!q) throw requestNotFound();
      const now = this.clock.now();
      checkPending(q.state, now, q.start, 'denied');
      await r.requests.decide(id, { state: 'denied', decidedBy: ctx.actor.userId, at: now, note: reason });
      return this.changed(r, ctx, 'denied', id, q);
    });
  }

  /** The requester takes their request back while it is pending. */
  async withdraw(ctx: CallContext, id: string): Promise<BookingRequest> {
    return this.uow.transaction(async (r) => {
      const q = await r.requests.findById(id, { forUpdate: true });
      if (!q || q.requester.id !== ctx.actor.userId) throw requestNotFound();
      const now = this.clock.now();
      checkPending(q.state, now, q.start, 'withdrawn');
      await r.requests.decide(id, { state: 'withdrawn', decidedBy: ctx.actor.userId, at: now, note: '' });
      return this.changed(r, ctx, 'withdrawn', id, q);
    });
  }

  /** Expires the pending requests whose start has come; safe to run on several instances at once. */
  async expireDue(): Promise<number> {
    return this.uow.transaction(async (r) => {
      const ids = await r.requests.expireDue(this.clock.now());
      for (const id of ids) await this.changed(r, { actor: { userId: '', role: 'member', institutionId: null } }, 'expired', id, null, undefined, true);
      return ids.length;
    });
  }

  /** Self-service limits waived, the rest of a slot's rules kept (grid, minimum, not in the past). */
  /** An approval waives the duration and horizon of self-service, not the longest any booking may last. */
  private checkApprovable(slot: Slot, zone: string): void {
    checkSlot(slot, zone, { ...this.policy, maxDurationMinutes: LONGEST_BOOKING_MINUTES, maxDaysAhead: 1_000_000 }, this.clock.now());
  }

  /** Audit record and listeners of a change, in its transaction; the request as it now is. */
  private async changed(r: Repositories, ctx: CallContext, action: RequestEvent['action'], id: string, before: BookingRequest | null, booking?: Booking, bySystem = false): Promise<BookingRequest> {
    const after = (await r.requests.findById(id))!;
    await r.audit.record({
      actorId: bySystem ? null : ctx.actor.userId,
      action: `request.${action}`,
      entity: 'booking_request',
      entityId: id,
      before: before && auditView(before),
      after: auditView(after),
      requestId: ctx.requestId,
    });
    for (const listener of this.listeners) await listener(r, { action, request: after, booking });
    return after;
  }
}
