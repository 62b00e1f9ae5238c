// Sessions live in PostgreSQL so that every server instance sees them; the cookie holds a random id
// whose hash is the key. Idle timeout slides on use; the absolute timeout never moves.
import { sql } from 'kysely';
import type { Role } from '../domain/access.ts';
import type { SessionStore, Session } from '../app/accounts.ts';
import type { FederatedSession } from '../app/federated-sign-in.ts';
import type { Db } from '../db/database.ts';
import type { NoticeSink } from '../db/notices.ts';
import { AUTH_CHANNEL, type AuthChange } from '../ports.ts';
import { hashSecret, newSecret } from './secrets.ts';
import type { CredentialCache } from './credential-cache.ts';

/** The idle timeout slides at most once a minute: a write on every request would cost more than it buys. */
const SLIDE_MS = 60_000;

export class PgSessionStore implements SessionStore {
  private readonly db: Db;
  private readonly idleMinutes: number;
  private readonly absoluteHours: number;
  private readonly cache: CredentialCache | undefined;
  private readonly notices: NoticeSink;
  /**
   * `cache`: sessions read from memory while fresh; it forgets through the instance's `notices`,
   * which the portal has it hear (portal.ts), as every instance's does through LISTEN.
   */
  constructor(db: Db, opts: { idleMinutes: number; absoluteHours: number }, cache: CredentialCache | undefined, notices: NoticeSink) {
    this.db = db;
    this.cache = cache;
    this.notices = notices;
    this.idleMinutes = opts.idleMinutes;
    this.absoluteHours = opts.absoluteHours;
  }

  async create(userId: string): Promise<{ id: string; csrfToken: string }> {
    return this.createFederated(userId, null);
  }

  /** A session that came from an IdP remembers which IdP session it came from, for single logout. */
  async createFederated(userId: string, federated: FederatedSession | null): Promise<{ id: string; csrfToken: string }> {
    const id = newSecret();
    const csrfToken = newSecret();
    await sql`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, federated)
              VALUES (${hashSecret(id)}, ${userId}, ${csrfToken}, now() + make_interval(hours => ${this.absoluteHours}),
                      ${federated ? JSON.stringify(federated) : null}::jsonb)`.execute(this.db);
    return { id, csrfToken };
  }

  async touch(id: string): Promise<Session | null> {
    const idHash = hashSecret(id);
    const now = Date.now();
    const hit = this.cache?.get('session', idHash);
    if (hit && hit.expiresAt! > new Date(now) && now - hit.usedAt < this.idleMinutes * 60_000) {
      if (now - hit.usedAt >= SLIDE_MS) {
        // Still there? (Another instance may have ended it and its notice not arrived yet.)
        const slid = await this.db
          .updateTable('sessions')
          .set({ last_seen_at: sql`now()` })
          .where('id_hash', '=', idHash)
          .where('expires_at', '>', sql<Date>`now()`)
          .executeTakeFirst();
        if (slid.numUpdatedRows === 0n) {
          this.cache!.drop('session', idHash);
          return null;
        }
        hit.usedAt = now;
      }
      return { userId: hit.actor.userId, csrfToken: hit.csrfToken!, actor: hit.actor };
    }
    // The session and its user in one query.
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['u.id', 'u.role', 'u.institution_id', 'u.locale', 's.csrf_token', 's.expires_at', sql<boolean>`s.last_seen_at < now() - interval '1 minute'`.as('stale')])
      .where('s.id_hash', '=', idHash)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${this.idleMinutes})`)
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    if (row.stale) await this.db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id_hash', '=', idHash).execute();
    const actor = { userId: row.id, role: row.role as Role, institutionId: row.institution_id, locale: row.locale as 'it' | 'en' | null };
    // usedAt: a fresh row's last_seen_at is within the minute; a stale one was just written.
    this.cache?.set('session', idHash, { actor, csrfToken: row.csrf_token, expiresAt: row.expires_at, usedAt: now });
    return { userId: row.id, csrfToken: row.csrf_token, actor };
  }

  async destroy(id: string): Promise<void> {
    const gone = await this.db.deleteFrom('sessions').where('id_hash', '=', hashSecret(id)).returning('id_hash').execute();
    await this.ended(gone.map((r) => r.id_hash));
  }

  /** Whether a session is still good, without sliding its idle timeout (for open event streams). */
  async isLive(idHash: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', sql<Date>`now()`)
      .where('last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${this.idleMinutes})`)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Ended sessions are announced, so that every instance (this one at once) forgets them and closes
   * what they had open. Streams also re-check their session: a lost notice delays, never keeps, access.
   */
  private async ended(hashes: string[]) {
    await this.notices(hashes.map((hash) => ({ channel: AUTH_CHANNEL, payload: JSON.stringify({ kind: 'session', hash } satisfies AuthChange) })));
  }

  /** The IdP session behind a live portal session, or null for a local one. */
  async federated(id: string): Promise<FederatedSession | null> {
    const r = await sql<{ federated: FederatedSession | null }>`
      SELECT federated FROM sessions WHERE id_hash = ${hashSecret(id)} AND expires_at > now()`.execute(this.db);
    return r.rows[0]?.federated ?? null;
  }

  /**
   * Ends the sessions an IdP's LogoutRequest names (by NameID, and SessionIndex when given), once per
   * request id: the id is recorded and the sessions deleted in one statement, so a replay (here or on
   * another instance) ends nothing and returns null, and a crash cannot leave one without the other.
   */
  async destroyFederatedOnce(request: { issuer: string; id: string; keepUntil: Date }, nameId: string, sessionIndex: string | null): Promise<number | null> {
    const r = await sql<{ fresh: number; hashes: string[] }>`
      WITH fresh AS (
        INSERT INTO saml_logout_requests (issuer, id, expires_at) VALUES (${request.issuer}, ${request.id}, ${request.keepUntil})
        ON CONFLICT (issuer, id) DO NOTHING RETURNING 1
      ), ended AS (
        DELETE FROM sessions WHERE EXISTS (SELECT 1 FROM fresh)
          AND federated->>'issuer' = ${request.issuer} AND federated->>'nameId' = ${nameId}
          AND (${sessionIndex}::text IS NULL OR federated->>'sessionIndex' = ${sessionIndex})
        RETURNING id_hash
      )
      SELECT (SELECT count(*) FROM fresh)::int AS fresh, coalesce((SELECT json_agg(id_hash) FROM ended), '[]'::json) AS hashes`.execute(this.db);
    await sql`DELETE FROM saml_logout_requests WHERE expires_at < now() - interval '1 day'`.execute(this.db);
    const row = r.rows[0]!;
    if (row.fresh !== 1) return null;
    await this.ended(row.hashes);
    return row.hashes.length;
  }
}
