// Secret calendar-feed addresses. Only the SHA-256 of a token is stored: a database leak does not
// reveal working feed URLs.
import { createHash } from 'node:crypto';
import type { Executor } from './database.ts';
import { seriesDb } from './series-schema.ts';

export type Feed = { id: string; userId: string; roomId: string | null; createdAt: Date };

export const hashFeedToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class PgFeedRepository {
  private readonly db;
  constructor(db: Executor) {
    this.db = seriesDb(db);
  }

  /** Creates the feed, or gives an existing one a new token (the old address stops working). */
  async upsert(userId: string, roomId: string | null, token: string): Promise<Feed> {
    const hash = hashFeedToken(token);
    const existing = await this.db
      .selectFrom('calendar_feeds')
      .select('id')
      .where('user_id', '=', userId)
      .$call((q) => (roomId ? q.where('room_id', '=', roomId) : q.where('room_id', 'is', null)))
      .executeTakeFirst();
    const row = existing
      ? await this.db.updateTable('calendar_feeds').set({ token_hash: hash, created_at: new Date() }).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
      : await this.db.insertInto('calendar_feeds').values({ user_id: userId, room_id: roomId, token_hash: hash }).returningAll().executeTakeFirstOrThrow();
    return toFeed(row);
  }

  async list(userId: string): Promise<Feed[]> {
    return (await this.db.selectFrom('calendar_feeds').selectAll().where('user_id', '=', userId).orderBy('created_at').execute()).map(toFeed);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('calendar_feeds').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async byToken(token: string): Promise<Feed | null> {
    const row = await this.db.selectFrom('calendar_feeds').selectAll().where('token_hash', '=', hashFeedToken(token)).executeTakeFirst();
    return row ? toFeed(row) : null;
  }
}

function toFeed(r: { id: string; user_id: string; room_id: string | null; created_at: Date }): Feed {
  return { id: r.id, userId: r.user_id, roomId: r.room_id, createdAt: r.created_at };
}
