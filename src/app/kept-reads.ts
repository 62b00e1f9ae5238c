// Values read from the database and kept in memory by key until a time, shared by the caches that
// change notices keep fresh (app/join-cache.ts, app/room-cache.ts). Reads of one key are shared
// while in flight (a cold entry is read once however many ask), and a read that was in flight when
// its key was dropped is handed to those waiting but not kept.

type Flight<T> = { promise: Promise<T>; stale: boolean };
type Entry<T> = { value: T; until: number };

const MAX_ENTRIES = 10_000;

export class KeptReads<T> {
  readonly entries = new Map<string, Entry<T>>();
  readonly flights = new Map<string, Flight<T>>();

  async get(key: string, now: number, load: () => Promise<{ value: T; until: number } | null>): Promise<T | null> {
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (hit) this.entries.delete(key);
    const inFlight = this.flights.get(key);
    if (inFlight) return inFlight.promise;
    const flight: Flight<T | null> = { promise: Promise.resolve(null), stale: false };
    flight.promise = load()
      .then((got) => {
        if (got && !flight.stale && this.flights.get(key) === flight) {
          // A bound, not an LRU: the working sets (meetings starting about now, the rooms) are far smaller.
          if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
          this.entries.set(key, got);
        }
        return got?.value ?? null;
      })
      .finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
    this.flights.set(key, flight as Flight<T>);
    return flight.promise;
  }

  drop(match: (key: string, value: T | undefined) => boolean): void {
    for (const [key, e] of this.entries) if (match(key, e.value)) this.entries.delete(key);
    for (const [key, f] of this.flights) {
      if (match(key, undefined)) {
        f.stale = true;
        this.flights.delete(key);
      }
    }
  }

  clear(): void {
    this.entries.clear();
    for (const f of this.flights.values()) f.stale = true;
    this.flights.clear();
  }
}

/**
 * Values made from their key alone and costly to make (Intl formatters, a page's text, a script's
 * hash), kept by key; bounded by clearing when full, as their keys come from a small working set.
 */
export class KeptValues<V> {
  readonly #values = new Map<string, V>();
  readonly #bound: number;
  constructor(bound: number) {
    this.#bound = bound;
  }

  get(key: string, make: () => V): V {
    let v = this.#values.get(key);
    if (v === undefined) {
      if (this.#values.size >= this.#bound) this.#values.clear();
      this.#values.set(key, (v = make()));
    }
    return v;
  }
}
