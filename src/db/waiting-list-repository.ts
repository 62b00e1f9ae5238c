// Waiting entries and holds (migration 019). Plain SQL: the table is read here only.
import { sql } from 'kysely';
import type { Slot } from '../domain/booking-rules.ts';
import type { NewWaitingEntry, WaitingEntry, WaitingListRepository, WaitingState } from '../ports.ts';
import type { Executor } from './database.ts';

type Row = {
  id: string;
  position: string | number;
  user_id: string;
  institution_id: string | null;
  room_id: string | null;
  start: Date;
  end: Date;
  seats: number;
  title: string;
  description: string;
  state: WaitingState;
  held_room_id: string | null;
  hold_expires_at: Date | null;
  booking_id: string | null;
  created_at: Date;
};

const COLUMNS = sql.raw(`id, position, user_id, institution_id, room_id, lower(during) AS start, upper(during) AS "end", seats, title, description,
  state, held_room_id, hold_expires_at, booking_id, created_at`);
const range = (s: Slot) => sql`tstzrange(${s.start}, ${s.end}, '[)')`;

const toEntry = (r: Row): WaitingEntry => ({
  id: r.id,
  position: Number(r.position),
  userId: r.user_id,
  institutionId: r.institution_id,
  roomId: r.room_id,
  start: new Date(r.start),
  end: new Date(r.end),
  seats: r.seats,
  title: r.title,
  description: r.description,
  state: r.state,
  heldRoomId: r.held_room_id,
  holdExpiresAt: r.hold_expires_at && new Date(r.hold_expires_at),
  bookingId: r.booking_id,
  createdAt: new Date(r.created_at),
});

export class PgWaitingListRepository implements WaitingListRepository {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async join(e: NewWaitingEntry, most: number): Promise<WaitingEntry | null> {
    // The person's joins one at a time, so that the count below is exact (the caller's transaction).
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`waiting:${e.userId}`}, 0))`.execute(this.db);
    // ON CONFLICT without a target also covers the partial unique index of open entries.
    const { rows } = await sql<Row>`
      INSERT INTO waiting_entries (user_id, institution_id, room_id, during, seats, title, description)
      SELECT ${e.userId}, ${e.institutionId}, ${e.roomId}, ${range(e.slot)}, ${e.seats}, ${e.title}, ${e.description}
       WHERE (SELECT count(*) FROM waiting_entries WHERE user_id = ${e.userId} AND state IN ('waiting', 'held')) < ${most}
      ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`.execute(this.db);
    if (rows[0]) return toEntry(rows[0]);
    const open = await sql<Row>`SELECT ${COLUMNS} FROM waiting_entries
      WHERE user_id = ${e.userId} AND room_id IS NOT DISTINCT FROM ${e.roomId} AND during = ${range(e.slot)} AND state IN ('waiting', 'held')`.execute(this.db);
    return open.rows[0] ? toEntry(open.rows[0]) : null;
  }

  async findById(id: string, opts: { forUpdate?: boolean } = {}): Promise<WaitingEntry | null> {
    const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM waiting_entries WHERE id = ${id} ${opts.forUpdate ? sql`FOR UPDATE` : sql``}`.execute(this.db);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  async ofUser(userId: string, now: Date): Promise<WaitingEntry[]> {
    const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM waiting_entries
      WHERE user_id = ${userId} AND upper(during) > ${now} ORDER BY position LIMIT 200`.execute(this.db);
    return rows.map(toEntry);
  }

  async lockWaiting(r: Slot, now: Date): Promise<WaitingEntry[]> {
    const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM waiting_entries
      WHERE state = 'waiting' AND during && ${range(r)} AND lower(during) > ${now} ORDER BY position FOR UPDATE`.execute(this.db);
    return rows.map(toEntry);
  }

  async anyWaiting(r: Slot): Promise<boolean> {
    const { rows } = await sql`SELECT 1 FROM waiting_entries WHERE state = 'waiting' AND during && ${range(r)} LIMIT 1`.execute(this.db);
    return rows.length > 0;
  }

  async hold(id: string, roomId: string, occupied: Slot, expiresAt: Date): Promise<void> {
    await sql`UPDATE waiting_entries SET state = 'held', held_room_id = ${roomId}, held_occupied = ${range(occupied)}, hold_expires_at = ${expiresAt}, updated_at = now()
      WHERE id = ${id}`.execute(this.db);
  }

  async setState(id: string, state: 'booked' | 'expired' | 'withdrawn', bookingId?: string): Promise<void> {
    await sql`UPDATE waiting_entries SET state = ${state}, booking_id = coalesce(${bookingId ?? null}::uuid, booking_id), updated_at = now() WHERE id = ${id}`.execute(this.db);
  }

  async expireDueHolds(now: Date, limit: number): Promise<WaitingEntry[]> {
    // SKIP LOCKED: two instances sweeping at once take disjoint holds, so each expires once.
    const { rows } = await sql<Row>`
      WITH due AS (
        SELECT id FROM waiting_entries WHERE state = 'held' AND (hold_expires_at <= ${now} OR lower(during) <= ${now})
        ORDER BY position LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE waiting_entries w SET state = 'expired', updated_at = now() FROM due WHERE w.id = due.id
      RETURNING ${sql.raw(`w.id, w.position, w.user_id, w.institution_id, w.room_id, lower(w.during) AS start, upper(w.during) AS "end", w.seats, w.title,
        w.description, w.state, w.held_room_id, w.hold_expires_at, w.booking_id, w.created_at`)}`.execute(this.db);
    return rows.map(toEntry).sort((a, b) => a.position - b.position);
  }

  async expirePastWaiting(now: Date): Promise<number> {
    const res = await sql`UPDATE waiting_entries SET state = 'expired', updated_at = now() WHERE state = 'waiting' AND during && tstzrange(NULL, ${now}, '(]')`.execute(this.db);
    return Number(res.numAffectedRows ?? 0);
  }
}
