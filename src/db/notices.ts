// NOTIFY after commit. A transaction that calls pg_notify makes PostgreSQL commit it under a global
// lock, one at a time including its WAL flush: measured here, booking transactions with NOTIFY
// inside ran at half the rate of the same transactions without it. So booking transactions only
// collect their notices, and the unit of work sends them right after the commit in one short
// statement batch whose own commit need not wait for the disk (it changes no data). A notice lost
// to a crash between the two costs an open calendar one refresh, never a booking.
import pg from 'pg';
import { sql } from 'kysely';
import type { Executor } from './database.ts';

export type Notice = { channel: string; payload: string };
export type DeferNotice = (channel: string, payload: string) => void;

// This process's own caches (the join cache) also hear each notice at once, before the request that
// made the change is answered: through LISTEN it would arrive a moment later, and a person who moved
// a booking and at once follows its join link must not be sent by the old facts. Other instances
// (and this one again, harmlessly) hear it through LISTEN.
type LocalListener = (channel: string, payload: string) => void;
const localListeners = new Set<LocalListener>();

/** Hears every notice this process sends; returns the function that stops it. */
export function onLocalNotice(listener: LocalListener): () => void {
  localListeners.add(listener);
  return () => localListeners.delete(listener);
}

export async function sendNotices(db: Executor, notices: readonly Notice[]): Promise<void> {
  if (notices.length === 0) return;
  // One simple-protocol query: its statements run in one implicit transaction, so SET LOCAL holds.
  const statements = notices.map((n) => `SELECT pg_notify(${pg.escapeLiteral(n.channel)}, ${pg.escapeLiteral(n.payload)})`);
  try {
    await sql.raw(['SET LOCAL synchronous_commit TO off', ...statements].join(';\n')).execute(db);
  } finally {
    for (const n of notices) {
      for (const listener of localListeners) {
        try {
          listener(n.channel, n.payload);
        } catch {
          // A cache that fails to forget must not fail the change that was already committed.
        }
      }
    }
  }
}
