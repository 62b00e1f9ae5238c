// Sessions live in PostgreSQL so that every server instance sees them; the cookie holds a random id
// whose hash is the key. Idle timeout slides on use; the absolute timeout never moves.
import { sql } from 'kysely';
import type { Role } from '../domain/access.ts';
import type { SessionStore, Session } from '../app/accounts.ts';
import type { FederatedSession } from '../app/federated-sign-in.ts';
import type { Db } from '../db/database.ts';
import { sendNotices } from '../db/notices.ts';
import { AUTH_CHANNEL, type AuthChange } from '../ports.ts';
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
    // The session and its user in one query: this runs on every request.
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['u.id', 'u.role', 'u.institution_id', 's.csrf_token', sql<boolean>`s.last_seen_at < now() - interval '1 minute'`.as('stale')])
      .where('s.id_hash', '=', idHash)
      .where('s.expires_at', '>', sql<Date>`now()`)
      .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${this.idleMinutes})`)
      .executeTakeFirst();
    if (!row) return null;
    // Sliding the idle timeout at most once a minute spares a write on every request.
    if (row.stale) await this.db.updateTable('sessions').set({ last_seen_at: sql`now()` }).where('id_hash', '=', idHash).execute();
    return { userId: row.id, csrfToken: row.csrf_token, actor: { userId: row.id, role: row.role as Role, institutionId: row.institution_id } };
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

  /** Ended sessions are announced, so that every instance closes what they had open. */
  private async ended(hashes: string[]) {
    const notices = hashes.map((hash) => ({ channel: AUTH_CHANNEL, payload: JSON.stringify({ kind: 'session', hash } satisfies AuthChange) }));
    await sendNotices(this.db, notices).catch(() => {
      // Streams also re-check their session periodically: a lost notice delays, never keeps, access.
    });
  }

  /** The IdP session behind a live portal session, or null for a local one. */
  async federated(id: string): Promise<FederatedSession | null> {
    const r = await sql<{ federated: FederatedSession | null }>`
      SELECT federated FROM sessions WHERE id_hash = ${hashSecret(id)} AND expires_at > now()`.execute(this.db);
    return r.rows[0]?.federated ?? null;
  }

  /** Ends the sessions an IdP's LogoutRequest names (by NameID, and SessionIndex when given). */
  async destroyFederated(issuer: string, nameId: string, sessionIndex: string | null): Promise<number> {
    const r = await sql<{ id_hash: string }>`DELETE FROM sessions WHERE federated->>'issuer' = ${issuer} AND federated->>'nameId' = ${nameId}
                          AND (${sessionIndex}::text IS NULL OR federated->>'sessionIndex' = ${sessionIndex}) RETURNING id_hash`.execute(this.db);
    await this.ended(r.rows.map((row) => row.id_hash));
    return r.rows.length;
  }
}
