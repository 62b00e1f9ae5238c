// Fills the bookings table for the calendar benchmark in one INSERT … SELECT generate_series (two,
// one per core, on PostgreSQL): bookings of every room, back to back, spread evenly from years ago
// to years ahead. Each room's bookings sit in their own interval slot, so the exclusion constraint
// holds and is checked on every row, as it would be for real bookings.
import type { Database } from '../src/db/database.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type FilledCalendar = { bookings: number; rooms: number; from: Date; to: Date; perRoomPerWeek: number; seconds: number };

// g numbers the bookings; room g % rooms, position g / rooms on that room's timeline. Starts vary
// by 0–10 min, durations 30–90 min, every 20th booking is cancelled (kept, but outside the
// constraint and the partial calendar index), seats 1–20.
const FILL = `
INSERT INTO bookings (room_id, title, during, occupied, seats, booker_id, status, cancelled_at)
SELECT rooms[1 + g % cardinality(rooms)], 'Bench meeting ' || g,
       tstzrange(s, s + d, '[)'), tstzrange(s, s + d + make_interval(mins => $5), '[)'),
       1 + g % 20, $2,
       CASE WHEN g % 20 = 0 THEN 'cancelled' ELSE 'confirmed' END,
       CASE WHEN g % 20 = 0 THEN s - interval '1 day' END
FROM (SELECT array_agg(id ORDER BY name) AS rooms FROM rooms) r,
     generate_series($3::int, $4::int, $6::int) AS g,
     LATERAL (SELECT $1::timestamptz + (g / cardinality(rooms)) * make_interval(mins => $7) + (g % 3) * interval '5 minutes' AS s,
                     (30 + (g % 13) * 5) * interval '1 minute' AS d) t`;

export async function fillCalendar(
  database: Database,
  o: { bookings: number; bookerId: string; turnaroundMinutes: number; now: Date },
): Promise<FilledCalendar> {
  const { rows } = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rooms');
  const rooms = rows[0]!.n;
  // The longest booking (10 min late start + 90 min + turnaround) must end before the next one.
  const spacingMinutes = Math.ceil((100 + o.turnaroundMinutes) / 60) * 60;
  const span = Math.ceil(o.bookings / rooms) * spacingMinutes * MINUTE;
  const from = new Date(Math.floor((o.now.getTime() - span / 2) / HOUR) * HOUR);
  const t0 = performance.now();
  // PGlite has one session: one statement. PostgreSQL: one per core, interleaved rows.
  const parts = database.kind === 'postgres' ? 2 : 1;
  // A bulk load, not a request: the pool's statement_timeout (DATABASE_STATEMENT_TIMEOUT_SECONDS,
  // 20 s) would cancel it at 1,000,000 rows, so each part runs on its own connection without one.
  const untimed = async (text: string, values: unknown[] = []) => {
    const c = await database.pool.connect();
    try {
      await c.query('SET statement_timeout = 0');
      await c.query(text, values);
    } finally {
      await c.query('RESET statement_timeout').catch(() => {});
      c.release();
    }
  };
  await Promise.all(Array.from({ length: parts }, (_, i) => untimed(FILL, [from, o.bookerId, i, o.bookings - 1, o.turnaroundMinutes, parts, spacingMinutes])));
  const seconds = (performance.now() - t0) / 1000;
  await untimed('VACUUM ANALYZE bookings');
  return {
    bookings: o.bookings,
    rooms,
    from,
    to: new Date(from.getTime() + span),
    perRoomPerWeek: (7 * 24 * 60) / spacingMinutes,
    seconds,
  };
}
