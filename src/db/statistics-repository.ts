// Usage statistics (issue #15), computed by SQL from the bookings and the minute samples of the
// meetings (usage_samples): what was booked, what happened, and how the seat pool was used. Every
// figure is one statement over a bounded period (the service caps it); JavaScript only renames.
//
// Definitions, the same in every figure:
// - a meeting is a confirmed booking that started in the period (and has started by now);
// - held: someone was in it (a sample with people, or the portal saw someone join);
// - no-show: ended, not held, and its service could count (a Jitsi meeting on the public servers,
//   which cannot count, is neither held nor a no-show unless someone dialled in: "unknown");
// - people: web + phone at the same minute; a meeting's people is its peak;
// - seat-hours booked: seats × hours; people-hours present: people summed over the minutes / 60.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './database.ts';
import type { Grouped, HeatCell, MeetingFigures, PoolBucket, StatisticsReader, StatisticsScope, Summary } from '../app/statistics.ts';

type Row = Record<string, string | number | null>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const opt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function figures(r: Row): MeetingFigures {
  return {
    meetings: num(r.meetings),
    held: num(r.held),
    noShows: num(r.no_shows),
    unknown: num(r.unknown),
    bookedHours: round(num(r.booked_hours)),
    heldHours: round(num(r.held_hours)),
    avgPeople: r.avg_people === null ? null : round(num(r.avg_people), 1),
    avgWeb: r.avg_web === null ? null : round(num(r.avg_web), 1),
    avgPhone: r.avg_phone === null ? null : round(num(r.avg_phone), 1),
    maxPeople: num(r.max_people),
    seatHours: round(num(r.seat_hours)),
    peopleHours: round(num(r.people_hours)),
  };
}

export class PgStatisticsRepository implements StatisticsReader {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** The meetings of the scope with what happened in each (see the definitions above). */
  private meetings(s: StatisticsScope): RawBuilder<unknown> {
    return sql`
      scope AS (
        SELECT b.id, b.room_id, b.institution_id, b.seats, b.series_id, b.created_at,
               lower(b.during) AS start_at, upper(b.during) AS end_at,
               extract(epoch FROM upper(b.during) - lower(b.during)) / 3600.0 AS hours
          FROM bookings b
         WHERE b.status = 'confirmed' AND lower(b.during) >= ${s.from} AND lower(b.during) < ${s.to} AND lower(b.during) < ${s.now}
           AND (${s.institutionId}::uuid IS NULL OR b.institution_id = ${s.institutionId}::uuid)
      ),
      presence AS (
        SELECT u.booking_id, max(coalesce(u.web, 0) + u.phone) AS peak, max(coalesce(u.web, 0)) AS peak_web, max(u.phone) AS peak_phone,
               sum(coalesce(u.web, 0) + u.phone) / 60.0 AS people_hours, bool_or(u.web IS NOT NULL) AS counted
          FROM usage_samples u JOIN scope sc ON sc.id = u.booking_id
         GROUP BY u.booking_id
      ),
      meetings AS (
        SELECT sc.*, coalesce(p.peak, 0) AS peak, coalesce(p.peak_web, 0) AS peak_web, coalesce(p.peak_phone, 0) AS peak_phone,
               coalesce(p.people_hours, 0) AS people_hours,
               (coalesce(p.peak, 0) > 0 OR pm.first_joined_at IS NOT NULL) AS held,
               (sc.end_at <= ${s.now} AND coalesce(p.peak, 0) = 0 AND pm.first_joined_at IS NULL AND coalesce(p.counted, false)) AS no_show
          FROM scope sc
          LEFT JOIN presence p ON p.booking_id = sc.id
          LEFT JOIN provider_meetings pm ON pm.booking_id = sc.id
      )`;
  }

