// What grows without end unless something removes it. Each purge is one bounded DELETE (a batch at
// a time), so a large backlog is worked off over several runs without a long lock.
import { sql } from 'kysely';
import type { Db } from './database.ts';

const BATCH = 5_000;

export class PgHousekeeping {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Whether this instance should run `name` now (at most once per `everySeconds` over all instances). */
  async due(name: string, everySeconds: number): Promise<boolean> {
    const { rows } = await sql<{ name: string }>`INSERT INTO provisioning_runs (name, last_run_at) VALUES (${name}, now())
       ON CONFLICT (name) DO UPDATE SET last_run_at = now()
       WHERE provisioning_runs.last_run_at < now() - make_interval(secs => ${everySeconds}) RETURNING name`.execute(this.db);
    return rows.length > 0;
  }

  /** Idempotency keys older than `hours`: a retry that late is a new request. */
  async purgeIdempotencyKeys(hours: number): Promise<number> {
    const r = await sql`DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${hours}) LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Wrong guest PINs older than the window they count in (domain/guest-pin.ts). */
  async purgeGuestPinFailures(windowMinutes: number): Promise<number> {
    const r = await sql`DELETE FROM guest_pin_failures WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM guest_pin_failures WHERE at < now() - make_interval(mins => ${windowMinutes}) LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Sessions past their absolute expiry or idle longer than the idle timeout. */
  async purgeSessions(idleMinutes: number): Promise<number> {
    const r = await sql`DELETE FROM sessions WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM sessions WHERE expires_at < now() OR last_seen_at < now() - make_interval(mins => ${idleMinutes}) LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Audit entries older than `days` (0: kept for ever). Export them first with `webmeetings audit-archive`. */
  async purgeAuditLog(days: number): Promise<number> {
    if (days <= 0) return 0;
    const r = await sql`DELETE FROM audit_log WHERE id = ANY (ARRAY(
        SELECT id FROM audit_log WHERE at < now() - make_interval(days => ${days}) ORDER BY id LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /**
   * Guest links of bookings over for more than `days` (0: never): a link is what lets a stranger in,
   * so it should not outlive its meeting. A series-wide link (kept on the series' first occurrence)
   * goes only when every occurrence is over.
   */
  async purgeGuestLinks(days: number, now: Date): Promise<number> {
    if (days <= 0) return 0;
    // Meetings' times are the portal's clock's, so "over" is judged by it (not the database's).
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const r = await sql`DELETE FROM guest_links WHERE booking_id = ANY (ARRAY(
        SELECT gl.booking_id FROM guest_links gl JOIN bookings b ON b.id = gl.booking_id
         WHERE upper(b.during) < ${cutoff}
           AND NOT EXISTS (SELECT 1 FROM bookings o WHERE b.series_id IS NOT NULL AND o.series_id = b.series_id
                            AND upper(o.during) >= ${cutoff})
         LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Audit entries older than `days`, oldest first, `limit` of them after id `afterId`: one page of an archive export. */
  async auditOlderThan(days: number, afterId: string, limit: number): Promise<AuditArchiveRow[]> {
    const { rows } = await sql<AuditArchiveRow>`SELECT id::text AS id, at, actor_id, action, entity, entity_id, before, after, request_id FROM audit_log
       WHERE at < now() - make_interval(days => ${days}) AND audit_log.id > ${afterId}::bigint ORDER BY audit_log.id LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /** Deletes the audit entries older than `days` up to id `maxId` (those an archive holds). */
  async deleteAuditUpTo(days: number, maxId: string): Promise<number> {
    const r = await sql`DELETE FROM audit_log WHERE at < now() - make_interval(days => ${days}) AND id <= ${maxId}::bigint`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }
}

export type AuditArchiveRow = {
  id: string;
  at: Date;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
};
