// What a join needs, kept in this instance's memory: the booking's window and state, its prepared
// meeting, the room's service, the guest link and its settings. It changes rarely and is the same for
// everyone joining one meeting, so at the start of a lecture (hundreds of clicks in the same minute)
// a join costs no query at all. It is forgotten through the change notices every writer sends after
// its commit (BOOKING_CHANNEL, JOIN_CHANNEL, AUTH_CHANNEL, AUDIO_CHANNEL; LISTEN/NOTIFY on
// PostgreSQL, so every instance hears them, in-process on PGlite), and this instance also forgets at
// once, before the writer's request is answered (db/notices.ts delivers locally too).
//
// Four maps:
// - views, by booking: the JoinView without a viewer;
// - viewers, by booking and person: a signed-in person's name, e-mail and whether they are invited;
// - guests, by guest token: the link and the booking it opens now (a series-wide link moves from
//   occurrence to occurrence: the entry is good until its target ends plus the grace minutes);
// - conferences, by booking: its audio conference (the dial-in every join and guest page shows),
//   or that it has none; forgotten by the booking's notices and AUDIO_CHANNEL's (PIN switched on or
//   off, locked). Mails still read the database: a job may run on another instance before its
//   LISTEN has heard the change.
//
// Reads of one key are shared while in flight, and a read in flight when its key was invalidated is
// not kept (app/kept-reads.ts). `maxAgeSeconds` bounds how long an entry lives even if a notice was lost (a LISTEN connection
// that was re-made misses what was sent meanwhile).
import { AUDIO_CHANNEL, AUTH_CHANNEL, BOOKING_CHANNEL, JOIN_CHANNEL, type AudioConference, type Clock } from '../ports.ts';
import { KeptReads } from './kept-reads.ts';
import type { BookingFacts, GuestLink, JoinView, ProvisioningStore } from './provisioning-store.ts';

export type Viewer = NonNullable<JoinView['viewer']>;
export type GuestEntry = { link: GuestLink; facts: BookingFacts };

/** A JOIN_CHANNEL payload: one booking's joining facts changed, or (`all`) something many share. */
export type JoinChange = { bookingId: string } | { all: true };

export class JoinCache {
  readonly #store: ProvisioningStore;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #graceMinutes: number;
  readonly #views = new KeptReads<JoinView>();
  readonly #viewers = new KeptReads<Viewer>();
  readonly #guests = new KeptReads<GuestEntry>();
  readonly #conferences = new KeptReads<AudioConference | null>();
  readonly #conference: (bookingId: string) => Promise<AudioConference | null>;
  /** Reads answered from memory and from the database, for the tests and the metrics. */
  readonly counts = { hits: 0, loads: 0 };

  /** `conference`: reads a booking's audio conference from the database (null: it has none). */
  constructor(d: { store: ProvisioningStore; conference: (bookingId: string) => Promise<AudioConference | null>; clock: Clock; maxAgeSeconds: number; graceMinutes: number }) {
    this.#store = d.store;
    this.#conference = d.conference;
    this.#clock = d.clock;
    this.#maxAgeMs = d.maxAgeSeconds * 1000;
    this.#graceMinutes = d.graceMinutes;
  }

