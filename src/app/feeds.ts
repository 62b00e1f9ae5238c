// Calendar feeds: a secret address per user ("my bookings") and per room (busy times only) that a
// calendar application subscribes to. Regenerating gives a new address and ends the old one.
import { randomBytes } from 'node:crypto';
import { notFound } from '../domain/errors.ts';
import { DAY } from '../domain/time.ts';
import type { Booking, BusyBooking, CallContext, Clock, Room, UnitOfWork } from '../ports.ts';

export type Feed = { id: string; userId: string; roomId: string | null; createdAt: Date };
/** Where feeds are kept (db/feed-repository.ts). */
export interface FeedStore {
  upsert(userId: string, roomId: string | null, token: string): Promise<Feed>;
  list(userId: string): Promise<Feed[]>;
  remove(userId: string, id: string): Promise<boolean>;
  byToken(token: string): Promise<Feed | null>;
}

export type FeedContent = { kind: 'user'; feed: Feed; bookings: Booking[] } | { kind: 'room'; feed: Feed; room: Room; busy: BusyBooking[] };

// A feed shows the recent past and everything bookable ahead.
const PAST_DAYS = 30;

const noFeedHere = () => notFound('FEED_NOT_FOUND', 'No calendar feed at this address.', { it: 'Nessun calendario a questo indirizzo.' });

export class FeedService {
  private readonly uow: UnitOfWork;
  private readonly store: FeedStore;
  private readonly clock: Clock;
  private readonly maxDaysAhead: number;
  constructor(deps: { uow: UnitOfWork; store: FeedStore; clock: Clock; maxDaysAhead: number }) {
    this.uow = deps.uow;
    this.store = deps.store;
    this.clock = deps.clock;
    this.maxDaysAhead = deps.maxDaysAhead;
  }

  /** Creates or regenerates a feed; the token is returned only now. */
  async create(ctx: CallContext, roomId: string | null): Promise<{ feed: Feed; token: string }> {
    if (roomId && !(await this.uow.repos.rooms.findById(roomId))) throw notFound('ROOM_NOT_FOUND', 'No room with this id exists.', { it: 'Non esiste un’aula con questo id.' });
    const token = randomBytes(24).toString('base64url');
    return { feed: await this.store.upsert(ctx.actor.userId, roomId, token), token };
  }

  list(ctx: CallContext): Promise<Feed[]> {
    return this.store.list(ctx.actor.userId);
  }

  async remove(ctx: CallContext, id: string): Promise<void> {
    if (!(await this.store.remove(ctx.actor.userId, id))) throw notFound('FEED_NOT_FOUND', 'No such calendar feed.', { it: 'Questo indirizzo di calendario non esiste.' });
  }

  /** What a feed address shows; an unknown token is simply not found (no hint that it once existed). */
  async content(token: string): Promise<FeedContent> {
    const feed = /^[A-Za-z0-9_-]{20,64}$/.test(token) ? await this.store.byToken(token) : null;
    if (!feed) throw notFound('FEED_NOT_FOUND', 'No calendar feed at this address; it may have been regenerated. Copy the new address from the portal.', {
        it: 'Nessun calendario a questo indirizzo; forse è stato reimpostato. Copia il nuovo indirizzo dal portale.',
      });
    const now = this.clock.now().getTime();
    const from = new Date(now - PAST_DAYS * DAY);
    const to = new Date(now + (this.maxDaysAhead + 1) * DAY);
    const repos = this.uow.repos;
    // A feed lives with its account: a disabled account's feeds (guest links, dial-in PINs) are shut.
    const user = await repos.users.findById(feed.userId);
    if (!user || user.disabledAt) throw noFeedHere();
    if (feed.roomId) {
      const room = await repos.rooms.findById(feed.roomId);
      if (!room) throw noFeedHere();
      // A waiting-list hold is not a meeting: the room feed lists bookings only.
      const busy = (await repos.bookings.busy(from, to)).filter((b) => b.roomId === room.id && !b.held);
      return { kind: 'room', feed, room, busy };
    }
    const bookings = await repos.bookings.list({ from, to, bookerId: user.id, status: 'confirmed', limit: 5000 }, { userId: user.id, role: 'member', institutionId: null });
    return { kind: 'user', feed, bookings };
  }
}
