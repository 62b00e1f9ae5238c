// Sessions live in PostgreSQL so that every server instance sees them; the cookie holds a random id
// whose hash is the key. Idle timeout slides on use; the absolute timeout never moves.
import { sql } from 'kysely';
import type { SessionStore, Session } from '../app/accounts.ts';
import type { Db } from '../db/database.ts';
import { hashSecret, newSecret } from './secrets.ts';

export class PgSessionStore implements SessionStore {
  private readonly db: Db;
  private readonly idleMinutes: number;
  private readonly absoluteHours: number;
  constructor(db: Db, opts: { idleMinutes: number; absoluteHours: number }) {
    this.db = db;
    this.idleMinutes = opts.idleMinutes;
    this.absoluteHours = opts.absoluteHours;
  }

  async create(userId: string): Promise<{ id: string; csrfToken: string }> {
    const id = newSecret();
    const csrfToken = newSecret();
    await this.db
      .insertInto('sessions')
      .values({ id_hash: hashSecret(id), user_id: userId, csrf_token: csrfToken, expires_at: sql`now() + make_interval(hours => ${this.absoluteHours})` })
      .execute();
    // Opportunistic clean-up of expired sessions keeps the table small without a scheduler.
    await this.db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now()`).execute();
    return { id, csrfToken };
  }

  async touch(id: string): Promise<Session | null> {
    const idHash = hashSecret(id);
    const row = await this.db
      .selectFrom('sessions')
      .select(['user_id', 'csrf_token', sql<boolean>`last_seen_at < now() - interval '1 minute'`.as('stale')])
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', sql<Date>`now()`)
      .where('last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${this.idleMinutes})`)
      .executeTakeFirst();
    if (!row) return null;
    // Sliding the idle timeout at most once a minute spares a write on every request.
    if (row.stale) await this.db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id_hash', '=', idHash).execute();
    return { userId: row.user_id, csrfToken: row.csrf_token };
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', hashSecret(id)).execute();
  }
}
