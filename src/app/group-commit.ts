// Group commit (issue #13): the bookings that arrive while earlier ones are being written are judged
// and written together, in one transaction, instead of one transaction each.
//
// Why: a booking's transaction is about ten round trips to the database (begin, the seat-pool locks
// and reads, the insert, audit, provisioning row, jobs, commit, notices), each a few tenths of a
// millisecond of the database's CPU and a system call on both sides; measured, that was most of the
// cost of a booking, and the insert itself the least (bench/RESULTS.md). Judging N bookings in one
// transaction (BookingService.reserveEach, the same code as a series) costs about the same ten
// statements for all of them. Nothing waits for a batch to fill: a booking that finds a free lane
// goes at once, alone, so a quiet portal answers as before; only under load do batches form, from
// what queued while the lanes were busy, which is exactly when the round trips were the bottleneck.
// What has queued is shared out among the lanes not writing a batch, not taken whole by the first
// that looks. Measured at 32 clients (each waits on its own booking, so they come back together):
// the pattern is still mostly one batch of ~30 beside batches of one, as the queue only forms while
// both lanes write; shared, 803–853 created/s against 766–774 taken whole, back to back (noisy;
// bench/RESULTS.md). Always taking half (leaving the rest to the lane that ends next) measured
// 757–905 at 32 clients and fewer at 8: not kept.
// The same mechanism writes the guests' attendance entries and reads their PIN counts in bulk
// (app/attendance.ts, db/guest-pin-repository.ts), there with `gather`.
//
// First come, first served holds: a batch keeps arrival order, and each booking in it is judged
// against the database and the ones accepted before it. A batch that fails as a whole (a database
// error, a listener's fault) is not retried as a batch: each of its bookings runs again on its own,
// in order, so one cannot fail the others, and nothing is done twice (the failed transaction rolled back).
//
// Async context: a lane works for many requests, so it runs in none's (it starts in the context the
// group was made in, at start-up); an item that goes alone runs in its own request's context, as it
// would without grouping (an Idempotency-Key is found there: db/idempotency.ts).
import { AsyncResource } from 'node:async_hooks';

type Waiting<I, O> = { item: I; context: AsyncResource; resolve: (o: O) => void; reject: (e: unknown) => void };

export type GroupCommitOptions<I, O> = {
  /** All the items in one transaction; for each, its result or the error that refused it. */
  together: (items: I[]) => Promise<(O | Error)[]>;
  /** One item in a transaction of its own. */
  alone: (item: I) => Promise<O>;
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches in progress at once (each holds a database connection). */
  lanes: number;
  /**
   * Let the event loop turn once before a lane takes its batch, so the requests already received
   * queue their items first. For writes nobody waits on (attendance entries): PGlite answers in this
   * thread, so without the turn each write ends before the next request is read and no batch forms.
   */
  gather?: boolean;
};

export class GroupCommit<I, O> {
  readonly #o: GroupCommitOptions<I, O>;
  readonly #queue: Waiting<I, O>[] = [];
  readonly #home = new AsyncResource('GroupCommitLane');
  #busy = 0;
  /** Lanes writing a batch now (busy ones may still be gathering or taking theirs). */
  #running = 0;

  constructor(o: GroupCommitOptions<I, O>) {
    this.#o = o;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, context: new AsyncResource('GroupCommitItem'), resolve, reject });
      if (this.#busy < this.#o.lanes) void this.#home.runInAsyncScope(() => this.#lane());
    });
  }

  /** A lane takes what has queued, up to a batch, until the queue is empty. */
  async #lane(): Promise<void> {
    this.#busy++;
    try {
      if (this.#o.gather) await new Promise((r) => setImmediate(r));
      for (let batch = this.#take(); batch.length > 0; batch = this.#take()) {
        try {
          await this.#run(batch);
        } finally {
          this.#running--;
        }
      }
    } finally {
      this.#busy--;
    }
  }

  /**
   * This lane's share of the queue, counted as running when not empty: split evenly with the lanes
   * not writing a batch now (this one among them); a lane not yet started is started for its share.
   */
  #take(): Waiting<I, O>[] {
    const share = Math.min(this.#o.maxBatch, Math.ceil(this.#queue.length / (this.#o.lanes - this.#running)));
    const batch = this.#queue.splice(0, share);
    if (batch.length > 0) this.#running++;
    for (let idle = this.#o.lanes - this.#busy; idle > 0 && this.#queue.length > 0; idle--) void this.#home.runInAsyncScope(() => this.#lane());
    return batch;
  }

  async #run(batch: Waiting<I, O>[]): Promise<void> {
    if (batch.length === 1) return this.#alone(batch[0]!);
    let outcomes: (O | Error)[];
    try {
      outcomes = await this.#o.together(batch.map((w) => w.item));
    } catch {
      // One after another: the batch failed in the database, which as many transactions at once,
      // each wanting a connection, would only press harder.
      for (const w of batch) await this.#alone(w);
      return;
    }
    for (const [i, w] of batch.entries()) {
      const o = outcomes[i]!;
      if (o instanceof Error) w.reject(o);
      else w.resolve(o);
    }
  }

  async #alone(w: Waiting<I, O>): Promise<void> {
    try {
      w.resolve(await w.context.runInAsyncScope(() => this.#o.alone(w.item)));
    } catch (e) {
      w.reject(e);
    }
  }
}
