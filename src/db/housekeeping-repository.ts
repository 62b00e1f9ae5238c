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
}
