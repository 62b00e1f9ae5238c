// The job queue's part of a database copy (backup, restore, migrate-to-postgres): jobs waiting to
// run (provisioning, mail) must survive the move. pg-boss owns its schema, so the target gets it by
// starting pg-boss there; queues are recreated through pg-boss's own create_queue() (it makes a
// partitioned queue's table), then schedules and jobs are copied as rows. Jobs are inserted into
// the parent `job` table, which routes each row to its queue's partition.
import { sql } from 'kysely';
import type { TableInfo, Trx } from './table-copy.ts';
import { qualify } from './table-copy.ts';

export const QUEUE_SCHEMA = 'pgboss';

/** pg-boss's schema version in this database, or null when pg-boss never ran there. */
export async function queueSchemaVersion(trx: Trx): Promise<number | null> {
  const { rows } = await sql<{ present: boolean }>`SELECT to_regclass('pgboss.version') IS NOT NULL AS present`.execute(trx);
  if (!rows[0]?.present) return null;
  const v = await sql<{ version: number }>`SELECT version FROM pgboss.version`.execute(trx);
  return v.rows[0]?.version ?? null;
}

/** The job tables copied as rows, in dependency order (queues are made by create_queue first). */
export async function jobTables(trx: Trx): Promise<TableInfo[]> {
  const tables: TableInfo[] = [];
  for (const name of ['schedule', 'job']) {
    const { rows } = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns
      WHERE table_schema = ${QUEUE_SCHEMA} AND table_name = ${name} AND is_generated <> 'ALWAYS'
      ORDER BY ordinal_position`.execute(trx);
    const id = `${QUEUE_SCHEMA}.${name}`;
    tables.push({ id, qualified: qualify(id), columns: rows.map((r) => r.column_name), primaryKey: [], selfReferences: [] });
  }
  return tables;
}

type QueueRow = {
  name: string;
  policy: string;
  retry_limit: number;
  retry_delay: number;
  retry_backoff: boolean;
  retry_delay_max: number | null;
  expire_seconds: number;
  retention_seconds: number;
  deletion_seconds: number;
  warning_queued: number;
  dead_letter: string | null;
  partition: boolean;
  heartbeat_seconds: number | null;
  notify: boolean;
};

/** Each queue's definition, as row_to_json text. */
export async function readQueues(trx: Trx): Promise<string[]> {
  const { rows } = await sql<{ r: string }>`SELECT row_to_json(q)::text AS r FROM pgboss.queue q ORDER BY name`.execute(trx);
  return rows.map((row) => row.r);
}

/** Recreates the queues with pg-boss's create_queue(), dead-letter queues before their users. */
export async function createQueues(trx: Trx, queueRows: string[]): Promise<void> {
  const queues = queueRows.map((r) => JSON.parse(r) as QueueRow);
  const done = new Set<string>();
  const create = async (q: QueueRow): Promise<void> => {
    if (done.has(q.name)) return;
    done.add(q.name);
    const deadLetter = q.dead_letter ? queues.find((d) => d.name === q.dead_letter) : undefined;
    if (deadLetter) await create(deadLetter);
    const options = {
      policy: q.policy,
      retryLimit: q.retry_limit,
      retryDelay: q.retry_delay,
      retryBackoff: q.retry_backoff,
      retryDelayMax: q.retry_delay_max ?? undefined,
      expireInSeconds: q.expire_seconds,
      retentionSeconds: q.retention_seconds,
      deleteAfterSeconds: q.deletion_seconds,
      warningQueueSize: q.warning_queued,
      deadLetter: q.dead_letter ?? undefined,
      partition: q.partition,
      heartbeatSeconds: q.heartbeat_seconds ?? undefined,
      notify: q.notify,
    };
    await sql`SELECT pgboss.create_queue(${q.name}, ${JSON.stringify(options)}::jsonb)`.execute(trx);
  };
  for (const q of queues) await create(q);
}

/** Empties the copied job tables of a target whose pg-boss was just installed. */
export async function clearJobs(trx: Trx): Promise<void> {
  await sql`DELETE FROM pgboss.job`.execute(trx);
  await sql`DELETE FROM pgboss.schedule`.execute(trx);
}
