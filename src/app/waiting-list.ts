// Waiting lists (issue #17): "tell me if it frees". A person whose slot was taken joins the list;
// when a cancellation, a shortened or moved meeting, or an ended hold frees room or seats, the
// waiting entries that meet the freed time are judged in joining order (first come, first served)
// and each that now fits gets the slot held for `holdMinutes`, with a mail; its holder confirms (a
// booking under the usual rules) or lets go, or the hold ends by itself and the next one is offered.
//
// Why a hold is a row of waiting_entries and not a booking: see migration 019. It weighs where a
// booking is judged (wm_reserve_snapshot, seatUsage, roomConflict), on every booking but the one
// confirming it: not on every booking of its holder, who could then book over it and confirm it too.
// Holds are made under the seat-pool locks of their hours, as bookings are, so both are exact.
import { canManageBooking } from '../domain/access.ts';
import { checkOnApproval, checkSeatShare, type BookingPolicy, type Slot } from '../domain/booking-rules.ts';
import { AppError } from '../domain/errors.ts';
import { peakSeats } from '../domain/seat-pool.ts';
import { MINUTE } from '../domain/time.ts';
import type { Booking, BookingListener, CallContext, Clock, Repositories, Room, UnitOfWork, WaitingEntry } from '../ports.ts';
import type { BookingService, CreateBookingInput } from './bookings.ts';

/** Offers a freed time to the people waiting for it; enqueued by the change that freed it. */
export const WAITING_OFFER_QUEUE = 'waiting-list-offer';
export type WaitingOfferJob = { start: string; end: string };

/** What a hold's mail needs: the entry as held, and its room. */
export type HoldOffer = { entry: WaitingEntry; room: Room };

export type JoinWaitingListInput = Omit<CreateBookingInput, 'audio'>;

const SWEEP_BATCH = 100;

/**
 * The most entries one person may have open (waiting or held) at once: more than anyone waits for
 * in practice, and a bound on the list every freed slot is judged against and on "My bookings".
 */
export const MOST_OPEN_WAITING = 20;

const tooManyWaiting = () =>
  new AppError(
    'conflict',
    'TOO_MANY_WAITING',
    `You are already waiting for ${MOST_OPEN_WAITING} slots. Leave one you no longer need (under "My bookings"), then join again.`,
    { most: MOST_OPEN_WAITING },
    { it: `Sei già in attesa per ${MOST_OPEN_WAITING} orari. Lasciane uno che non ti serve più (in «Le mie prenotazioni»), poi iscriviti di nuovo.` },
  );

const entryNotFound = () =>
  new AppError('not-found', 'WAITING_ENTRY_NOT_FOUND', 'No waiting-list entry of yours has this id. Open "My bookings" to see the ones you have.', {}, {
    it: 'Nessuna tua iscrizione in lista d’attesa ha questo id. Apri «Le mie prenotazioni» per vedere le tue.',
  });

