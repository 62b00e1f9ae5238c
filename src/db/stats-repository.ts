// Usage figures for `webmeetings export-stats`: confirmed meetings per calendar month (in the
// portal's default zone), room and institution.
import { sql } from 'kysely';
import type { Db } from './database.ts';

export type UsageRow = { month: string; room: string; institution: string; meetings: number; hours: number; seatHours: number };

export async function monthlyUsage(db: Db, range: { from: Date; to: Date; timeZone: string }): Promise<UsageRow[]> {
  const { rows } = await sql<{ month: string; room: string; institution: string; meetings: string; hours: string; seat_hours: string }>`
    SELECT to_char(lower(b.during) AT TIME ZONE ${range.timeZone}, 'YYYY-MM') AS month,
           r.name AS room, coalesce(i.name, '') AS institution, count(*) AS meetings,
           round(sum(extract(epoch FROM upper(b.during) - lower(b.during)) / 3600)::numeric, 2)::text AS hours,
           round(sum(b.seats * extract(epoch FROM upper(b.during) - lower(b.during)) / 3600)::numeric, 2)::text AS seat_hours
    FROM bookings b
    JOIN rooms r ON r.id = b.room_id
    LEFT JOIN institutions i ON i.id = b.institution_id
    WHERE b.status = 'confirmed' AND lower(b.during) >= ${range.from} AND lower(b.during) < ${range.to}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`.execute(db);
  return rows.map((r) => ({ month: r.month, room: r.room, institution: r.institution, meetings: Number(r.meetings), hours: Number(r.hours), seatHours: Number(r.seat_hours) }));
}
