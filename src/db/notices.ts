// Change notices (NOTIFY after commit). A transaction that calls pg_notify makes PostgreSQL commit it
// under a global lock, one at a time including its WAL flush: measured here, booking transactions
// with NOTIFY inside ran at half the rate of the same transactions without it. So transactions only
// collect their notices, and the unit of work sends them right after the commit in one short
// statement batch whose own commit need not wait for the disk (it changes no data). A notice lost
// to a crash between the two costs an open calendar one refresh, never a booking.
import pg from 'pg';
import { sql } from 'kysely';
import type { Executor } from './database.ts';

export type Notice = { channel: string; payload: string };

/**
 * Where a repository's notices go: inside a transaction into its list, sent after the commit
 * (db/unit-of-work.ts); outside one, out at once through the instance's `Notices`.
 */
export type NoticeSink = (notices: readonly Notice[]) => Promise<void>;

/**
 * One instance's notices. Its own caches (sessions and tokens, rooms, joins) hear each notice at
 * once, before the request that made the change is answered: through LISTEN it would arrive a
 * moment later, and a person who moved a booking and at once follows its join link must not be sent
 * by the old facts. Every instance (this one again, harmlessly) hears it through LISTEN. Scoped to
 * the instance, not the process, so that two portals in one process (as in the tests) learn of each
 * other's changes only through the database, as two processes do.
 */
export class Notices {
  readonly #db: Executor;
  readonly #local = new Set<(notice: Notice) => void>();

  constructor(db: Executor) {
    this.#db = db;
  }

  /** Hears every notice this instance sends; returns the function that stops it. */
  onLocal(listener: (notice: Notice) => void): () => void {
    this.#local.add(listener);
    return () => this.#local.delete(listener);
  }

  /**
   * Tells this instance's caches, then every instance. Never fails: the change is committed already,
   * and a lost notice costs a cache its entry's age at most (each has one), an open calendar a refresh.
   */
  readonly send: NoticeSink = async (notices) => {
    if (notices.length === 0) return;
    for (const n of notices) {
      for (const listener of this.#local) {
        try {
          listener(n);
        } catch {
          // A cache that fails to forget must not fail the change that was already committed.
        }
      }
    }
    // One simple-protocol query: its statements run in one implicit transaction, so SET LOCAL holds.
    const statements = notices.map((n) => `SELECT pg_notify(${pg.escapeLiteral(n.channel)}, ${pg.escapeLiteral(n.payload)})`);
    await sql
      .raw(['SET LOCAL synchronous_commit TO off', ...statements].join(';\n'))
      .execute(this.#db)
      .catch(() => {});
  };
}
