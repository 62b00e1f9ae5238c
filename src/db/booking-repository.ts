import { sql, type QueryCreator } from 'kysely';
import type { Actor } from '../domain/access.ts';
import type { Slot } from '../domain/booking-rules.ts';
import type { SeatUsage } from '../domain/seat-pool.ts';
import type { Booking, BookingChange, BookingFilter, BookingRepository, BookingStatus, BusyBooking, InvitedAs, NewBooking, RoomConflict, RoomOccupancy } from '../ports.ts';
import { sqlState, type Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';
import { BOOKING_CHANNEL } from '../ports.ts';

import { seriesDb, type SeriesDB } from './series-schema.ts';
import { PgSeriesRepository } from './series-repository.ts';
import { PgInviteeRepository } from './invitee-repository.ts';
import { containsPattern, searchWords } from './like.ts';

const range = (s: Slot) => sql<string>`tstzrange(${s.start}, ${s.end}, '[)')`;
/** Several ranges as one tstzmultirange (PostgreSQL 14+), so one indexed && finds what meets any of them. */
const anyOf = (slots: readonly Slot[], extraMinutes = 0) =>
  sql<string>`tstzmultirange(VARIADIC ${slots.map((s) => `[${s.start.toISOString()},${new Date(s.end.getTime() + extraMinutes * 60_000).toISOString()})`)}::tstzrange[])`;
const occupiedRange = (s: Slot, turnaroundMinutes: number) =>
  sql<string>`tstzrange(${s.start}, ${s.end}::timestamptz + make_interval(mins => ${turnaroundMinutes}), '[)')`;

// Advisory-lock key space for the seat pool: (class, hour since the epoch).
const SEAT_POOL_LOCK_CLASS = 7_310_002;
const HOUR_MS = 3_600_000;

/** The clock hours (since the epoch) that any of these slots touches, ascending. */
function seatPoolHours(slots: Slot | readonly Slot[]): number[] {
  const hours = new Set<number>();
  for (const slot of Array.isArray(slots) ? slots : [slots]) {
    const first = Math.floor(slot.start.getTime() / HOUR_MS);
    const last = Math.floor((slot.end.getTime() - 1) / HOUR_MS);
    for (let h = first; h <= last; h++) hours.add(h);
  }
  return [...hours].sort((a, b) => a - b);
}

/** What a booking is read as, after an insert (RETURNING through a CTE) as after a select. */
const BOOKING_COLUMNS = [
  'b.id',
  'b.room_id',
  'r.name as room_name',
  'r.time_zone',
  'b.title',
  'b.description',
  sql<Date>`lower(b.during)`.as('start'),
  sql<Date>`upper(b.during)`.as('end'),
  'b.seats',
  'b.booker_id',
  'u.name as booker_name',
  'b.booked_by',
  'bb.name as booked_by_name',
  'b.institution_id',
  'b.status',
  'b.series_id',
  'b.recurrence_id',
  'b.is_exception',
  'b.sequence',
  'b.created_at',
  'b.updated_at',
] as const;

export class PgBookingRepository implements BookingRepository {
  // Seen through the series columns of migration 004 (see series-schema.ts).
  private readonly db;
  readonly series: PgSeriesRepository;
  readonly invitees: PgInviteeRepository;
  private readonly notices: NoticeSink;
  constructor(db: Executor, notices: NoticeSink) {
    this.notices = notices;
    this.db = seriesDb(db);
    this.series = new PgSeriesRepository(db);
    this.invitees = new PgInviteeRepository(db, notices);
  }

  /**
   * The seat pool is a sum over all rooms, which no constraint can express. SERIALIZABLE would work
   * but, measured here, aborted most transactions under load with false conflicts (predicate locks
   * cover whole index pages) and still failed some after 10 retries. Instead each transaction takes
   * transaction-scoped advisory locks on every clock hour its meeting touches, in ascending order (no
   * deadlocks between bookers). Two meetings that overlap share at least one hour, so they queue, and
   * the second sums the seats after the first committed: exact, and bookings in other hours run in
   * parallel. The locks live in PostgreSQL, so they hold across any number of server instances.
   */
  async lockSeatPool(slots: Slot | readonly Slot[]): Promise<void> {
    const ordered = seatPoolHours(slots);
    await sql`SELECT pg_advisory_xact_lock(${SEAT_POOL_LOCK_CLASS}, h::int)
              FROM unnest(${ordered}::bigint[]) WITH ORDINALITY AS t(h, n) ORDER BY n`.execute(this.db);
  }

  async lockAndRead(slots: readonly Slot[], roomIds: readonly string[], turnaroundMinutes: number): Promise<{ usage: (SeatUsage & { holdId?: string })[]; occupancy: RoomOccupancy[] }> {
    if (slots.length === 0) return { usage: [], occupancy: [] };
    const { rows } = await sql<{ kind: 'seat' | 'room' | 'held-seat' | 'held-room'; room_id: string | null; start: Date; end: Date; occupied_until: Date | null; booking_id: string | null; booker_id: string | null; seats: number }>`
      SELECT * FROM wm_reserve_snapshot(${SEAT_POOL_LOCK_CLASS}, ${seatPoolHours(slots)}::bigint[], ${anyOf(slots)}, ${[...roomIds]}::uuid[], ${anyOf(slots, turnaroundMinutes)})`.execute(this.db);
    const usage: (SeatUsage & { holdId?: string })[] = [];
    const occupancy: RoomOccupancy[] = [];
    for (const r of rows) {
      if (r.kind === 'seat') usage.push({ start: r.start, end: r.end, seats: r.seats });
      // Waiting-list holds (migration 019), by entry id: they weigh on every booking but the one confirming them.
      else if (r.kind === 'held-seat') usage.push({ start: r.start, end: r.end, seats: r.seats, holdId: r.booking_id! });
      else if (r.kind === 'held-room') occupancy.push({ roomId: r.room_id!, start: r.start, end: r.end, occupiedUntil: r.occupied_until!, bookingId: null, bookerId: r.booker_id!, holdId: r.booking_id! });
      else occupancy.push({ roomId: r.room_id!, start: r.start, end: r.end, occupiedUntil: r.occupied_until!, bookingId: r.booking_id, bookerId: r.booker_id! });
    }
    return { usage, occupancy };
  }

  async seatUsageAny(slots: readonly Slot[]): Promise<SeatUsage[]> {
    if (slots.length === 0) return [];
    return this.db
      .selectFrom('bookings')
      .select([sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end'), 'seats'])
      .where('status', '=', 'confirmed')
      .where(sql<boolean>`during && ${anyOf(slots)}`)
      .execute();
  }

  async roomOccupancy(roomIds: readonly string[], slots: readonly Slot[], turnaroundMinutes: number): Promise<RoomOccupancy[]> {
    if (slots.length === 0 || roomIds.length === 0) return [];
    return this.db
      .selectFrom('bookings')
      .select(['room_id as roomId', sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end'), sql<Date>`upper(occupied)`.as('occupiedUntil'), 'id as bookingId', 'booker_id as bookerId'])
      .where('room_id', 'in', [...roomIds])
      .where('status', '=', 'confirmed')
      .where(sql<boolean>`occupied && ${anyOf(slots, turnaroundMinutes)}`)
      .orderBy(sql`lower(during)`)
      .execute();
  }

  async seatUsage(slot: Slot, excludeId?: string): Promise<SeatUsage[]> {
    const rows = await this.db
      .selectFrom('bookings')
      .select([sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end'), 'seats'])
      .where('status', '=', 'confirmed')
      .where(sql<boolean>`during && ${range(slot)}`)
      .$if(excludeId !== undefined, (q) => q.where('id', '<>', excludeId!))
      .execute();
    return [...rows, ...(await this.heldSeats(slot))];
  }

  /** Waiting-list holds weigh on the pool as bookings do (migration 019); read after lockSeatPool. */
  private async heldSeats(slot: Slot): Promise<SeatUsage[]> {
    const { rows } = await sql<SeatUsage>`SELECT lower(during) AS start, upper(during) AS "end", seats FROM waiting_entries
      WHERE state = 'held' AND during && ${range(slot)}`.execute(this.db);
    return rows;
  }

  async roomConflict(roomId: string, slot: Slot, turnaroundMinutes: number, excludeId?: string): Promise<RoomConflict | null> {
    const row = await this.db
      .selectFrom('bookings')
      .select(['id as bookingId', 'booker_id as bookerId', sql<Date>`lower(during)`.as('start'), sql<Date>`upper(during)`.as('end')])
      .where('room_id', '=', roomId)
      .where('status', '=', 'confirmed')
      .where(sql<boolean>`occupied && ${occupiedRange(slot, turnaroundMinutes)}`)
      .$if(excludeId !== undefined, (q) => q.where('id', '<>', excludeId!))
      .orderBy(sql`lower(during)`)
      .limit(1)
      .executeTakeFirst();
    if (row) return row;
    // A waiting-list hold occupies its room as a booking does (migration 019).
    const { rows } = await sql<RoomConflict>`SELECT NULL::uuid AS "bookingId", user_id AS "bookerId", lower(during) AS start, upper(during) AS "end"
      FROM waiting_entries WHERE held_room_id = ${roomId} AND state = 'held' AND held_occupied && ${occupiedRange(slot, turnaroundMinutes)}
      ORDER BY lower(during) LIMIT 1`.execute(this.db);
    return rows[0] ?? null;
  }

  /**
   * ON CONFLICT DO NOTHING (no target: allowed with exclusion constraints) turns a taken slot into
   * "0 rows" instead of an error. Measured here, plain INSERTs racing for one slot stalled on
   * deadlocks between exclusion checks; this form does not.
   */
  async insert(b: NewBooking): Promise<string | null> {
    return (await this.insertMany([b]))[0] ?? null;
  }

  async insertMany(bs: readonly NewBooking[]): Promise<(string | null)[]> {
    return (await this.insertManyBookings(bs)).map((b) => b?.id ?? null);
  }

  /**
   * Inserts and reads back in one statement (a data-modifying CTE joined to rooms and users): the
   * booking path used to send the INSERT and then a SELECT of the same rows, one more round trip
   * per booking while its transaction holds the seat-pool locks.
   */
  async insertManyBookings(bs: readonly NewBooking[]): Promise<(Booking | null)[]> {
    if (bs.length === 0) return [];
    const rows = await this.db
      .with('ins', (db) => this.insertQuery(db, bs))
      .selectFrom('ins as b')
      .innerJoin('rooms as r', 'r.id', 'b.room_id')
      .innerJoin('users as u', 'u.id', 'b.booker_id')
      .leftJoin('users as bb', 'bb.id', 'b.booked_by')
      .select(BOOKING_COLUMNS)
      .execute();
    // Rows come back for the inserted ones only; a room and a start name one row of the batch.
    const byKey = new Map(rows.map((r) => [`${r.room_id} ${new Date(r.start).getTime()}`, toBooking(r as BookingRow)]));
    return bs.map((b) => byKey.get(`${b.roomId} ${b.slot.start.getTime()}`) ?? null);
  }

  private insertQuery(db: QueryCreator<SeriesDB>, bs: readonly NewBooking[]) {
    return db
      .insertInto('bookings')
      .values(
        bs.map((b) => ({
          room_id: b.roomId,
          title: b.title,
          description: b.description,
          during: range(b.slot),
          occupied: occupiedRange(b.slot, b.turnaroundMinutes),
          seats: b.seats,
          booker_id: b.bookerId,
          booked_by: b.bookedById ?? null,
          institution_id: b.institutionId,
          series_id: b.seriesId ?? null,
          recurrence_id: b.recurrenceId ?? null,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returningAll();
  }

  async findByIds(ids: readonly string[]): Promise<Booking[]> {
    if (ids.length === 0) return [];
    const rows = await this.selectBookings().where('b.id', 'in', [...ids]).execute();
    const byId = new Map(rows.map((r) => [r.id, toBooking(r)]));
    return ids.map((id) => byId.get(id)!).filter(Boolean);
  }

  async update(id: string, change: BookingChange): Promise<'ok' | 'room-taken'> {
    const values: Record<string, unknown> = { updated_at: sql`now()`, sequence: sql`sequence + 1` };
    if (change.isException !== undefined) values.is_exception = change.isException;
    if (change.recurrenceId !== undefined) values.recurrence_id = change.recurrenceId;
    if (change.roomId !== undefined) values.room_id = change.roomId;
    if (change.title !== undefined) values.title = change.title;
    if (change.description !== undefined) values.description = change.description;
    if (change.seats !== undefined) values.seats = change.seats;
    if (change.slot !== undefined) {
      values.during = range(change.slot);
      values.occupied = occupiedRange(change.slot, change.turnaroundMinutes ?? 0);
    }
    try {
      // A savepoint keeps the surrounding transaction usable when the constraint refuses the change.
      await sql`SAVEPOINT booking_update`.execute(this.db);
      await this.db.updateTable('bookings').set(values).where('id', '=', id).execute();
      await sql`RELEASE SAVEPOINT booking_update`.execute(this.db);
      return 'ok';
    } catch (e) {
      if (sqlState(e) !== '23P01') throw e;
      await sql`ROLLBACK TO SAVEPOINT booking_update`.execute(this.db);
      return 'room-taken';
    }
  }

  async cancel(id: string): Promise<void> {
    await this.db
      .updateTable('bookings')
      .set({ status: 'cancelled', cancelled_at: sql`now()`, updated_at: sql`now()`, sequence: sql`sequence + 1` })
      .where('id', '=', id)
      .execute();
  }

  private selectBookings() {
    return this.db
      .selectFrom('bookings as b')
      .innerJoin('rooms as r', 'r.id', 'b.room_id')
      .innerJoin('users as u', 'u.id', 'b.booker_id')
      .leftJoin('users as bb', 'bb.id', 'b.booked_by')
      .select(BOOKING_COLUMNS);
  }

  async findById(id: string, opts: { forUpdate?: boolean } = {}): Promise<Booking | null> {
    if (opts.forUpdate) {
      // Lock the booking alone first: FOR UPDATE over the join would, after waiting for a concurrent
      // move, re-check the join against the old room row and drop the booking from the result.
      const locked = await this.db.selectFrom('bookings').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!locked) return null;
    }
    const row = await this.selectBookings().where('b.id', '=', id).executeTakeFirst();
    return row ? toBooking(row) : null;
  }

  async list(f: BookingFilter, actor: Actor): Promise<Booking[]> {
    let q = this.selectBookings();
    // Besides their own, a person sees the bookings they made for someone else (issue #17).
    if (actor.role === 'member') q = q.where((eb) => eb.or([eb('b.booker_id', '=', actor.userId), eb('b.booked_by', '=', actor.userId)]));
    else if (actor.role === 'institution-manager') {
      q = q.where((eb) =>
        eb.or([
          eb('b.booker_id', '=', actor.userId),
          eb('b.booked_by', '=', actor.userId),
          eb('b.institution_id', '=', actor.institutionId ?? '00000000-0000-0000-0000-000000000000'),
        ]),
      );
    }
    if (f.from) {
      // The second condition is implied by the first (no booking lasts over 7 days: domain/
      // booking-rules.ts LONGEST_BOOKING_MINUTES, which settings and approvals keep to) but bounds the index range scan, which otherwise walks the whole
      // history before `from` (measured: 184 ms at 1,000,000 rows, 1 ms with it).
      q = q.where(sql<boolean>`upper(b.during) > ${f.from}`).where(sql<boolean>`lower(b.during) > ${f.from}::timestamptz - interval '7 days'`);
    }
    if (f.to) q = q.where(sql<boolean>`lower(b.during) < ${f.to}`);
    if (f.roomId) q = q.where('b.room_id', '=', f.roomId);
    // A person's bookings: those they own and those they made for someone else (issue #17).
    if (f.bookerId) q = q.where((eb) => eb.or([eb('b.booker_id', '=', f.bookerId!), eb('b.booked_by', '=', f.bookerId!)]));
    if (f.status) q = q.where('b.status', '=', f.status);
    // Every word of the search in the title, in any order ("consiglio marzo" finds "Consiglio di corso, marzo").
    for (const word of searchWords(f.title ?? '')) q = q.where(sql<boolean>`lower(b.title) LIKE ${containsPattern(word)}`);
    // The cursor goes the way of the order: after it when the earliest come first, before it otherwise.
    const [past, order] = f.latestFirst ? [sql.raw('<'), sql.raw('DESC')] : [sql.raw('>'), sql.raw('ASC')];
    if (f.after) q = q.where(sql<boolean>`(lower(b.during), b.id) ${past} (${f.after.start}::timestamptz, ${f.after.id}::uuid)`);
    const rows = await q.orderBy(sql`lower(b.during) ${order}`).orderBy(sql`b.id ${order}`).limit(f.limit).execute();
    return rows.map(toBooking);
  }

  async invitedTo(email: string, userId: string, now: Date, limit: number): Promise<Array<Booking & InvitedAs>> {
    const address = email.toLowerCase();
    const rows = await this.selectBookings()
      // Invited as a co-host (to the meeting or its series): they enter as host.
      .select(
        sql<boolean>`EXISTS (SELECT 1 FROM booking_invitees i WHERE lower(i.email) = ${address} AND i.cohost AND (i.booking_id = b.id OR i.series_id = b.series_id))`.as('cohost'),
      )
      // Their answer: to this date's own invitation, else to its series'.
      .select(
        sql<string | null>`(SELECT i.reply FROM booking_invitees i WHERE lower(i.email) = ${address} AND (i.booking_id = b.id OR i.series_id = b.series_id) ORDER BY i.booking_id IS NULL LIMIT 1)`.as('reply'),
      )
      .where('b.status', '=', 'confirmed')
      .where(sql<boolean>`upper(b.during) > ${now}`)
      .where('b.booker_id', '<>', userId)
      .where((eb) => eb.or([eb('b.booked_by', 'is', null), eb('b.booked_by', '<>', userId)]))
      // The same match as joining's (db/provisioning-repository.ts): the address, case aside.
      .where((eb) =>
        eb.or([
          eb('b.id', 'in', eb.selectFrom('booking_invitees as i').select('i.booking_id').where(sql<boolean>`lower(i.email) = ${address}`).where('i.booking_id', 'is not', null)),
          eb('b.series_id', 'in', eb.selectFrom('booking_invitees as i').select('i.series_id').where(sql<boolean>`lower(i.email) = ${address}`).where('i.series_id', 'is not', null)),
        ]),
      )
      .orderBy(sql`lower(b.during)`)
      .orderBy('b.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toBooking(r), cohost: r.cohost, reply: r.reply === 'yes' || r.reply === 'no' ? r.reply : null }));
  }

  async busy(from: Date, to: Date): Promise<BusyBooking[]> {
    // Waiting-list holds take their room and seats as bookings do (the calendar and the suggestions
    // must not offer a held slot that a booking would then be refused). One statement for both: every
    // calendar view and every loser's suggestions ask this (a second round trip for the holds: p99
    // 11 ms at 1,000,000 bookings, one statement: 8 ms, its raw SELECT's; bench/RESULTS.md).
    const { rows } = await sql<BusyBooking>`
      SELECT id, room_id AS "roomId", title, seats, booker_id AS "bookerId", institution_id AS "institutionId", series_id AS "seriesId", booked_by AS "bookedById",
        lower(during) AS start, upper(during) AS "end", upper(occupied) AS "occupiedUntil", false AS held
      FROM bookings WHERE status = 'confirmed' AND during && tstzrange(${from}, ${to}, '[)')
      UNION ALL
      SELECT id, held_room_id, title, seats, user_id, institution_id, NULL::uuid, NULL::uuid, lower(during), upper(during), upper(held_occupied), true
      FROM waiting_entries WHERE state = 'held' AND during && tstzrange(${from}, ${to}, '[)')
      ORDER BY start, id`.execute(this.db);
    return rows;
  }

  async institutionHours(institutionId: string, month: Slot, excludeId?: string): Promise<number> {
    const row = await this.db
      .selectFrom('bookings')
      .select(sql<string>`coalesce(sum(extract(epoch from upper(during) - lower(during))), 0) / 3600`.as('hours'))
      .where('institution_id', '=', institutionId)
      .where('status', '=', 'confirmed')
      .where(sql<boolean>`lower(during) >= ${month.start} AND lower(during) < ${month.end}`)
      .$if(excludeId !== undefined, (q) => q.where('id', '<>', excludeId!))
      .executeTakeFirstOrThrow();
    return Number(row.hours);
  }

  async largestUpcomingSeats(roomId: string, now: Date): Promise<number> {
    const row = await this.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.max('seats').as('seats'))
      .where('room_id', '=', roomId)
      .where('status', '=', 'confirmed')
      .where(sql<boolean>`upper(during) > ${now}`)
      .executeTakeFirst();
    return Number(row?.seats ?? 0);
  }

  async notifyChange(payload: Record<string, unknown>): Promise<void> {
    await this.notifyChanges([payload]);
  }

  async notifyChanges(payloads: readonly Record<string, unknown>[]): Promise<void> {
    const texts = payloads.map((p) => JSON.stringify(p));
    // Inside a transaction the notices wait for its commit (see db/notices.ts).
    await this.notices(texts.map((payload) => ({ channel: BOOKING_CHANNEL, payload })));
  }

  async institutionHoursPerMonth(institutionId: string, months: readonly Slot[]): Promise<number[]> {
    if (months.length === 0) return [];
    const rows = await sql<{ n: number; hours: string }>`
      SELECT m.n, coalesce(sum(extract(epoch from upper(b.during) - lower(b.during))), 0) / 3600 AS hours
      FROM unnest(${months.map((m) => m.start.toISOString())}::timestamptz[], ${months.map((m) => m.end.toISOString())}::timestamptz[]) WITH ORDINALITY AS m(s, e, n)
      LEFT JOIN bookings b ON b.institution_id = ${institutionId} AND b.status = 'confirmed' AND lower(b.during) >= m.s AND lower(b.during) < m.e
      GROUP BY m.n ORDER BY m.n`.execute(this.db);
    return rows.rows.map((r) => Number(r.hours));
  }

  async ofSeries(seriesId: string, opts: { forUpdate?: boolean } = {}): Promise<Booking[]> {
    if (opts.forUpdate) {
      await this.db.selectFrom('bookings').select('id').where('series_id', '=', seriesId).orderBy('id').forUpdate().execute();
    }
    const rows = await this.selectBookings().where('b.series_id', '=', seriesId).orderBy(sql`lower(b.during)`).orderBy('b.id').execute();
    return rows.map(toBooking);
  }

  async reassignSeries(ids: string[], seriesId: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('bookings').set({ series_id: seriesId, updated_at: sql`now()` }).where('id', 'in', ids).execute();
  }
}

type BookingRow = {
  id: string;
  room_id: string;
  room_name: string;
  time_zone: string;
  title: string;
  description: string;
  start: Date;
  end: Date;
  seats: number;
  booker_id: string;
  booker_name: string;
  booked_by: string | null;
  booked_by_name: string | null;
  institution_id: string | null;
  status: string;
  series_id: string | null;
  recurrence_id: Date | null;
  is_exception: boolean;
  sequence: number;
  created_at: Date;
  updated_at: Date;
};

function toBooking(r: BookingRow): Booking {
  return {
    id: r.id,
    roomId: r.room_id,
    roomName: r.room_name,
    timeZone: r.time_zone,
    title: r.title,
    description: r.description,
    start: r.start,
    end: r.end,
    seats: r.seats,
    bookerId: r.booker_id,
    bookerName: r.booker_name,
    bookedById: r.booked_by,
    bookedByName: r.booked_by_name,
    institutionId: r.institution_id,
    status: r.status as BookingStatus,
    seriesId: r.series_id,
    recurrenceId: r.recurrence_id,
    isException: r.is_exception,
    sequence: r.sequence,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