export class WaitingListService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly policy: BookingPolicy;
  private readonly bookings: BookingService;
  private readonly holdMinutes: number;
  /** Sends the hold's mail inside the hold's transaction (set by jobs/waiting-list.ts). */
  onHold: (r: Repositories, offer: HoldOffer) => Promise<void> = async () => {};

  constructor(deps: { uow: UnitOfWork; clock: Clock; policy: BookingPolicy; bookings: BookingService; holdMinutes: number }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.bookings = deps.bookings;
    this.holdMinutes = deps.holdMinutes;
  }

  /**
   * Joins the list for a slot, with the rules a self-service booking keeps to before it competes
   * (room, seats, grid, horizon, subscription, the seat share, no room on approval): waiting is not
   * a way around them. If the slot is free already, the entry is offered at once (then it shows held).
   */
  async join(ctx: CallContext, input: JoinWaitingListInput): Promise<WaitingEntry> {
    const { seats, slot } = await this.bookings.checkSelfService(ctx, input);
    return this.uow.transaction(async (r) => {
      const entry = await r.waiting.join(
        {
          userId: ctx.actor.userId,
          institutionId: ctx.actor.institutionId,
          roomId: input.roomId ?? null,
          slot,
          seats,
          title: input.title,
          description: input.description ?? '',
        },
        MOST_OPEN_WAITING,
      );
      if (!entry) throw tooManyWaiting();
      if (entry.state === 'waiting') await this.offer(r, slot);
      return (await r.waiting.findById(entry.id))!;
    });
  }

  async mine(ctx: CallContext): Promise<WaitingEntry[]> {
    return this.uow.repos.waiting.ofUser(ctx.actor.userId, this.clock.now());
  }

  /** Leaves the list; a hold let go is offered to the next person at once. Leaving twice changes nothing. */
  async leave(ctx: CallContext, id: string): Promise<WaitingEntry> {
    return this.uow.transaction(async (r) => {
      const entry = await this.ownEntry(r, ctx, id);
      if (entry.state !== 'waiting' && entry.state !== 'held') return entry;
      await r.waiting.setState(id, 'withdrawn');
      if (entry.state === 'held') {
        await this.noticeHold(r, entry, entry.heldRoomId!);
        await this.offer(r, entry);
      }
      return (await r.waiting.findById(id))!;
    });
  }

  /**
   * Turns a hold into a booking for its holder, under the rules of every booking (reserveMany, in
   * which this hold alone does not weigh). Exactly once: the entry is locked, and a confirm
   * sent again (a retry, a double click, another instance) answers the booking made the first time.
   */
  async confirm(ctx: CallContext, id: string): Promise<{ booking: Booking; created: boolean }> {
    return this.uow.transaction(async (r) => {
      const entry = await this.ownEntry(r, ctx, id);
      if (entry.state === 'booked' && entry.bookingId) {
        const booking = await r.bookings.findById(entry.bookingId);
        if (booking && canManageBooking(ctx.actor, booking)) return { booking, created: false };
      }
      const now = this.clock.now();
      if (entry.state !== 'held' || !entry.heldRoomId || !entry.holdExpiresAt || entry.holdExpiresAt <= now) {
        throw new AppError(
          'conflict',
          'HOLD_ENDED',
          entry.state === 'waiting'
            ? 'Nothing is held for you yet: you are still waiting. We mail you when the slot frees.'
            : 'This hold has ended (it expired or was let go), so the slot may be someone else’s now. Join the waiting list again or pick another time.',
          { state: entry.state },
          {
            it:
              entry.state === 'waiting'
                ? 'Non c’è ancora nulla di tenuto per te: sei ancora in attesa. Ti scriviamo quando il posto si libera.'
                : 'Questa prenotazione provvisoria è finita (è scaduta o l’hai lasciata), quindi il posto può essere di altri. Rimettiti in lista d’attesa o scegli un altro orario.',
          },
        );
      }
      const room = (await r.rooms.findById(entry.heldRoomId))!;
      const slot = { start: entry.start, end: entry.end };
      await this.bookings.checkMayBookAt(r, ctx, slot, room.timeZone);
      // What may have changed since joining (an administrator's settings) still holds.
      if (ctx.actor.role !== 'admin') {
        checkSeatShare(entry.seats, this.policy);
        checkOnApproval(room, true);
      }
      const booking = await this.bookings.reserve(r, ctx, { candidates: [room], slot, seats: entry.seats, zone: room.timeZone, title: entry.title, description: entry.description, holdId: entry.id });
      await r.waiting.setState(id, 'booked', booking.id);
      return { booking, created: true };
    });
  }

  /**
   * Offers a freed time, inside the caller's transaction: the waiting entries that meet it, locked in
   * joining order, each judged against the seat pool and its rooms' occupancy as a booking is, holds
   * included, and each one that fits held. All their hours are locked at once, in ascending order
   * (as every booking locks them), so offering never deadlocks with booking.
   */
  async offer(r: Repositories, freed: Slot): Promise<WaitingEntry[]> {
    const now = this.clock.now();
    const entries = await r.waiting.lockWaiting(freed, now);
    if (entries.length === 0) return [];
    const rooms = await r.rooms.list();
    // A hold is self-service: never in a room an administrator approves bookings of.
    const holdable = (room: Room) => room.active && !room.onApproval;
    const candidatesOf = (e: WaitingEntry): Room[] => {
      if (e.roomId) return rooms.filter((room) => room.id === e.roomId && holdable(room));
      return rooms.filter((room) => holdable(room) && room.capacity >= e.seats).sort((a, b) => a.capacity - b.capacity);
    };
    const t = this.policy.turnaroundMinutes;
    const slots = entries.map((e) => ({ start: e.start, end: e.end }));
    const { usage, occupancy } = await r.bookings.lockAndRead(slots, [...new Set(entries.flatMap((e) => candidatesOf(e).map((c) => c.id)))], t);
    // The institution's monthly hours are judged as the confirmation will judge them: a hold its
    // holder could not confirm would only keep the slot from the next person.
    const zones = new Map(entries.map((e) => [e.id, candidatesOf(e)[0]?.timeZone ?? this.policy.defaultTimeZone]));
    const quotas = await this.bookings.quotaLedgers(r, entries.map((e) => ({ payer: e.institutionId, slot: e, zone: zones.get(e.id)! })));
    const held: WaitingEntry[] = [];
    for (const e of entries) {
      const quota = quotas.get(e.institutionId)!;
      const zone = zones.get(e.id)!;
      if (quota.refusal(e, zone)) continue;
      // Every hold weighs, the person's own other holds too: each is a slot they may confirm.
      const over = usage.filter((u) => u.start < e.end && e.start < u.end);
      if (peakSeats(over, e.start, e.end).seatsUsed + e.seats > this.policy.seatPool) continue;
      const room = candidatesOf(e).find(
        (c) => !occupancy.some((o) => o.roomId === c.id && o.start.getTime() < e.end.getTime() + t * MINUTE && e.start.getTime() < o.occupiedUntil.getTime()),
      );
      if (!room) continue;
      const occupiedUntil = new Date(e.end.getTime() + t * MINUTE);
      // A hold never outlives the start of its slot.
      const expiresAt = new Date(Math.min(now.getTime() + this.holdMinutes * MINUTE, e.start.getTime()));
      await r.waiting.hold(e.id, room.id, { start: e.start, end: occupiedUntil }, expiresAt);
      // The entries after this one see it as taken.
      usage.push({ start: e.start, end: e.end, seats: e.seats, holdId: e.id });
      quota.add(e, zone);
      occupancy.push({ roomId: room.id, start: e.start, end: e.end, occupiedUntil, bookingId: null, bookerId: e.userId, holdId: e.id });
      const entry: WaitingEntry = { ...e, state: 'held', heldRoomId: room.id, holdExpiresAt: expiresAt };
      await this.noticeHold(r, entry, room.id);
      await this.onHold(r, { entry, room });
      held.push(entry);
    }
    return held;
  }

  /**
   * Ends the holds that are due and offers their slots to the next people; expires the waiting
   * entries whose slot began. Safe on any number of instances at once: each due hold is claimed by
   * one of them (SKIP LOCKED) and ends once. Run every minute by the queue's schedule.
   */
  async sweep(): Promise<{ expiredHolds: number; expiredWaiting: number }> {
    const now = this.clock.now();
    let expiredHolds = 0;
    for (;;) {
      const n = await this.uow.transaction(async (r) => {
        const ended = await r.waiting.expireDueHolds(now, SWEEP_BATCH);
        for (const e of ended) {
          await this.noticeHold(r, e, e.heldRoomId!);
          await this.offer(r, e);
        }
        return ended.length;
      });
      expiredHolds += n;
      if (n < SWEEP_BATCH) break;
    }
    const expiredWaiting = await this.uow.repos.waiting.expirePastWaiting(now);
    return { expiredHolds, expiredWaiting };
  }

  /** Offers a freed time in a transaction of its own (the offer job). */
  async offerFreed(freed: Slot): Promise<number> {
    return this.uow.transaction(async (r) => (await this.offer(r, freed)).length);
  }

  /**
   * Booking changes that free room or seats (a cancellation; a move, shortening, room change or
   * fewer seats) enqueue an offer of the old time, inside the change's transaction: the offer is
   * durable, and made after the change committed, under the locks of its own transaction.
   */
  readonly listener: BookingListener = async (r, e) => {
    const before = e.before;
    if (!before || before.status !== 'confirmed') return;
    const after = e.after;
    const frees =
      e.action === 'cancelled' ||
      after.status !== 'confirmed' ||
      after.roomId !== before.roomId ||
      after.seats < before.seats ||
      after.start.getTime() > before.start.getTime() ||
      after.end.getTime() < before.end.getTime();
    if (!frees || before.end.getTime() <= this.clock.now().getTime()) return;
    // The turnarounds around the old time free too.
    const t = this.policy.turnaroundMinutes * MINUTE;
    const freed = { start: new Date(before.start.getTime() - t), end: new Date(before.end.getTime() + t) };
    if (!(await r.waiting.anyWaiting(freed))) return;
    await r.jobs.enqueue(WAITING_OFFER_QUEUE, { start: freed.start.toISOString(), end: freed.end.toISOString() } satisfies WaitingOfferJob);
  };

  /**
   * A hold made or ended changes what calendars show busy: a live notice on the bookings' channel
   * (after commit), so open calendars and "My bookings" read again. Its id is the waiting entry's.
   */
  private async noticeHold(r: Repositories, e: WaitingEntry, roomId: string): Promise<void> {
    await r.bookings.notifyChanges([{ action: 'updated', bookingId: e.id, roomId, start: e.start.toISOString(), end: e.end.toISOString(), hold: true }]);
  }

  private async ownEntry(r: Repositories, ctx: CallContext, id: string): Promise<WaitingEntry> {
    const entry = await r.waiting.findById(id, { forUpdate: true });
    if (!entry || entry.userId !== ctx.actor.userId) throw entryNotFound();
    return entry;
  }
}

