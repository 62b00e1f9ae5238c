// Live booking changes for open calendars. The booking transactions NOTIFY `booking_changes`
// (docs/api-contract.md, "Live updates"); each server process holds ONE listening connection and
// fans every notification out to its own SSE clients, so several instances behind a load
// balancer all hear every change through the shared PostgreSQL.
import { AUDIO_CHANNEL, AUTH_CHANNEL, BOOKING_CHANNEL, type AuthChange } from '../ports.ts';

export type BookingChange = {
  action: 'created' | 'updated' | 'cancelled';
  bookingId: string;
  roomId: string;
  start: string;
  end: string;
};

/**
 * The port: LISTEN on a channel (PostgreSQL client or PGlite's `listen`); resolves to an unlisten.
 * `onResync` runs when the listening connection came back after a loss (changes were missed).
 */
export type Listen = (channel: string, onPayload: (payload: string) => void, onResync?: () => void) => Promise<() => Promise<void>>;

type Subscriber<T> = (change: T) => void;

const ACTIONS = new Set(['created', 'updated', 'cancelled']);

/** Reads a NOTIFY payload; anything not shaped like a booking change is dropped. */
export function parseBookingChange(payload: string): BookingChange | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const text = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : typeof v[k] === 'number' ? String(v[k]) : null);
  const action = text('action');
  const bookingId = text('bookingId');
  const roomId = text('roomId');
  const start = text('start');
  const end = text('end');
  if (!action || !ACTIONS.has(action) || !bookingId || !roomId || !start || !end) return null;
  return { action: action as BookingChange['action'], bookingId, roomId, start, end };
}

/** An audio conference changed (phone participants, mutes, lock; `switched`: turned on or off). */
export type AudioChange = { bookingId: string; switched?: true };

export function parseAudioChange(payload: string): AudioChange | null {
  try {
    const v = JSON.parse(payload) as { bookingId?: unknown; switched?: unknown };
    return typeof v?.bookingId === 'string' ? { bookingId: v.bookingId, ...(v.switched === true && { switched: true as const }) } : null;
  } catch {
    return null;
  }
}

/** One LISTEN on one NOTIFY channel, fanned out to this process's subscribers. */
export class ChangeHub<T> {
  readonly #listen: Listen;
  readonly #channel: string;
  readonly #parse: (payload: string) => T | null;
  readonly #subscribers = new Set<Subscriber<T>>();
  readonly #resyncSubscribers = new Set<() => void>();
  #unlisten: (() => Promise<void>) | null = null;
  #starting: Promise<void> | null = null;

  constructor(listen: Listen, channel: string, parse: (payload: string) => T | null) {
    this.#listen = listen;
    this.#channel = channel;
    this.#parse = parse;
  }

  /** Starts the one LISTEN of this process (idempotent). */
  start(): Promise<void> {
    this.#starting ??= this.#listen(
      this.#channel,
      (payload) => this.publish(payload),
      () => this.resync(),
    ).then((unlisten) => {
      this.#unlisten = unlisten;
    });
    return this.#starting;
  }

  /** Delivers one raw payload to every subscriber; a failing subscriber does not stop the others. */
  publish(payload: string): void {
    const change = this.#parse(payload);
    if (!change) return;
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(change);
      } catch {
        // A broken client connection is cleaned up by its own close handler.
      }
    }
  }

  /** Tells every resync subscriber that changes may have been missed (the LISTEN connection was lost and is back). */
  resync(): void {
    for (const subscriber of this.#resyncSubscribers) {
      try {
        subscriber();
      } catch {
        // as in publish
      }
    }
  }

  /** Runs `subscriber` after each loss of the listening connection, once it listens again. */
  onResync(subscriber: () => void): () => void {
    this.#resyncSubscribers.add(subscriber);
    return () => this.#resyncSubscribers.delete(subscriber);
  }

  subscribe(subscriber: Subscriber<T>): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  async close(): Promise<void> {
    this.#subscribers.clear();
    this.#resyncSubscribers.clear();
    await this.#starting?.catch(() => {});
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    this.#starting = null;
    await unlisten?.();
  }
}

export class BookingChangeHub extends ChangeHub<BookingChange> {
  constructor(listen: Listen) {
    super(listen, BOOKING_CHANNEL, parseBookingChange);
  }
}

export class AudioChangeHub extends ChangeHub<AudioChange> {
  constructor(listen: Listen) {
    super(listen, AUDIO_CHANNEL, parseAudioChange);
  }
}

export function parseAuthChange(payload: string): AuthChange | null {
  try {
    const v = JSON.parse(payload) as { kind?: unknown; hash?: unknown; userId?: unknown };
    if ((v?.kind === 'session' || v?.kind === 'token') && typeof v.hash === 'string') return { kind: v.kind, hash: v.hash };
    if (v?.kind === 'user' && typeof v.userId === 'string') return { kind: 'user', userId: v.userId };
    return null;
  } catch {
    return null;
  }
}

export class AuthChangeHub extends ChangeHub<AuthChange> {
  constructor(listen: Listen) {
    super(listen, AUTH_CHANNEL, parseAuthChange);
  }
}