  // Entries age by the wall clock (how long since read), not by the portal's Clock: a test clock
  // that stands still must not keep an entry for ever.
  #until(): number {
    return Date.now() + this.#maxAgeMs;
  }

  /** The booking's joining facts without a viewer (null: no such booking). */
  view(bookingId: string): Promise<JoinView | null> {
    return this.#counted(this.#views, bookingId, async () => {
      const v = await this.#store.joinView(bookingId);
      return v && { value: v, until: this.#until() };
    });
  }

  /** A signed-in person as the join of this booking sees them (null: no such person or booking). */
  viewer(bookingId: string, userId: string): Promise<Viewer | null> {
    return this.#counted(this.#viewers, `${bookingId} ${userId}`, async () => {
      const v = await this.#store.joinView(bookingId, userId);
      return v?.viewer ? { value: v.viewer, until: this.#until() } : null;
    });
  }

  /** The guest link of this token and the facts of the booking it opens now (null: no such link). */
  async guest(token: string): Promise<GuestEntry | null> {
    const load = async () => {
      const link = await this.#store.guestLinkByToken(token);
      if (!link) return null;
      const target = await this.#store.guestTarget(link.bookingId, this.#clock.now(), this.#graceMinutes);
      const facts = await this.#store.facts(target);
      return facts ? { value: { link, facts }, until: this.#until() } : null;
    };
    const got = await this.#counted(this.#guests, token, load);
    // A series-wide link moves on when its occurrence is over (end plus grace), by the portal's clock.
    if (got && got.facts.seriesId !== null && this.#clock.now().getTime() >= got.facts.end.getTime() + this.#graceMinutes * 60_000) {
      this.#guests.drop((key) => key === token);
      return this.#counted(this.#guests, token, load);
    }
    return got;
  }

  /** The booking's audio conference, or null when it has none (that is kept too: most have none). */
  conference(bookingId: string): Promise<AudioConference | null> {
    return this.#counted(this.#conferences, bookingId, async () => ({ value: await this.#conference(bookingId), until: this.#until() }));
  }

  /** The first join was recorded: this instance does not record it again. */
  joined(bookingId: string, at: Date): void {
    const e = this.#views.entries.get(bookingId);
    if (e && !e.value.firstJoinedAt) e.value = { ...e.value, firstJoinedAt: at };
  }

  /** Forget one booking's facts: its view, its viewers, and every guest link that opens it or belongs to it. */
  forgetBooking(bookingId: string, seriesId?: string): void {
    this.#views.drop((key) => key === bookingId);
    this.#viewers.drop((key) => key.startsWith(`${bookingId} `));
    this.#conferences.drop((key) => key === bookingId);
    // A series-wide link may now open another occurrence of its series.
    this.#guests.drop((_key, g) => g === undefined || g.link.bookingId === bookingId || g.facts.bookingId === bookingId || (seriesId !== undefined && g.facts.seriesId === seriesId));
  }

  /** Forget what this person's name, e-mail or invitations decided, and the bookings they booked. */
  forgetUser(userId: string): void {
    this.#viewers.drop((key) => key.endsWith(` ${userId}`));
    this.#views.drop((_key, v) => v === undefined || v.facts.bookerId === userId);
    this.#guests.drop((_key, g) => g === undefined || g.facts.bookerId === userId);
  }

  clear(): void {
    this.#views.clear();
    this.#viewers.clear();
    this.#guests.clear();
    this.#conferences.clear();
  }

  /** Applies one change notice of any of the channels it follows (see the head of this file). */
  apply(channel: string, payload: string): void {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(payload) as Record<string, unknown>;
    } catch {
      return this.clear();
    }
    if (!v || typeof v !== 'object') return this.clear();
    if (channel === AUTH_CHANNEL) {
      if (v.kind === 'user' && typeof v.userId === 'string') this.forgetUser(v.userId);
      return;
    }
    if (channel === AUDIO_CHANNEL) {
      if (typeof v.bookingId === 'string') this.#conferences.drop((key) => key === v.bookingId);
      else this.#conferences.clear();
      return;
    }
    if (channel === BOOKING_CHANNEL || channel === JOIN_CHANNEL) {
      if (typeof v.bookingId === 'string' && v.all !== true) return this.forgetBooking(v.bookingId, typeof v.seriesId === 'string' ? v.seriesId : undefined);
      return this.clear();
    }
  }

  async #counted<T>(table: KeptReads<T>, key: string, load: () => Promise<{ value: T; until: number } | null>): Promise<T | null> {
    const hit = table.entries.get(key);
    if (hit && hit.until > Date.now()) {
      this.counts.hits++;
      return hit.value;
    }
    return table.get(key, Date.now(), () => {
      this.counts.loads++;
      return load();
    });
  }
}

/** The channels a JoinCache follows. */
export const JOIN_CACHE_CHANNELS = [BOOKING_CHANNEL, JOIN_CHANNEL, AUTH_CHANNEL, AUDIO_CHANNEL] as const;
