// A consistent snapshot of the whole database as a stream of events (tables, rows, job queues,
// sequences), and the writer that replays such a stream into an empty database in one
// transaction. `backup` writes the stream to a file and `restore` reads it back; `migrate-to-postgres`
// pipes one database's stream straight into another.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { schemaVersion } from './migrate.ts';
import { clearJobs, createQueues, jobTables, queueSchemaVersion, readQueues } from './job-tables.ts';
import { insertRows, linkSelfReferences, listTables, rowBatches, readSequences, writeSequences, compareTables, type SequenceState, type TableInfo, type Trx } from './table-copy.ts';

export const SNAPSHOT_FORMAT = 'webmeetings-backup';

export type SnapshotMeta = {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: 1;
  createdAt: string;
  /** The highest migration applied in the source: a restore migrates the target to it first. */
  schemaVersion: number;
  /** pg-boss's schema version, null when the source has no job queue. */
  jobSchemaVersion: number | null;
  tables: { id: string; columns: string[] }[];
};

export type SnapshotEvent =
  | { kind: 'table'; id: string }
  | { kind: 'rows'; rows: string[] }
  | { kind: 'queues'; rows: string[] }
  | { kind: 'sequences'; sequences: SequenceState[] };

/** Tables whose rows mean the target is in use: a restore or copy never merges into live data. */
const IN_USE_TABLES = ['public.users', 'public.rooms', 'public.institutions', 'public.bookings', 'public.booking_series'];

/**
 * Reads everything in one REPEATABLE READ, READ ONLY transaction, so the copy is consistent while
 * the portal keeps writing (on PGlite, whose one session it holds, writes wait for it).
 */
export async function openSnapshot(db: Db, now = new Date()): Promise<{ meta: SnapshotMeta; events: AsyncGenerator<SnapshotEvent> }> {
  const trx = await db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
  try {
    await fixedOutputFormats(trx);
    const tables = await listTables(trx, 'public');
    const jobVersion = await queueSchemaVersion(trx);
    const jobs = jobVersion === null ? [] : await jobTables(trx);
    const meta: SnapshotMeta = {
      format: SNAPSHOT_FORMAT,
      formatVersion: 1,
      createdAt: now.toISOString(),
      schemaVersion: await schemaVersion(trx),
      jobSchemaVersion: jobVersion,
      tables: [...tables, ...jobs].map((t) => ({ id: t.id, columns: t.columns })),
    };
    async function* events(): AsyncGenerator<SnapshotEvent> {
      try {
        for (const table of [...tables, ...(jobVersion === null ? [] : ['queues' as const]), ...jobs]) {
          if (table === 'queues') {
            yield { kind: 'queues', rows: await readQueues(trx) };
            continue;
          }
          yield { kind: 'table', id: table.id };
          for await (const rows of rowBatches(trx, table)) yield { kind: 'rows', rows };
        }
        yield { kind: 'sequences', sequences: await readSequences(trx, 'public') };
      } finally {
        await trx.rollback().execute();
      }
    }
    return { meta, events: events() };
  } catch (e) {
    await trx.rollback().execute();
    throw e;
  }
}

export type ApplyResult = { rows: Record<string, number>; jobsCopied: boolean };

/**
 * Writes a snapshot into `db` in one transaction. The target must have the snapshot's schema
 * version and hold no data; rows its migrations made (settings' defaults) are replaced. Job
 * queues are copied only when the target's pg-boss has the same schema version.
 */
export async function applySnapshot(db: Db, meta: SnapshotMeta, events: AsyncIterable<SnapshotEvent>, opts: { force?: boolean } = {}): Promise<ApplyResult> {
  return db.transaction().execute(async (trx) => {
    await fixedOutputFormats(trx);
    const version = await schemaVersion(trx);
    if (version !== meta.schemaVersion) throw new Error(`The target database is at schema version ${version}, the copy at ${meta.schemaVersion}.`);
    const tables = await listTables(trx, 'public');
    const jobVersion = await queueSchemaVersion(trx);
    const jobsCopied = meta.jobSchemaVersion !== null && jobVersion === meta.jobSchemaVersion;
    const targets = new Map<string, TableInfo>([...tables, ...(jobsCopied ? await jobTables(trx) : [])].map((t) => [t.id, t]));
    compareTables(
      meta.tables.filter((t) => t.id.startsWith('public.')),
      tables,
    );
    if (!opts.force) {
      const inUse = await occupied(trx, tables);
      if (inUse.length > 0) throw new Error(`The target database already holds data (${inUse.join(', ')}); restore into an empty database.`);
    }
    for (const t of [...tables].reverse()) await sql.raw(`DELETE FROM ${t.qualified}`).execute(trx);
    if (jobsCopied) await clearJobs(trx);

    const counts: Record<string, number> = {};
    let current: TableInfo | null = null;
    let pendingLinks: string[] = [];
    const finishTable = async () => {
      if (current) await linkSelfReferences(trx, current, pendingLinks);
      pendingLinks = [];
    };
    for await (const e of events) {
      if (e.kind === 'table') {
        await finishTable();
        current = targets.get(e.id) ?? null;
        counts[e.id] = 0;
      } else if (e.kind === 'rows') {
        if (!current) continue; // a job table the target does not take (pg-boss versions differ)
        await insertRows(trx, current, e.rows);
        if (current.selfReferences.length > 0) pendingLinks.push(...e.rows);
        counts[current.id] = (counts[current.id] ?? 0) + e.rows.length;
      } else if (e.kind === 'queues') {
        await finishTable();
        current = null;
        if (jobsCopied) await createQueues(trx, e.rows);
      } else {
        await finishTable();
        current = null;
        await writeSequences(trx, e.sequences);
      }
    }
    await finishTable();
    return { rows: counts, jobsCopied };
  });
}

/**
 * Text forms of dates and ranges depend on the session (a range's bounds follow DateStyle and
 * TimeZone): both ends of a copy fix them, so a server's own defaults never change a value.
 */
async function fixedOutputFormats(trx: Trx): Promise<void> {
  await sql`SET LOCAL timezone = 'UTC'`.execute(trx);
  await sql`SET LOCAL datestyle = 'ISO, YMD'`.execute(trx);
  await sql`SET LOCAL intervalstyle = 'postgres'`.execute(trx);
}

async function occupied(trx: Trx, tables: TableInfo[]): Promise<string[]> {
  const full: string[] = [];
  for (const t of tables.filter((t) => IN_USE_TABLES.includes(t.id))) {
    const { rows } = await sql.raw<{ one: number }>(`SELECT 1 AS one FROM ${t.qualified} LIMIT 1`).execute(trx);
    if (rows.length > 0) full.push(t.id.replace(/^public\./, ''));
  }
  return full;
}
