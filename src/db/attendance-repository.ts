// Attendance rows (migration 016): written when someone enters through the portal's join pages and
// once a minute while the service (or the phone conference) still holds them. All arithmetic on the
// intervals is done by the statements, so a repeated minute adds nothing.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { isoInstant } from '../domain/time.ts';
import type { AttendanceRow, AttendanceStore, Attendee, Entry } from '../app/attendance.ts';

const BATCH = 5_000;
// The account of an attendee by its id, if it is one: by the primary key (an id compared as text
// read every user for every row), and a listed id that is no UUID (a service's own) matches none.
const userOf = sql`(SELECT id FROM users WHERE id = CASE WHEN u ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN u::uuid END)`;
/** A person listed again within this many seconds of their last sighting was there all along. */
const CONTINUOUS_SECONDS = 120;

export class PgAttendanceRepository implements AttendanceStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /**
   * Each entered at `at`: their row exists from then; no time is added until they are seen. One
   * person twice in a batch is one row (the earliest and latest entry): a statement's ON CONFLICT
   * may touch a row once only.
   */
  async entered(entries: readonly Entry[]): Promise<void> {
    const rows = new Map<string, { e: Entry; first: number; last: number }>();
    for (const e of entries) {
      const k = `${e.bookingId} ${e.who.key}`;
      const t = e.at.getTime();
      const r = rows.get(k);
      if (!r) rows.set(k, { e, first: t, last: t });
      else [r.first, r.last] = [Math.min(r.first, t), Math.max(r.last, t)];
    }
    if (rows.size === 0) return;
    const list = [...rows.values()];
    const iso = (t: number) => isoInstant(new Date(t));
    await sql`INSERT INTO attendance (booking_id, who_key, kind, display, user_id, first_seen, last_seen)
        SELECT b::uuid, k, kd, d, ${userOf}, f, l
          FROM unnest(${list.map((r) => r.e.bookingId)}::text[], ${list.map((r) => r.e.who.key)}::text[], ${list.map((r) => r.e.who.kind)}::text[],
                      ${list.map((r) => r.e.who.display)}::text[], ${list.map((r) => r.e.who.userId ?? '')}::text[],
                      ${list.map((r) => iso(r.first))}::timestamptz[], ${list.map((r) => iso(r.last))}::timestamptz[]) AS x (b, k, kd, d, u, f, l)
        ON CONFLICT (booking_id, who_key) DO UPDATE SET
          first_seen = least(attendance.first_seen, excluded.first_seen),
          last_seen = greatest(attendance.last_seen, excluded.last_seen)`.execute(this.db);
  }

  /**
   * The people the service lists in a meeting at the minute `at`. Time since the last sighting is
   * added when it is at most two minutes (one missed sample); after a longer gap the person had
   * left, and their time starts again from this sighting.
   */
  async seen(bookingId: string, at: Date, people: Attendee[]): Promise<void> {
    if (people.length === 0) return;
    const t = at.toISOString();
    await sql`INSERT INTO attendance (booking_id, who_key, kind, display, user_id, first_seen, last_seen)
        SELECT ${bookingId}::uuid, k, kd, d, ${userOf}, ${t}::timestamptz, ${t}::timestamptz
          FROM unnest(${people.map((p) => p.key)}::text[], ${people.map((p) => p.kind)}::text[], ${people.map((p) => p.display)}::text[], ${people.map((p) => p.userId ?? '')}::text[]) AS x (k, kd, d, u)
        ON CONFLICT (booking_id, who_key) DO UPDATE SET
          total_seconds = attendance.total_seconds + CASE
            WHEN excluded.last_seen > attendance.last_seen AND excluded.last_seen - attendance.last_seen <= make_interval(secs => ${CONTINUOUS_SECONDS})
            THEN extract(epoch FROM excluded.last_seen - attendance.last_seen)::int ELSE 0 END,
          last_seen = greatest(attendance.last_seen, excluded.last_seen)`.execute(this.db);
  }

  /**
   * The phone callers of these meetings at `at`, from the conference's own rows: a channel is one
   * call, present without a break from its joined_at, so its time is exact to the minute sample.
   * The number was masked before it was stored (domain/dial-in.ts maskCaller).
   */
  async seenOnPhone(bookingIds: string[], at: Date): Promise<void> {
    if (bookingIds.length === 0) return;
    const t = at.toISOString();
    await sql`INSERT INTO attendance (booking_id, who_key, kind, display, first_seen, last_seen, total_seconds)
        SELECT p.booking_id, 'phone:' || p.channel_id, 'phone', p.caller, least(p.joined_at, ${t}::timestamptz), ${t}::timestamptz,
               greatest(0, extract(epoch FROM ${t}::timestamptz - p.joined_at))::int
          FROM phone_participants p WHERE p.booking_id = ANY (${bookingIds}::uuid[]) AND p.role <> 'room'
        ON CONFLICT (booking_id, who_key) DO UPDATE SET
          last_seen = greatest(attendance.last_seen, excluded.last_seen),
          total_seconds = greatest(attendance.total_seconds, excluded.total_seconds)`.execute(this.db);
  }

  async report(bookingId: string): Promise<AttendanceRow[]> {
    const { rows } = await sql<{ who_key: string; kind: AttendanceRow['kind']; display: string; user_id: string | null; first_seen: Date; last_seen: Date; total_seconds: number }>`
      SELECT who_key, kind, display, user_id, first_seen, last_seen, total_seconds FROM attendance
       WHERE booking_id = ${bookingId} ORDER BY first_seen, display, who_key`.execute(this.db);
    return rows.map((r) => ({ key: r.who_key, kind: r.kind, display: r.display, userId: r.user_id, firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen), totalSeconds: r.total_seconds }));
  }

  /** Rows whose meeting ended more than `months` ago (ATTENDANCE_RETENTION_MONTHS), a batch at a time. */
  async purge(months: number): Promise<number> {
    const r = await sql`DELETE FROM attendance WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM attendance WHERE last_seen < now() - make_interval(months => ${months}) LIMIT ${BATCH}))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }
}
