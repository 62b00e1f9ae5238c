// The rooms, kept in this instance's memory for the reads outside a transaction: every booking
// request reads them before it queues (the room asked for, or those that fit), every calendar view
// and every loser's suggestions read them all. A handful of rows that change a few times a year,
// read by a statement each time (issue #13: a statement is a system call and a round trip each way).
//
// Forgotten through the notice every room change sends after its commit (JOIN_CHANNEL `{ all: true }`
// from db/room-repository.ts: every instance hears it, and this one at once through the local
// notices), when the listening connection was re-made (what was sent meanwhile is lost), and after
// `maxAgeMs` in any case. A read that was in flight when the rooms were forgotten is answered but not
// kept (app/kept-reads.ts). Transactions read rooms from the database, as they read everything.
import { JOIN_CHANNEL, type Room, type RoomInput, type RoomRepository } from '../ports.ts';
import { KeptReads } from './kept-reads.ts';

type Snapshot = { all: readonly Room[]; byId: ReadonlyMap<string, Room> };

export class RoomCache implements RoomRepository {
  readonly #inner: RoomRepository;
  readonly #maxAgeMs: number;
  readonly #kept = new KeptReads<Snapshot>();
  /** Reads that went to the database (for tests and metrics). */
  loads = 0;

  constructor(inner: RoomRepository, opts: { maxAgeMs: number }) {
    this.#inner = inner;
    this.#maxAgeMs = opts.maxAgeMs;
  }

  async list(opts: { includeInactive?: boolean } = {}): Promise<Room[]> {
    const { all } = await this.#current();
    // A new array each time: callers filter and sort what they get.
    return opts.includeInactive ? [...all] : all.filter((r) => r.active);
  }

  async findById(id: string): Promise<Room | null> {
    const hit = (await this.#current()).byId.get(id);
    if (hit) return hit;
    // Not among the rooms read: no such room, or one made after that read and not yet noticed.
    const room = await this.#inner.findById(id);
    if (room) this.forget();
    return room;
  }

  async create(input: RoomInput): Promise<Room> {
    try {
      return await this.#inner.create(input);
    } finally {
      this.forget();
    }
  }

  async update(id: string, change: Partial<RoomInput>): Promise<Room | null> {
    try {
      return await this.#inner.update(id, change);
    } finally {
      this.forget();
    }
  }

  count(): Promise<number> {
    return this.#inner.count();
  }

  /** A change notice: a room changed when it says `all` (or cannot be read). */
  apply(channel: string, payload: string): void {
    if (channel !== JOIN_CHANNEL) return;
    try {
      const v = JSON.parse(payload) as { all?: unknown } | null;
      if (v && typeof v === 'object' && v.all !== true) return;
    } catch {
      // Unreadable: forget, to be safe.
    }
    this.forget();
  }

  forget(): void {
    this.#kept.clear();
  }

  async #current(): Promise<Snapshot> {
    const now = Date.now();
    const snapshot = await this.#kept.get('rooms', now, async () => {
      this.loads++;
      const all = (await this.#inner.list({ includeInactive: true })).map((r) => Object.freeze({ ...r }));
      return { value: { all, byId: new Map(all.map((r) => [r.id, r])) }, until: now + this.#maxAgeMs };
    });
    // The load above always gives a snapshot; null only stands for "no value" in KeptReads.
    return snapshot!;
  }
}
