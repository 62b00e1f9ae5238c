// Plain numbered SQL files, forward only, applied in one transaction under an advisory lock so that
// several instances starting together apply each file exactly once.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { sql } from 'kysely';
import { sqlState, type Db } from './database.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const MIGRATION_LOCK = 7_310_001;

export type Migration = { version: number; name: string; sql: string };

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .map((f) => ({ version: Number(f.split('_')[0]), name: f, sql: readFileSync(join(dir, f), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/** Applies pending migrations; `upTo` stops after that version (restore and upgrade tests replay history). */
export async function migrate(db: Db, opts: { upTo?: number } = {}): Promise<string[]> {
  const migrations = listMigrations().filter((m) => opts.upTo === undefined || m.version <= opts.upTo);
  return db.transaction().execute(async (trx) => {
    // A migration may rewrite a large table: the pool's statement_timeout does not apply to it.
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    const done = new Set((await trx.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await sql.raw(m.sql).execute(trx);
      await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name }).execute();
      applied.push(m.name);
    }
    return applied;
  });
}

/** Names of migration files not yet applied (readiness fails while any remain). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  // Only "no such table" (42P01, a database never migrated) means all are pending; any other error
  // (the database is unreachable) is the caller's to report.
  const rows = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(db).catch((e: unknown) => {
    if (sqlState(e) === '42P01') return { rows: [] };
    throw e;
  });
  const done = new Set(rows.rows.map((r) => r.version));
  return listMigrations().filter((m) => !done.has(m.version)).map((m) => m.name);
}

/** The highest migration applied, 0 for an empty database. */
export async function schemaVersion(db: Db): Promise<number> {
  const rows = await sql<{ version: number | null }>`SELECT max(version) AS version FROM schema_migrations`.execute(db).catch(() => ({ rows: [] }));
  return rows.rows[0]?.version ?? 0;
}
