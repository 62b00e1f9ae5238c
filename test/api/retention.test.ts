// Bounded tables: the periodic purges remove what has outlived its retention (expired sessions,
// audit entries past AUDIT_RETENTION_DAYS, guest links of bookings long over, finished queue jobs
// past JOB_RETENTION_DAYS through pg-boss's own retention) and keep everything younger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { onPostgres, openTestDatabase } from '../support/database.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { root } from '../support/main-process.ts';

let t: TestPortal;
beforeAll(async () => {
  t = await startTestPortal({ env: { AUDIT_RETENTION_DAYS: '730', GUEST_LINK_RETENTION_DAYS: '30', JOB_RETENTION_DAYS: '7', HOUSEKEEPING_TICK_SECONDS: '0' } });
});
afterAll(async () => {
  await t?.close();
});

const count = async (query: string) => Number((await sql.raw<{ n: string }>(query).execute(t.db.database.db)).rows[0]!.n);

async function pastBooking(daysAgo: number): Promise<string> {
  // Meetings are on the portal's clock (the test's), which the guest-link purge judges by.
  const start = new Date(t.clock.now().getTime() - daysAgo * 86_400_000);
  const { rows } = await sql<{ id: string }>`INSERT INTO bookings (room_id, title, during, occupied, seats, booker_id)
     VALUES (${t.rooms[0]!.id}, 'Old', tstzrange(${start}::timestamptz, ${start}::timestamptz + interval '1 hour'),
             tstzrange(${start}::timestamptz, ${start}::timestamptz + interval '1 hour'), 1, ${t.admin.userId})
     RETURNING id`.execute(t.db.database.db);
  return rows[0]!.id;
}

describe('retention purges', () => {
  it('purge expired sessions, old audit entries and guest links of bookings long over, and keep the rest', async () => {
    const db = t.db.database.db;
    await sql`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at, last_seen_at)
      SELECT 'expired-' || g, ${t.admin.userId}, 'x', now() - interval '1 hour', now() - interval '2 hours' FROM generate_series(1, 50) g`.execute(db);
    await sql`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ('live-one', ${t.admin.userId}, 'x', now() + interval '1 hour')`.execute(db);
    await sql`INSERT INTO audit_log (at, action, entity, entity_id) SELECT now() - interval '800 days', 'old.action', 'test', g::text FROM generate_series(1, 40) g`.execute(db);
    await sql`INSERT INTO audit_log (at, action, entity, entity_id) SELECT now() - interval '100 days', 'recent.action', 'test', g::text FROM generate_series(1, 5) g`.execute(db);
    const old = await pastBooking(60);
    const recent = await pastBooking(3);
    await sql`INSERT INTO guest_links (booking_id, token) VALUES (${old}, 'old-guest-token-0123456789'), (${recent}, 'recent-guest-token-012345')`.execute(db);

    const removed = await t.portal.housekeeping.runNow();
    expect(removed).toMatchObject({ sessions: 50, 'audit-log': 40, 'guest-links': 1 });
    expect(await count(`SELECT count(*) AS n FROM sessions WHERE id_hash LIKE 'expired-%'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM sessions WHERE id_hash = 'live-one'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'old.action'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'recent.action'`)).toBe(5);
    expect(await count(`SELECT count(*) AS n FROM guest_links WHERE booking_id = '${old}'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM guest_links WHERE booking_id = '${recent}'`)).toBe(1);
  });

  it('lets pg-boss delete finished jobs past JOB_RETENTION_DAYS', async () => {
    const boss = t.portal.queue.boss;
    const { rows: queues } = await sql<{ name: string; deletion_seconds: number }>`SELECT name, deletion_seconds FROM pgboss.queue ORDER BY name`.execute(t.db.database.db);
    expect(queues.length).toBeGreaterThan(0);
    expect(queues.every((q) => q.deletion_seconds === 7 * 86_400)).toBe(true);
    const name = queues[0]!.name;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.portal.queue.enqueue(undefined, name, { test: i }, { startAfter: new Date(Date.now() + 86_400_000) }))!);
    // Two finished long ago, one yesterday.
    await sql`UPDATE pgboss.job SET state = 'completed', completed_on = now() - interval '8 days' WHERE id = ANY (${[ids[0], ids[1]]}::uuid[])`.execute(t.db.database.db);
    await sql`UPDATE pgboss.job SET state = 'completed', completed_on = now() - interval '1 day' WHERE id = ${ids[2]}::uuid`.execute(t.db.database.db);
    await sql`UPDATE pgboss.queue SET deleted_on = NULL`.execute(t.db.database.db).catch(() => {});
    await boss.supervise(name);
    const left = await sql<{ id: string }>`SELECT id FROM pgboss.job WHERE id = ANY (${ids}::uuid[])`.execute(t.db.database.db);
    expect(left.rows.map((r) => r.id)).toEqual([ids[2]]);
  });
});

describe('archive-audit', { timeout: 120_000 }, () => {
  it('writes the entries older than the retention as JSON lines, then deletes only those with --delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-archive-'));
    // PostgreSQL: a database of its own; PGlite: a folder the CLI opens once this test has closed it.
    const pg = onPostgres ? await openTestDatabase() : null;
    const open = async () => pg?.database ?? (await openDatabase({ dataDir: join(dir, 'data') }));
    const env = { ...process.env, ...(pg?.url ? { DATABASE_URL: pg.url } : { DATA_DIR: join(dir, 'data') }), AUDIT_RETENTION_DAYS: '730' };
    try {
      const first = await open();
      await migrate(first.db);
      await sql`INSERT INTO audit_log (at, action, entity, entity_id) SELECT now() - interval '900 days', 'archived.action', 'test', g::text FROM generate_series(1, 12) g`.execute(first.db);
      await sql`INSERT INTO audit_log (at, action, entity, entity_id) VALUES (now(), 'kept.action', 'test', 'k')`.execute(first.db);
      if (!pg) await first.close();
      const out = join(dir, 'audit.jsonl');
      const cli = spawnSync(process.execPath, ['src/cli.ts', 'archive-audit', '--out', out, '--delete'], { cwd: root, env, encoding: 'utf8' });
      expect(cli.status, cli.stderr).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string });
      expect(lines.filter((l) => l.action === 'archived.action')).toHaveLength(12);
      expect(lines.some((l) => l.action === 'kept.action')).toBe(false);
      const after = await open();
      const left = await sql<{ action: string }>`SELECT action FROM audit_log WHERE entity = 'test'`.execute(after.db);
      expect(left.rows.map((r) => r.action)).toEqual(['kept.action']);
      if (!pg) await after.close();
      // Never overwrites an archive.
      expect(spawnSync(process.execPath, ['src/cli.ts', 'archive-audit', '--out', out], { cwd: root, env, encoding: 'utf8' }).status).not.toBe(0);
    } finally {
      if (pg) {
        await pg.database.close().catch(() => {});
        await pg.drop().catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
