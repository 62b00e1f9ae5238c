// The LISTEN connection behind live updates comes back by itself after PostgreSQL drops it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.drop());

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  for (let waited = 0; !cond() && waited < ms; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

describe('database LISTEN', () => {
  it('delivers notifications sent by another connection', async () => {
    const got: string[] = [];
    const stop = await t.database.listen('wm_test_channel', (p) => got.push(p));
    await sql`SELECT pg_notify('wm_test_channel', 'one')`.execute(t.database.db);
    expect(await waitFor(() => got.includes('one'))).toBe(true);
    await stop();
  });

  it.runIf(onPostgres)('reconnects after the server terminates the listening session', async () => {
    const got: string[] = [];
    const stop = await t.database.listen('wm_test_reconnect', (p) => got.push(p));
    const killed = await sql<{ n: string }>`
      SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND query ILIKE 'LISTEN%'`.execute(t.database.db);
    expect(Number(killed.rows[0]!.n)).toBe(1);
    // Keep notifying until the new session hears one (it reconnects within a second or so).
    for (let i = 0; i < 60 && got.length === 0; i++) {
      await sql`SELECT pg_notify('wm_test_reconnect', 'after')`.execute(t.database.db);
      await new Promise((r) => setTimeout(r, 250));
    }
    const heard = got.length > 0;
    expect(heard).toBe(true);
    await stop();
  });

  // The portal's close drops every channel at once, and modules start listening together: each a
  // statement on the one LISTEN connection. node-postgres deprecates sending one while another runs.
  it.runIf(onPostgres)('listens and stops listening on many channels at once, one statement at a time', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const first = await t.database.listen('wm_test_many_0', () => {});
      const channels = Array.from({ length: 6 }, (_, i) => `wm_test_many_${i + 1}`);
      const got = new Map<string, string[]>(channels.map((c) => [c, []]));
      const stops = await Promise.all(channels.map((c) => t.database.listen(c, (p) => got.get(c)!.push(p))));
      for (const c of channels) await sql`SELECT pg_notify(${c}, 'hello')`.execute(t.database.db);
      expect(await waitFor(() => [...got.values()].every((g) => g.includes('hello')))).toBe(true);
      await Promise.all([first(), ...stops.map((stop) => stop())]);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