  async summary(s: StatisticsScope): Promise<Summary> {
    const [main, peak, cancelled] = await Promise.all([
      sql<Row>`WITH ${this.meetings(s)}
        SELECT
          count(*)::int AS meetings,
          count(*) FILTER (WHERE held)::int AS held,
          count(*) FILTER (WHERE no_show)::int AS no_shows,
          count(*) FILTER (WHERE NOT held AND NOT no_show)::int AS unknown,
          coalesce(sum(hours), 0)::float8 AS booked_hours,
          coalesce(sum(hours) FILTER (WHERE held), 0)::float8 AS held_hours,
          avg(peak) FILTER (WHERE held)::float8 AS avg_people,
          avg(peak_web) FILTER (WHERE held)::float8 AS avg_web,
          avg(peak_phone) FILTER (WHERE held)::float8 AS avg_phone,
          coalesce(max(peak), 0)::int AS max_people,
          coalesce(sum(seats * hours), 0)::float8 AS seat_hours,
          coalesce(sum(people_hours), 0)::float8 AS people_hours,
          avg((series_id IS NOT NULL)::int)::float8 AS series_share,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM start_at - created_at) / 86400.0)::float8 AS median_lead_days,
          count(*) FILTER (WHERE (start_at AT TIME ZONE ${s.timeZone})::date = (created_at AT TIME ZONE ${s.timeZone})::date)::int AS lead_same_day,
          count(*) FILTER (WHERE (start_at AT TIME ZONE ${s.timeZone})::date <> (created_at AT TIME ZONE ${s.timeZone})::date AND start_at - created_at <= interval '7 days')::int AS lead_week,
          count(*) FILTER (WHERE start_at - created_at > interval '7 days' AND start_at - created_at <= interval '30 days')::int AS lead_month,
          count(*) FILTER (WHERE start_at - created_at > interval '30 days')::int AS lead_later
        FROM meetings`.execute(this.db),
      // The minute with the most people in all meetings of the scope together.
      sql<Row>`WITH ${this.meetings(s)}
        SELECT u.at, sum(coalesce(u.web, 0))::int AS web, sum(u.phone)::int AS phone, sum(coalesce(u.web, 0) + u.phone)::int AS total
          FROM usage_samples u JOIN scope sc ON sc.id = u.booking_id
         GROUP BY u.at ORDER BY total DESC, u.at LIMIT 1`.execute(this.db),
      sql<Row>`
        WITH c AS (
          SELECT extract(epoch FROM lower(b.during) - b.cancelled_at) / 3600.0 AS hours_before
            FROM bookings b
           WHERE b.status = 'cancelled' AND b.cancelled_at IS NOT NULL AND lower(b.during) >= ${s.from} AND lower(b.during) < ${s.to}
             AND (${s.institutionId}::uuid IS NULL OR b.institution_id = ${s.institutionId}::uuid)
        )
        SELECT count(*)::int AS count,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY hours_before)::float8 AS median_hours_before,
               count(*) FILTER (WHERE hours_before <= 0)::int AS after_start,
               count(*) FILTER (WHERE hours_before > 0 AND hours_before <= 1)::int AS last_hour,
               count(*) FILTER (WHERE hours_before > 1 AND hours_before <= 24)::int AS last_day,
               count(*) FILTER (WHERE hours_before > 24 AND hours_before <= 168)::int AS last_week,
               count(*) FILTER (WHERE hours_before > 168)::int AS earlier
          FROM c`.execute(this.db),
    ]);
    const r = main.rows[0]!;
    const p = peak.rows[0];
    const c = cancelled.rows[0]!;
    return {
      ...figures(r),
      peak: p ? { at: new Date(p.at as unknown as string).toISOString(), web: num(p.web), phone: num(p.phone), total: num(p.total) } : null,
      seriesShare: r.series_share === null ? null : round(num(r.series_share), 3),
      medianLeadDays: r.median_lead_days === null ? null : round(num(r.median_lead_days), 1),
      leadTime: { sameDay: num(r.lead_same_day), withinWeek: num(r.lead_week), withinMonth: num(r.lead_month), later: num(r.lead_later) },
      cancellations: {
        count: num(c.count),
        medianHoursBefore: opt(c.median_hours_before) === null ? null : round(num(c.median_hours_before), 1),
        afterStart: num(c.after_start),
        lastHour: num(c.last_hour),
        lastDay: num(c.last_day),
        lastWeek: num(c.last_week),
        earlier: num(c.earlier),
      },
    };
  }

