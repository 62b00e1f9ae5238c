// One-time links that set a local password, and the count of "forgot password" requests. Only the
// SHA-256 of a link's secret is stored; using a link is one UPDATE … RETURNING on its row, so of two
// concurrent uses exactly one sees it unused.
import { sql } from 'kysely';
import { AUTH_CHANNEL, type AuthChange, type Locale, type PasswordLinkPurpose, type PasswordLinkRepository, type PasswordLinkTarget } from '../ports.ts';
import type { Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';

type TargetRow = { link_id: string; user_id: string; email: string; name: string; locale: string | null; purpose: PasswordLinkPurpose; expires_at: Date };
const toTarget = (r: TargetRow): PasswordLinkTarget => ({
  linkId: r.link_id,
  userId: r.user_id,
  email: r.email,
  name: r.name,
  locale: r.locale === 'it' || r.locale === 'en' ? (r.locale as Locale) : null,
  purpose: r.purpose,
  expiresAt: new Date(r.expires_at),
});

export class PgPasswordLinkRepository implements PasswordLinkRepository {
  private readonly db: Executor;
  private readonly notices: NoticeSink;
  constructor(db: Executor, notices: NoticeSink) {
    this.db = db;
    this.notices = notices;
  }

  async create(l: { userId: string; tokenHash: string; purpose: PasswordLinkPurpose; createdBy: string | null; createdAt: Date; expiresAt: Date }): Promise<{ id: string }> {
    const r = await sql<{ id: string }>`
      INSERT INTO password_links (user_id, token_hash, purpose, created_by, created_at, expires_at)
      VALUES (${l.userId}, ${l.tokenHash}, ${l.purpose}, ${l.createdBy}, ${l.createdAt}, ${l.expiresAt}) RETURNING id`.execute(this.db);
    return r.rows[0]!;
  }

  async find(tokenHash: string, now: Date): Promise<PasswordLinkTarget | null> {
    const r = await sql<TargetRow>`
      SELECT l.id AS link_id, u.id AS user_id, u.email, u.name, u.locale, l.purpose, l.expires_at
      FROM password_links l JOIN users u ON u.id = l.user_id
      WHERE l.token_hash = ${tokenHash} AND l.used_at IS NULL AND l.expires_at > ${now} AND u.disabled_at IS NULL`.execute(this.db);
    return r.rows[0] ? toTarget(r.rows[0]) : null;
  }

  async state(tokenHash: string, now: Date): Promise<'used' | 'expired' | 'unknown'> {
    const r = await sql<{ used: boolean; expired: boolean; disabled: boolean }>`
      SELECT l.used_at IS NOT NULL AS used, l.expires_at <= ${now} AS expired, u.disabled_at IS NOT NULL AS disabled
      FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = ${tokenHash}`.execute(this.db);
    const row = r.rows[0];
    if (!row || row.disabled) return 'unknown';
    return row.used ? 'used' : row.expired ? 'expired' : 'unknown';
  }

  async consume(tokenHash: string, now: Date): Promise<PasswordLinkTarget | null> {
    const r = await sql<TargetRow>`
      UPDATE password_links l SET used_at = ${now}
      FROM users u
      WHERE u.id = l.user_id AND l.token_hash = ${tokenHash} AND l.used_at IS NULL AND l.expires_at > ${now} AND u.disabled_at IS NULL
      RETURNING l.id AS link_id, u.id AS user_id, u.email, u.name, u.locale, l.purpose, l.expires_at`.execute(this.db);
    return r.rows[0] ? toTarget(r.rows[0]) : null;
  }

  async revokeAll(userId: string, now: Date): Promise<void> {
    // Revoked links count as expired; long-expired ones of everyone are dropped on the way.
    await sql`UPDATE password_links SET expires_at = GREATEST(created_at + interval '1 millisecond', ${now}::timestamptz)
              WHERE user_id = ${userId} AND used_at IS NULL AND expires_at > ${now}`.execute(this.db);
    await sql`DELETE FROM password_links WHERE expires_at < ${now}::timestamptz - interval '30 days'`.execute(this.db);
  }

  async delete(id: string): Promise<void> {
    await sql`DELETE FROM password_links WHERE id = ${id}`.execute(this.db);
  }

  async endSessions(userId: string, keep?: string): Promise<number> {
    const gone = await sql<{ id_hash: string }>`DELETE FROM sessions WHERE user_id = ${userId} AND id_hash IS DISTINCT FROM ${keep ?? null} RETURNING id_hash`.execute(this.db);
    // Every instance forgets them (after the commit, when run in a unit of work).
    const payloads = gone.rows.map((r) => JSON.stringify({ kind: 'session', hash: r.id_hash } satisfies AuthChange));
    await this.notices(payloads.map((payload) => ({ channel: AUTH_CHANNEL, payload })));
    return gone.rows.length;
  }

  async countSessions(userId: string, now: Date, except?: string): Promise<number> {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM sessions
      WHERE user_id = ${userId} AND expires_at > ${now} AND id_hash IS DISTINCT FROM ${except ?? null}`.execute(this.db);
    return Number(rows[0]!.n);
  }

  async recordResetRequest(
    q: { account: string; address: string; now: Date; since: Date },
    limits: { perAccount: number; perAddress: number },
  ): Promise<{ accepted: true } | { accepted: false; oldest: Date }> {
    // Serialises the requests for one account (transaction-scoped; the caller runs in a transaction).
    await sql`SELECT pg_advisory_xact_lock(hashtext('password-reset:' || ${q.account}))`.execute(this.db);
    const r = await sql<{ by_account: string; by_address: string; oldest_account: Date | null; oldest_address: Date | null }>`
      WITH recent AS (SELECT account, address, at FROM password_reset_requests WHERE at > ${q.since})
      SELECT (SELECT count(*) FROM recent WHERE account = ${q.account}) AS by_account,
             (SELECT count(*) FROM recent WHERE address = ${q.address}) AS by_address,
             (SELECT min(at) FROM recent WHERE account = ${q.account}) AS oldest_account,
             (SELECT min(at) FROM recent WHERE address = ${q.address}) AS oldest_address`.execute(this.db);
    const row = r.rows[0]!;
    const over = [
      Number(row.by_account) >= limits.perAccount ? row.oldest_account : null,
      Number(row.by_address) >= limits.perAddress ? row.oldest_address : null,
    ].filter((d): d is Date => d !== null);
    if (over.length > 0) return { accepted: false, oldest: new Date(Math.max(...over.map((d) => new Date(d).getTime()))) };
    await sql`INSERT INTO password_reset_requests (account, address, at) VALUES (${q.account}, ${q.address}, ${q.now})`.execute(this.db);
    await sql`DELETE FROM password_reset_requests WHERE at < ${q.since}::timestamptz - interval '1 day'`.execute(this.db);
    return { accepted: true };
  }

  async isFederated(userId: string): Promise<boolean> {
    const r = await sql<{ one: number }>`SELECT 1 AS one FROM external_identities WHERE user_id = ${userId} LIMIT 1`.execute(this.db);
    return r.rows.length > 0;
  }
}
