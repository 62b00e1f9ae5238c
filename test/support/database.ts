// A fresh database for each test file: an in-memory PGlite by default, or, when DATABASE_URL is
// set, a new database on that PostgreSQL server (dropped afterwards) so files never share state.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

export const onPostgres = Boolean(process.env.DATABASE_URL);

export type TestDatabase = { database: Database; url: string | undefined; drop(): Promise<void> };

/** `migrate: false` leaves the database empty (restore, copy and upgrade tests bring their own schema). */
export async function openTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const database = await openDatabase({ memory: true });
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
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 40 });
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
