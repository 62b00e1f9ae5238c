// A fresh PostgreSQL database for one benchmark (wm_bench_<random>) on the server DATABASE_URL
// names, dropped afterwards, so a bench never measures or damages anyone's data.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type ScratchDatabase = { name: string; url: string; drop(): Promise<void> };

async function onServer<T>(serverUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `wm_bench_${randomBytes(5).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    // WITH (FORCE) (PostgreSQL 13+): a pool or child process that did not close must not keep it alive.
    drop: () => onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** One line about the server, for the report: version and the settings that shape these figures. */
export async function describeServer(serverUrl: string): Promise<string> {
  return onServer(serverUrl, async (c) => {
    const { rows } = await c.query<{ v: string; sb: string; mc: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('max_connections') AS mc`,
    );
    const r = rows[0]!;
    return `PostgreSQL ${r.v} (shared_buffers ${r.sb}, max_connections ${r.mc})`;
  });
}

/** Whether the server runs on this machine (its CPU time can then be read from /proc). */
export function onThisMachine(serverUrl: string): boolean {
  const host = new URL(serverUrl).hostname;
  return host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}
