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

export async function sendNotices(db: Executor, notices: readonly Notice[]): Promise<void> {
  if (notices.length === 0) return;
  // One simple-protocol query: its statements run in one implicit transaction, so SET LOCAL holds.
  const statements = notices.map((n) => `SELECT pg_notify(${pg.escapeLiteral(n.channel)}, ${pg.escapeLiteral(n.payload)})`);
  await sql.raw(['SET LOCAL synchronous_commit TO off', ...statements].join(';\n')).execute(db);
}
