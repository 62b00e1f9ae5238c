// Benchmark: the statistics page's six reads (summary, per month, room and institution, the seat
// pool over time, the heat map) over two years of a busy service: 8 rooms, four meeting slots a
// working day each taken with probability 0.6 (about 10,000 meetings), one usage sample a minute
// while each ran (about a million). Each read for the last 30 days, 12 months and 24 months (the
// longest period the API allows), on PostgreSQL and on the embedded PGlite, where a slow statement
// holds the portal's event loop: every other request waits behind it.
//
// No target in an issue; the figures guard against a read that grows with period × data (the seat
// pool did: a scan of every minute per day, 8.6 s for a year of the demo on PGlite).
//   npm run bench -- --only statistics [--quick]
import { loadConfig, type Config } from '../src/config.ts';
import { StatisticsService } from '../src/app/statistics.ts';
import type { Database } from '../src/db/database.ts';
import { PgStatisticsRepository } from '../src/db/statistics-repository.ts';
import { openPortalDatabase } from '../src/portal.ts';
import type { CallContext } from '../src/ports.ts';
import type { Cleanup } from './cleanup.ts';
import { median, ms, num, table, type Section } from './figures.ts';
import { createScratchDatabase, describeServer } from './scratch-database.ts';

const ZONE = 'Europe/Rome';
const DAY = 86_400_000;

export type StatisticsBenchOptions = { days: number; share: number; runs: number };

// Meetings on working days at 09:00, 11:00, 14:00 and 16:00 local, 90 minutes, in every room; which
// slots are taken is a hash of room, day and hour (the same on every run and database). Seats and
// people follow the room's size. Written by SQL: the booking rules refuse the past.
const MEETINGS = `
INSERT INTO bookings (room_id, title, during, occupied, seats, booker_id, institution_id, status, created_at)
SELECT r.id, 'Bench meeting', tstzrange(s, s + interval '90 minutes'), tstzrange(s, s + interval '90 minutes'),
       greatest(5, r.capacity / 2), $1::uuid, $2::uuid, 'confirmed', s - interval '7 days'
  FROM rooms r, generate_series($3::date, $4::date, interval '1 day') d, unnest(ARRAY[9, 11, 14, 16]) h,
       LATERAL (SELECT (d::date + make_time(h, 0, 0)) AT TIME ZONE '${ZONE}' AS s) t
 WHERE extract(isodow FROM d) < 6 AND (hashtext(r.id::text || d::date::text || h::text) & 1023) < $5::int`;
const SAMPLES = `
INSERT INTO usage_samples (booking_id, at, web, phone)
SELECT b.id, m, b.seats / 2 + (hashtext(b.id::text) & 7), (hashtext(b.id::text) >> 3) & 3
  FROM bookings b, generate_series(lower(b.during), upper(b.during) - interval '1 minute', interval '1 minute') m`;

type Read = { label: string; run: (svc: StatisticsService, ctx: CallContext, q: { from: string; to: string }) => Promise<unknown> };
const READS: Read[] = [
  { label: 'summary', run: (s, c, q) => s.summary(c, q) },
  { label: 'per month', run: (s, c, q) => s.grouped(c, q, 'month') },
  { label: 'per room', run: (s, c, q) => s.grouped(c, q, 'room') },
  { label: 'per institution', run: (s, c, q) => s.grouped(c, q, 'institution') },
  { label: 'seat pool', run: (s, c, q) => s.pool(c, q) },
  { label: 'heat map', run: (s, c, q) => s.heatmap(c, q) },
];

export async function statisticsOnPostgres(cleanup: Cleanup, o: StatisticsBenchOptions & { serverUrl: string }): Promise<Section> {
  const server = await describeServer(o.serverUrl);
  const scratch = await createScratchDatabase(o.serverUrl);
  cleanup.defer(`drop database ${scratch.name}`, scratch.drop);
  const config = loadConfig({ DATABASE_URL: scratch.url, LOG_LEVEL: 'silent' });
  const database = await openPortalDatabase(config);
  cleanup.defer('close the database pool', () => database.close());
  return statistics(`PostgreSQL: ${server}, database ${scratch.name}`, database, config, o);
}

export async function statisticsOnPglite(cleanup: Cleanup, o: StatisticsBenchOptions): Promise<Section> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const database = await openPortalDatabase(config, { memory: true });
  cleanup.defer('close PGlite', () => database.close());
  return statistics('PGlite, in memory, in this process', database, config, o);
}

async function statistics(label: string, database: Database, config: Config, o: StatisticsBenchOptions): Promise<Section> {
  const kind = database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const title = `Statistics over ${o.days} days of meetings, ${kind}`;
  console.log(`\n== ${title} ==\n  ${label}`);
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const day = (offset: number) => new Date(now.getTime() + offset * DAY).toISOString().slice(0, 10);

  const { rows: ids } = await database.pool.query<{ booker: string; inst: string }>(
    `WITH i AS (INSERT INTO institutions (name) VALUES ('Università del banco') RETURNING id)
     INSERT INTO users (email, name, role, institution_id) SELECT 'bench-stats@example.org', 'Bench', 'member', id FROM i RETURNING id AS booker, institution_id AS inst`,
  );
  const { booker, inst } = ids[0]!;
  // A bulk load, not a request: without the pool's statement timeout.
  const client = await database.pool.connect();
  const t0 = performance.now();
  try {
    await client.query('SET statement_timeout = 0');
    await client.query(MEETINGS, [booker, inst, day(-o.days), day(-1), Math.round(o.share * 1024)]);
    await client.query(SAMPLES);
    await client.query('ANALYZE');
    await client.query('RESET statement_timeout');
  } finally {
    client.release();
  }
  const counts = (await database.pool.query<{ meetings: number; samples: number }>('SELECT (SELECT count(*) FROM bookings)::int AS meetings, (SELECT count(*) FROM usage_samples)::int AS samples')).rows[0]!;
  const filled = `  filled in ${num((performance.now() - t0) / 1000)} s: ${counts.meetings.toLocaleString('en-US')} meetings, ${counts.samples.toLocaleString('en-US')} minute samples, ${config.booking.defaultTimeZone}`;
  console.log(filled);

  const svc = new StatisticsService({ reader: new PgStatisticsRepository(database.db), clock: { now: () => now }, timeZone: ZONE });
  const admin: CallContext = { actor: { userId: booker, role: 'admin', institutionId: null } } as CallContext;
  const periods = [
    { label: '30 days', from: day(-29), to: today },
    { label: '12 months', from: day(-364), to: today },
    { label: '24 months', from: day(-730), to: today },
  ];
  const rows: string[][] = [];
  for (const read of READS) {
    const row = [read.label];
    for (const p of periods) {
      const took: number[] = [];
      for (let i = 0; i < o.runs + 1; i++) {
        const began = performance.now();
        await read.run(svc, admin, { from: p.from, to: p.to });
        if (i > 0) took.push(performance.now() - began); // the first run warms the caches
      }
      row.push(`${ms(median(took))} / ${ms(Math.max(...took))}`);
    }
    rows.push(row);
  }
  const report = table(['read (median / slowest ms)', ...periods.map((p) => p.label)], rows);
  console.log(report);
  return { title, lines: [filled.trim(), ...report.split('\n')] };
}
