// A fresh database for each test file: an in-memory PGlite by default, or, when DATABASE_URL is
// set, a new database on that PostgreSQL server (dropped afterwards) so files never share state.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
// Its declaration of what the global set-up provides (inject's type).
import type {} from './pglite-snapshots.ts';

export const onPostgres = Boolean(process.env.DATABASE_URL);

export type TestDatabase = { database: Database; url: string | undefined; drop(): Promise<void> };

/** `migrate: false` leaves the database empty (restore, copy and upgrade tests bring their own schema). */
export async function openTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // From the run's snapshot (test/support/pglite-snapshots.ts); migrate() then finds nothing to do.
    const snapshots = inject('pgliteSnapshots');
    const file = snapshots && (opts.migrate === false ? snapshots.fresh : snapshots.migrated);
    const database = await openDatabase({ memory: true, ...(file && { snapshot: new Blob([readFileSync(file)]) }) });
    if (opts.migrate !== false) await migrate(database.db);
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `wm_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Two files run at once, each with its database's pool (shared by the portals of the file), maybe a
  // second pool and main processes (test/support/main-process.ts, 10 each): together they must stay
  // under the server's max_connections (100, 3 kept for superusers), or a burst in one file is
  // refused for another's (503 DATABASE_UNAVAILABLE).
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 20 });
  if (opts.migrate !== false) await migrate(database.db);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
