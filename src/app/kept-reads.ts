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
 * hash, a signed room token), kept by key. Bounded in two generations of half the bound each: when
 * the newer is full, the older is dropped whole and the latest half stays. Not by deleting the
 * oldest key one at a time: V8 leaves a hole per deleted entry at the front of the Map and every
 * `keys().next()` walked them (8 µs an insert once 10,000 were kept, more than signing a token).
 */
export class KeptValues<V> {
  #newer = new Map<string, V>();
  #older = new Map<string, V>();
  readonly #half: number;
  constructor(bound: number) {
    this.#half = Math.max(1, Math.floor(bound / 2));
  }

  get(key: string, make: () => V): V {
    let v = this.#newer.get(key);
    if (v === undefined) {
      v = this.#older.get(key) ?? make();
      if (this.#newer.size >= this.#half) [this.#older, this.#newer] = [this.#newer, new Map()];
      this.#newer.set(key, v);
    }
    return v;
  }
}
