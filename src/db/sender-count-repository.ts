// Per-person counts per window (migration 008). The upsert takes the row lock, so parallel requests
// of one person are counted one after the other and a limit checked on the returned count holds.
import { sql } from 'kysely';
import type { SenderCountRepository } from '../ports.ts';
import type { Executor } from './database.ts';

export class PgSenderCountRepository implements SenderCountRepository {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async add(userId: string, kind: 'new-invitees' | 'mails', windowStart: Date, n: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      INSERT INTO sender_counts (user_id, kind, window_start, n) VALUES (${userId}, ${kind}, ${windowStart}::timestamptz, ${n})
      ON CONFLICT (user_id, kind, window_start) DO UPDATE SET n = sender_counts.n + excluded.n
      RETURNING n`.execute(this.db);
    // The person's windows that ended more than a day ago say nothing any more.
    await sql`DELETE FROM sender_counts WHERE user_id = ${userId} AND kind = ${kind} AND window_start < ${new Date(windowStart.getTime() - 86_400_000)}::timestamptz`.execute(this.db);
    return Number(rows[0]!.n);
  }
}
