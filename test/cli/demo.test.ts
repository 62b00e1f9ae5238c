// `webmeetings demo` (issue #15): a realistic year in an empty database — a few hundred meetings in
// the eight rooms, weekly series, cancellations, no-shows, callers, a peak near 170 people at once —
// that the statistics read like real data; and a refusal for a database with real bookings.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DemoRefused, fillDemo } from '../../src/db/demo-data.ts';
import { StatisticsService } from '../../src/app/statistics.ts';
import { PgStatisticsRepository } from '../../src/db/statistics-repository.ts';
import { seedDefaultRooms } from '../../src/db/seed.ts';
import { expandRecurrence, parseRecurrence } from '../../src/domain/recurrence.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';
import { runCli, tempDir } from './support.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
  await seedDefaultRooms(t.database.db, 'Europe/Rome');
});
afterAll(async () => {
  await t?.drop();
});

describe('the demo year', () => {
  it('fills an empty database with a year the statistics read like a real one', async () => {
    const made = await fillDemo(t.database.db, { now: NOW, timeZone: 'Europe/Rome' });
    expect(made.meetings).toBeGreaterThan(200);
    expect(made.meetings).toBeLessThan(500);
    expect(made.series).toBe(3);
    expect(made.cancelled).toBeGreaterThan(5);
    const stats = new StatisticsService({ reader: new PgStatisticsRepository(t.database.db), clock: { now: () => NOW }, timeZone: 'Europe/Rome' });
    const admin = { actor: { userId: '00000000-0000-4000-8000-000000000000', role: 'admin' as const, institutionId: null } } as Parameters<StatisticsService['summary']>[0];
    const summary = await stats.summary(admin, {});
    expect(summary.held).toBeGreaterThan(150);
    expect(summary.noShows).toBeGreaterThan(0);
    expect(summary.peak!.total).toBeGreaterThan(150);
    expect(summary.peak!.total).toBeLessThan(200);
    expect(summary.peak!.phone).toBeGreaterThan(0);
    expect(summary.seriesShare).toBeGreaterThan(0.1);
    expect(summary.cancellations.count).toBe(made.cancelled);
    expect((await stats.grouped(admin, {}, 'institution')).items).toHaveLength(6);
    // Never two meetings in one room at once: the database's own rule held for every row.
    const overlaps = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bookings a JOIN bookings b ON a.room_id = b.room_id AND a.id < b.id
      AND a.status = 'confirmed' AND b.status = 'confirmed' AND a.during && b.during`.execute(t.database.db);
    expect(overlaps.rows[0]!.n).toBe(0);
    // Each booking has its history, as the portal writes it: booked by its booker when it was made,
    // then, for the cancelled ones, cancelled; the log's order (by id) is the events' order.
    const history = await sql<{ action: string; n: number }>`SELECT action, count(*)::int AS n FROM audit_log WHERE entity = 'booking' GROUP BY action ORDER BY action`.execute(t.database.db);
    expect(history.rows).toEqual([
      { action: 'booking.cancelled', n: made.cancelled },
      { action: 'booking.created', n: made.meetings + made.cancelled },
    ]);
    const firsts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bookings b
      JOIN LATERAL (SELECT * FROM audit_log a WHERE a.entity = 'booking' AND a.entity_id = b.id::text ORDER BY a.id LIMIT 1) a ON true
      WHERE a.action = 'booking.created' AND a.actor_id = b.booker_id AND a.at = b.created_at AND (a.after ->> 'start')::timestamptz = lower(b.during)`.execute(t.database.db);
    expect(firsts.rows[0]!.n).toBe(made.meetings + made.cancelled);
    const ordered = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT at < lag(at) OVER (ORDER BY id) AS back FROM audit_log) x WHERE back`.execute(t.database.db);
    expect(ordered.rows[0]!.n).toBe(0);
  });

  it('books the coming weeks as far as people have by now, so the calendar opens on meetings', async () => {
    const coming = await sql<{ day: string; n: number; series: number }>`SELECT to_char(lower(during) AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD') AS day,
        count(*)::int AS n, count(series_id)::int AS series
      FROM bookings WHERE status = 'confirmed' AND lower(during) >= ${NOW} GROUP BY 1 ORDER BY 1`.execute(t.database.db);
    const total = coming.rows.reduce((n, r) => n + r.n, 0);
    expect(total).toBeGreaterThan(10);
    // The week after the demo's day (NOW is a Friday) has meetings, and the research group's series runs on into it.
    const nextWeek = coming.rows.filter((r) => r.day >= '2026-11-23' && r.day <= '2026-11-27');
    expect(nextWeek.reduce((n, r) => n + r.n, 0)).toBeGreaterThanOrEqual(3);
    expect(coming.rows.some((r) => r.series > 0 && r.day >= '2026-11-23')).toBe(true);
    // Fewer the further ahead, none past the four weeks nor in the Christmas break.
    const firstHalf = coming.rows.filter((r) => r.day < '2026-12-04').reduce((n, r) => n + r.n, 0);
    expect(firstHalf).toBeGreaterThan(total - firstHalf);
    expect(coming.rows.every((r) => r.day <= '2026-12-18')).toBe(true);
    // What had happened by now, and nothing after it: each booked before now, no cancellation
    // after now, no usage sample at or after now, no history entry from the future.
    const future = await sql<{ made: number; cancelled: number; samples: number; audit: number }>`SELECT
        (SELECT count(*)::int FROM bookings WHERE created_at > ${NOW}) AS made,
        (SELECT count(*)::int FROM bookings WHERE cancelled_at > ${NOW}) AS cancelled,
        (SELECT count(*)::int FROM usage_samples WHERE at >= ${NOW}) AS samples,
        (SELECT count(*)::int FROM audit_log WHERE at > ${NOW}) AS audit`.execute(t.database.db);
    expect(future.rows[0]).toEqual({ made: 0, cancelled: 0, samples: 0, audit: 0 });
  });

  it('writes each series as the portal does: a rule with an end whose dates, less its EXDATEs, are its meetings', async () => {
    const series = await sql<{ id: string; rrule: string; first_start: Date; exdates: Date[]; time_zone: string }>`SELECT id, rrule, first_start, exdates, time_zone FROM booking_series`.execute(
      t.database.db,
    );
    expect(series.rows).toHaveLength(3);
    for (const s of series.rows) {
      expect(s.rrule).toMatch(/;UNTIL=\d{8}T\d{6}Z$/);
      const skipped = new Set(s.exdates.map((d) => new Date(d).getTime()));
      const dates = expandRecurrence({ rule: parseRecurrence(s.rrule), start: new Date(s.first_start), zone: s.time_zone, notAfter: new Date('2027-12-31T00:00:00Z') })
        .filter((d) => !skipped.has(d.getTime()))
        .map((d) => d.toISOString());
      const held = await sql<{ start: Date }>`SELECT lower(during) AS start FROM bookings WHERE series_id = ${s.id} AND status = 'confirmed' ORDER BY 1`.execute(t.database.db);
      expect(dates).toEqual(held.rows.map((r) => new Date(r.start).toISOString()));
    }
  });

  it('refuses a database that holds bookings, and changes nothing', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(t.database.db);
    await expect(fillDemo(t.database.db, { now: NOW, timeZone: 'Europe/Rome' })).rejects.toThrow(DemoRefused);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM users`.execute(t.database.db)).rows[0]!.n).toBe(before.rows[0]!.n);
  });
});

describe('webmeetings demo', () => {
  it('writes the year and says how to see it; a second run refuses with a message', async () => {
    // The embedded database by default; a fresh PostgreSQL database in the PostgreSQL run.
    const pg = onPostgres ? await openTestDatabase({ migrate: false }) : null;
    const env = pg ? { DATABASE_URL: pg.url!, LOG_LEVEL: 'silent' } : { DATA_DIR: join(tempDir('demo'), 'data'), LOG_LEVEL: 'silent' };
    const first = await runCli(['demo'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Demo year written to the (embedded database in .*|PostgreSQL database): \d+ meetings \(3 weekly series, \d+ cancelled; \d+ of them in the coming 28 days\), 6 institutions, 48 people/);
    expect(first.stdout).toContain('create-admin');
    const second = await runCli(['demo'], { env });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/holds \d+ bookings: the demo fills only an empty one/);
    await pg?.drop();
  }, 180_000);
});
