// Sign-ins in progress (SAML AuthnRequest ids, OIDC state with its PKCE verifier and nonce) and SAML
// assertion ids already used. Both live in PostgreSQL, so the answer of an IdP may reach any instance
// and a replay is refused by all of them.
import { sql } from 'kysely';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { Db } from '../db/database.ts';

export type PendingKind = 'saml' | 'oidc' | 'saml-logout';

export class PendingRequests {
  private readonly db: Db;
  private readonly ttlSeconds: number;
  constructor(db: Db, ttlSeconds = 15 * 60) {
    this.db = db;
    this.ttlSeconds = ttlSeconds;
  }

  async save(kind: PendingKind, id: string, issuer: string, data: object = {}): Promise<void> {
    await sql`INSERT INTO auth_pending_requests (id, kind, issuer, data, expires_at)
              VALUES (${id}, ${kind}, ${issuer}, ${JSON.stringify(data)}::jsonb, now() + make_interval(secs => ${this.ttlSeconds}))`.execute(this.db);
    await sql`DELETE FROM auth_pending_requests WHERE expires_at < now()`.execute(this.db);
  }

  async peek(kind: PendingKind, id: string, issuer: string): Promise<{ createdAt: Date; data: Record<string, unknown> } | null> {
    const r = await sql<{ created_at: Date; data: Record<string, unknown> }>`
      SELECT created_at, data FROM auth_pending_requests
      WHERE id = ${id} AND kind = ${kind} AND issuer = ${issuer} AND expires_at > now()`.execute(this.db);
    const row = r.rows[0];
    return row ? { createdAt: row.created_at, data: row.data } : null;
  }

  /** Removes the request and returns its data; null when it was unknown, expired or already used. */
  async take(kind: PendingKind, id: string, issuer?: string): Promise<{ issuer: string; data: Record<string, unknown> } | null> {
    const r = await sql<{ issuer: string; data: Record<string, unknown> }>`
      DELETE FROM auth_pending_requests
      WHERE id = ${id} AND kind = ${kind} AND (${issuer ?? null}::text IS NULL OR issuer = ${issuer ?? null}) AND expires_at > now()
      RETURNING issuer, data`.execute(this.db);
    return r.rows[0] ?? null;
  }

  /**
   * node-saml's request-id cache for one IdP. Removal is left to us (`take` after every other check
   * passed): node-saml removes the id on any failure, so a forged POST could cancel a genuine sign-in.
   */
  samlCache(issuer: string, kind: PendingKind = 'saml'): CacheProvider {
    return {
      saveAsync: async (key: string, value: string): Promise<CacheItem> => {
        await this.save(kind, key, issuer);
        return { value, createdAt: Date.now() };
      },
      getAsync: async (key: string) => {
        const found = await this.peek(kind, key, issuer);
        return found ? found.createdAt.toISOString() : null;
      },
      removeAsync: async (key: string | null) => key,
    };
  }
}

export class ConsumedAssertions {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async seen(id: string): Promise<boolean> {
    const r = await sql`SELECT 1 AS seen FROM saml_consumed_assertions WHERE id = ${id}`.execute(this.db);
    return r.rows.length > 0;
  }

  /** Records an assertion id; false when it was already used (a replay). */
  async consume(id: string, issuer: string, expiresAt: Date): Promise<boolean> {
    const r = await sql<{ id: string }>`
      INSERT INTO saml_consumed_assertions (id, issuer, expires_at) VALUES (${id}, ${issuer}, ${expiresAt})
      ON CONFLICT (id) DO NOTHING RETURNING id`.execute(this.db);
    await sql`DELETE FROM saml_consumed_assertions WHERE expires_at < now() - interval '1 day'`.execute(this.db);
    return r.rows.length === 1;
  }
}
