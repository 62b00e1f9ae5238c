// What the service is doing now (for /metrics) and the minute samples usage statistics are made of.
// Every figure is one SQL statement over indexed columns, so a scrape costs a few milliseconds
// however many bookings the database holds.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { OperationsSnapshot } from '../observability/metrics.ts';

const BATCH = 5_000;

export type RunningMeeting = { bookingId: string; phone: number };

export class PgUsageRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** The figures of the service gauges at `now` (the portal's clock; job ages by the database's). */
  async snapshot(now: Date, seatPool: number): Promise<OperationsSnapshot> {
    const at = now.toISOString();
    const [figures, jobs] = await Promise.all([
      sql<{ seats_in_use: number; meetings_running: number; peak_next_hour: number; web: number; phone: number }>`
        WITH running AS (
          SELECT id, seats FROM bookings WHERE status = 'confirmed' AND during @> ${at}::timestamptz
        ),
        -- The seats booked at any moment of the next hour peak at one of the meetings' starts.
        moments AS (
          SELECT ${at}::timestamptz AS at
          UNION
          SELECT lower(during) FROM bookings
           WHERE status = 'confirmed' AND lower(during) > ${at}::timestamptz AND lower(during) < ${at}::timestamptz + interval '1 hour'
        )
        SELECT
          (SELECT coalesce(sum(seats), 0)::int FROM running) AS seats_in_use,
          (SELECT count(*)::int FROM running) AS meetings_running,
          (SELECT coalesce(max(booked), 0)::int FROM (
             SELECT (SELECT coalesce(sum(b.seats), 0) FROM bookings b WHERE b.status = 'confirmed' AND b.during @> m.at) AS booked FROM moments m) p) AS peak_next_hour,
          -- A sample counts while it is recent: a meeting whose service stopped answering drops out.
          (SELECT coalesce(sum(s.web), 0)::int FROM running r
             JOIN LATERAL (SELECT web FROM usage_samples u WHERE u.booking_id = r.id AND u.at > ${at}::timestamptz - interval '3 minutes'
                           ORDER BY u.at DESC LIMIT 1) s ON true) AS web,
          (SELECT count(*)::int FROM phone_participants p JOIN running r ON r.id = p.booking_id WHERE p.role <> 'room') AS phone`.execute(this.db),
      sql<{ queue: string; state: string; count: number; oldest: number }>`
        SELECT name AS queue, state::text AS state, count(*)::int AS count,
               -- Waiting: how long past its start time (a reminder due tomorrow is not late); active: since it started.
               coalesce(extract(epoch FROM now() - min(CASE WHEN state = 'active' THEN started_on WHEN start_after <= now() THEN start_after END)), 0)::float8 AS oldest
          FROM pgboss.job WHERE state IN ('created', 'retry', 'active', 'failed') GROUP BY name, state ORDER BY name, state`
        .execute(this.db)
        .catch(() => ({ rows: [] as { queue: string; state: string; count: number; oldest: number }[] })),
    ]);
    const f = figures.rows[0]!;
    return {
      seatPool,
      seatsInUse: f.seats_in_use,
      seatsBookedNextHour: f.peak_next_hour,
      meetingsRunning: f.meetings_running,
      participants: { web: f.web, phone: f.phone },
      jobs: jobs.rows.map((j) => ({ queue: j.queue, state: j.state, count: j.count, oldestSeconds: Math.max(0, Math.round(j.oldest)) })),
    };
  }

  /** Meetings running at `now` whose room is prepared on its service, with their phone callers. */
  async running(now: Date, limit: number): Promise<RunningMeeting[]> {
    const { rows } = await sql<{ booking_id: string; phone: number }>`
      SELECT b.id AS booking_id,
             (SELECT count(*)::int FROM phone_participants p WHERE p.booking_id = b.id AND p.role <> 'room') AS phone
        FROM bookings b JOIN provider_meetings m ON m.booking_id = b.id AND m.state = 'ready'
       WHERE b.status = 'confirmed' AND b.during @> ${now.toISOString()}::timestamptz
       ORDER BY lower(b.during), b.id LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => ({ bookingId: r.booking_id, phone: r.phone }));
  }

  /** One row per meeting for the minute `at`; a second run for the same minute changes nothing. */
  async record(at: Date, samples: { bookingId: string; web: number | null; phone: number }[]): Promise<number> {
    if (samples.length === 0) return 0;
    const r = await sql`INSERT INTO usage_samples (booking_id, at, web, phone)
        SELECT b, ${at.toISOString()}::timestamptz, w, p
          FROM unnest(${samples.map((s) => s.bookingId)}::uuid[], ${samples.map((s) => s.web)}::int[], ${samples.map((s) => s.phone)}::int[]) AS t (b, w, p)
        ON CONFLICT (booking_id, at) DO NOTHING`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Samples older than `days` (the retention setting), a batch at a time. */
  async purge(days: number): Promise<number> {
    const r = await sql`DELETE FROM usage_samples WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM usage_samples WHERE at < now() - make_interval(days => ${days}) LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }
}
