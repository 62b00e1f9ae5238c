// What one booking costs the database in all, not only in its own request: every statement the
// portal sends (its own transaction, and the jobs it enqueues and runs afterwards: job fetch and
// completion, the provisioning sync, the mails), counted on an in-process portal by wrapping its
// pool, plus PostgreSQL's own commit and row counters (pg_stat_database) over the same window.
//
//   node bench/booking-downstream.ts [count]    (PostgreSQL: DATABASE_URL names the server; a scratch database is made)
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPortal, openPortalDatabase } from '../src/portal.ts';
import { portalEnvironment } from './portal-process.ts';
import { createScratchDatabase, DEFAULT_SERVER_URL } from './scratch-database.ts';
import { statementLabel } from './statement-log.ts';

const count = Number(process.argv[2] ?? 100);
const serverUrl = process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
const scratch = await createScratchDatabase(serverUrl);
try {
  const config = loadConfig(portalEnvironment({ DATABASE_URL: scratch.url, MAX_DAYS_AHEAD: '3650' }));
  const database = await openPortalDatabase(config);
  const counts = new Map<string, number>();
  let counting = false;
  const note = (text: unknown) => {
    if (!counting) return;
    const sql = typeof text === 'string' ? text : ((text as { text?: string })?.text ?? '?');
    const label = statementLabel(sql.replace(/^\s*(with\s+\w+\s+as\s*\()/i, ''));
    counts.set(label, (counts.get(label) ?? 0) + 1);
  };
  const pool = database.pool as unknown as { query: (...a: unknown[]) => unknown; connect: (...a: unknown[]) => Promise<unknown> };
  const query = pool.query.bind(pool);
  pool.query = (...a: unknown[]) => (note(a[0]), query(...a));
  database.pool.on('connect', (client) => {
    const q = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...a: unknown[]) => (note(a[0]), q(...a));
  });
  const portal = await createPortal(config, { database, logger: pino({ level: 'silent' }) });
  const rooms = await portal.services.uow.repos.rooms.list();
  const admin = await portal.services.uow.repos.users.create({ email: 'bench-admin@example.org', name: 'Bench Admin', role: 'admin', institutionId: null, passwordHash: null });
  const { token } = await portal.services.accounts.createToken({ actor: { userId: admin.id, role: 'admin', institutionId: null } }, 'bench');
  const stats = async () =>
    (
      await database.pool.query<{ c: string; w: string }>(
        `SELECT xact_commit AS c, tup_inserted + tup_updated + tup_deleted AS w FROM pg_stat_database WHERE datname = current_database()`,
      )
    ).rows[0]!;
  const pending = async () =>
    Number((await database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active') AND start_after <= now()`)).rows[0]!.n);
  const hour = 3_600_000;
  const base = Math.ceil(Date.now() / hour) * hour + 48 * hour;
  // pg-boss's pollers run whether or not anyone books: their statements over an idle window of the
  // same length are subtracted below.
  const idleSeconds = 10;
  counting = true;
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  counting = false;
  const idle = new Map(counts);
  counts.clear();
  await new Promise((r) => setTimeout(r, 500)); // pg_stat_database is updated at most every 500 ms
  const before = await stats();
  const started = performance.now();
  counting = true;
  for (let i = 0; i < count; i++) {
    const start = new Date(base + i * 2 * hour);
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { authorization: `Bearer ${token}` },
      payload: { title: 'Bench meeting', roomId: rooms[i % rooms.length]!.id, seats: 1, start: start.toISOString(), end: new Date(start.getTime() + hour).toISOString() },
    });
    if (res.statusCode !== 201) throw new Error(`booking answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  }
  while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 3000)); // completions land after the handlers
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const after = await stats();
  await portal.close();
  await database.close();
  const scale = seconds / idleSeconds;
  const rows = [...counts].map(([label, n]) => [label, (n - (idle.get(label) ?? 0) * scale) / count] as const).filter(([, n]) => Math.abs(n) >= 0.05);
  rows.sort((a, b) => b[1] - a[1]);
  console.log(`${count} bookings one after another through inject, the jobs they enqueued run to the end (${seconds.toFixed(1)} s)`);
  console.log(`statements per booking, pollers' idle rate subtracted (${[...idle.values()].reduce((a, b) => a + b, 0)} statements in ${idleSeconds} s idle):`);
  for (const [label, n] of rows) console.log(`  ${n.toFixed(2).padStart(6)}  ${label}`);
  console.log(`  ${rows.reduce((a, [, n]) => a + n, 0).toFixed(2).padStart(6)}  in all`);
  console.log(`pg_stat_database per booking (pollers included): ${((Number(after.c) - Number(before.c)) / count).toFixed(2)} commits, ${((Number(after.w) - Number(before.w)) / count).toFixed(2)} rows written`);
} finally {
  await scratch.drop();
}
