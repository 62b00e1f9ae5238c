// Personal API tokens for scripts: shown once, stored as a hash, revocable.
import { sql } from 'kysely';
import type { ApiToken, TokenStore } from '../app/accounts.ts';
import type { Actor, Role } from '../domain/access.ts';
import type { Db } from '../db/database.ts';
import type { NoticeSink } from '../db/notices.ts';
import { AUTH_CHANNEL, type AuthChange } from '../ports.ts';
import { hashSecret, newSecret } from './secrets.ts';
import type { CredentialCache } from './credential-cache.ts';

/** `last_used_at` is written at most once a minute per token. */
const USE_MS = 60_000;

const PREFIX = 'wmt_';

export class PgTokenStore implements TokenStore {
  private readonly db: Db;
  private readonly cache: CredentialCache | undefined;
  private readonly notices: NoticeSink;
  /** `cache` and `notices`: as for sessions (identity/session-store.ts). */
  constructor(db: Db, cache: CredentialCache | undefined, notices: NoticeSink) {
    this.db = db;
    this.cache = cache;
    this.notices = notices;
  }

  async create(userId: string, name: string): Promise<ApiToken & { token: string }> {
    const token = PREFIX + newSecret();
    const row = await this.db
      .insertInto('api_tokens')
      .values({ user_id: userId, name, token_hash: hashSecret(token) })
      .returning(['id', 'name', 'created_at', 'last_used_at'])
      .executeTakeFirstOrThrow();
    return { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at, token };
  }

  async list(userId: string): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  async revoke(userId: string, id: string): Promise<boolean> {
    const gone = await this.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).returning('token_hash').executeTakeFirst();
    if (!gone) return false;
    // Every instance forgets it, this one at once; streams also re-check their token periodically.
    await this.notices([{ channel: AUTH_CHANNEL, payload: JSON.stringify({ kind: 'token', hash: gone.token_hash } satisfies AuthChange) }]);
    return true;
  }

  async isLive(tokenHash: string): Promise<boolean> {
    return (await this.db.selectFrom('api_tokens').select('id').where('token_hash', '=', tokenHash).executeTakeFirst()) !== undefined;
  }

  /** The token's owner as an actor, read with the token in one query (it runs on every request). */
  async resolve(token: string): Promise<Actor | null> {
    if (!token.startsWith(PREFIX)) return null;
    const tokenHash = hashSecret(token);
    const now = Date.now();
    const hit = this.cache?.get('token', tokenHash);
    if (hit) {
      if (now - hit.usedAt >= USE_MS) {
        const used = await this.db.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('token_hash', '=', tokenHash).executeTakeFirst();
        if (used.numUpdatedRows === 0n) {
          this.cache!.drop('token', tokenHash);
          return null;
        }
        hit.usedAt = now;
      }
      return hit.actor;
    }
    const row = await this.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['u.id', 'u.role', 'u.institution_id', 'u.locale', sql<boolean>`t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute'`.as('stale')])
      .where('t.token_hash', '=', tokenHash)
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    if (row.stale) await this.db.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('token_hash', '=', tokenHash).execute();
    const actor = { userId: row.id, role: row.role as Role, institutionId: row.institution_id, locale: row.locale as 'it' | 'en' | null };
    this.cache?.set('token', tokenHash, { actor, usedAt: now });
    return actor;
  }
}