  /** The same figures per room, per institution or per calendar month (in the scope's zone). */
  async grouped(s: StatisticsScope, by: 'room' | 'institution' | 'month'): Promise<Grouped[]> {
    const key =
      by === 'room'
        ? sql`m.room_id::text`
        : by === 'institution'
          ? sql`coalesce(m.institution_id::text, '')`
          : sql`to_char(m.start_at AT TIME ZONE ${s.timeZone}, 'YYYY-MM')`;
    const label = by === 'room' ? sql`max(r.name)` : by === 'institution' ? sql`coalesce(max(i.name), '')` : sql`to_char(min(m.start_at) AT TIME ZONE ${s.timeZone}, 'YYYY-MM')`;
    const { rows } = await sql<Row>`WITH ${this.meetings(s)}
      SELECT ${key} AS key, ${label} AS label,
        count(*)::int AS meetings,
        count(*) FILTER (WHERE m.held)::int AS held,
        count(*) FILTER (WHERE m.no_show)::int AS no_shows,
        count(*) FILTER (WHERE NOT m.held AND NOT m.no_show)::int AS unknown,
        coalesce(sum(m.hours), 0)::float8 AS booked_hours,
        coalesce(sum(m.hours) FILTER (WHERE m.held), 0)::float8 AS held_hours,
        avg(m.peak) FILTER (WHERE m.held)::float8 AS avg_people,
        avg(m.peak_web) FILTER (WHERE m.held)::float8 AS avg_web,
        avg(m.peak_phone) FILTER (WHERE m.held)::float8 AS avg_phone,
        coalesce(max(m.peak), 0)::int AS max_people,
        coalesce(sum(m.seats * m.hours), 0)::float8 AS seat_hours,
        coalesce(sum(m.people_hours), 0)::float8 AS people_hours
      FROM meetings m
      LEFT JOIN rooms r ON r.id = m.room_id
      LEFT JOIN institutions i ON i.id = m.institution_id
      GROUP BY 1 ORDER BY ${by === 'month' ? sql`1` : sql`booked_hours DESC, 2`}`.execute(this.db);
    return rows.map((r) => ({ key: String(r.key), label: String(r.label ?? ''), ...figures(r) }));
  }

  /**
   * The seat pool over time, per day or hour of the scope's zone: the seats booked and the people
   * present on average over the bucket, and the most people at one minute in it.
   *
   * A bucket is a day or an hour of the zone's wall clock: every instant that reads it. A 15-minute
   * grid over the period finds where each starts (every zone's offset is a multiple of 15 minutes),
   * so the hour skipped in spring has no bucket (it had one of no length: a division by zero) and the
   * hour repeated in autumn is one bucket of two hours. Each minute and each meeting finds its
   * buckets by a binary search of their starts (width_bucket), not by a scan of the period's minutes
   * per bucket: that took 8.6 s for the demo year's 365 days on PGlite, holding the event loop.
   */
  async pool(s: StatisticsScope, bucket: 'day' | 'hour'): Promise<PoolBucket[]> {
    const { rows } = await sql<Row>`WITH ${this.meetings(s)},
      grid AS (
        SELECT date_trunc(${bucket}, i AT TIME ZONE ${s.timeZone}) AS local_start, min(i) AS start_at
          FROM generate_series(${s.from}::timestamptz, ${s.to}::timestamptz - interval '15 minutes', interval '15 minutes') i
         GROUP BY 1
      ),
      buckets AS (
        SELECT (row_number() OVER (ORDER BY start_at))::int AS n, local_start, start_at,
               coalesce(lead(start_at) OVER (ORDER BY start_at), ${s.to}::timestamptz) AS end_at
          FROM grid
      ),
      bounds AS (SELECT array_agg(start_at ORDER BY n) AS starts FROM buckets),
      minutes AS (
        SELECT u.at, sum(coalesce(u.web, 0) + u.phone) AS people FROM usage_samples u JOIN scope sc ON sc.id = u.booking_id
         WHERE u.at >= ${s.from} AND u.at < ${s.to} GROUP BY u.at
      ),
      present AS (
        SELECT width_bucket(mi.at, bo.starts) AS n, sum(mi.people) AS people, max(mi.people) AS peak
          FROM minutes mi CROSS JOIN bounds bo GROUP BY 1
      ),
      booked AS (
        SELECT bk.n, sum(m.seats * extract(epoch FROM least(m.end_at, bk.end_at) - greatest(m.start_at, bk.start_at))) AS seat_seconds
          FROM meetings m CROSS JOIN bounds bo
          CROSS JOIN LATERAL generate_series(width_bucket(greatest(m.start_at, ${s.from}::timestamptz), bo.starts),
                                             width_bucket(least(m.end_at, ${s.to}::timestamptz) - interval '1 microsecond', bo.starts)) k
          JOIN buckets bk ON bk.n = k
         WHERE m.start_at < ${s.to} AND m.end_at > ${s.from}
         GROUP BY bk.n
      )
      SELECT to_char(bk.local_start, 'YYYY-MM-DD"T"HH24:MI') AS start,
        coalesce(b.seat_seconds, 0)::float8 / extract(epoch FROM bk.end_at - bk.start_at) AS booked_seats,
        coalesce(p.people, 0)::float8 / (extract(epoch FROM bk.end_at - bk.start_at) / 60.0) AS present_people,
        coalesce(p.peak, 0)::int AS peak_people
      FROM buckets bk LEFT JOIN booked b ON b.n = bk.n LEFT JOIN present p ON p.n = bk.n
      ORDER BY bk.n`.execute(this.db);
    return rows.map((r) => ({ start: String(r.start), bookedSeats: round(num(r.booked_seats), 1), presentPeople: round(num(r.present_people), 1), peakPeople: num(r.peak_people) }));
  }

  /**
   * Booked hours per weekday (1 Monday … 7 Sunday) and hour of the scope's zone, and the share of
   * the rooms' time that is (rooms active now × the times that weekday-hour occurs in the period).
   */
  async heatmap(s: StatisticsScope): Promise<HeatCell[]> {
    const { rows } = await sql<Row>`WITH ${this.meetings(s)},
      booked AS (
        SELECT extract(isodow FROM h)::int AS weekday, extract(hour FROM h)::int AS hour,
               sum(extract(epoch FROM least(m.end_at, (h + interval '1 hour') AT TIME ZONE ${s.timeZone}) - greatest(m.start_at, h AT TIME ZONE ${s.timeZone})) / 3600.0) AS hours
          FROM meetings m,
               generate_series(date_trunc('hour', m.start_at AT TIME ZONE ${s.timeZone}), (m.end_at AT TIME ZONE ${s.timeZone}) - interval '1 second', interval '1 hour') h
         GROUP BY 1, 2
      ),
      slots AS (
        SELECT extract(isodow FROM h)::int AS weekday, extract(hour FROM h)::int AS hour, count(*) AS n
          FROM generate_series((${s.from}::timestamptz AT TIME ZONE ${s.timeZone}), (${s.to}::timestamptz AT TIME ZONE ${s.timeZone}) - interval '1 second', interval '1 hour') h
         GROUP BY 1, 2
      ),
      rooms_now AS (SELECT greatest(count(*), 1) AS n FROM rooms WHERE active)
      SELECT sl.weekday, sl.hour, coalesce(b.hours, 0)::float8 AS booked_hours,
             (coalesce(b.hours, 0) / (sl.n * (SELECT n FROM rooms_now)))::float8 AS utilisation
        FROM slots sl LEFT JOIN booked b USING (weekday, hour)
       ORDER BY sl.weekday, sl.hour`.execute(this.db);
    return rows.map((r) => ({ weekday: num(r.weekday), hour: num(r.hour), bookedHours: round(num(r.booked_hours)), utilisation: round(num(r.utilisation), 3) }));
  }
}
