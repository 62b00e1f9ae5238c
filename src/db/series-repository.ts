import { sql } from 'kysely';
import type { Actor } from '../domain/access.ts';
import type { NewSeries, Series, SeriesChange, SeriesRepository, SeriesStatus } from '../ports.ts';
import type { Executor } from './database.ts';
import { seriesDb } from './series-schema.ts';

const instants = (dates: Date[]) => sql<Date[]>`${dates.map((d) => d.toISOString())}::timestamptz[]`;

export class PgSeriesRepository implements SeriesRepository {
  private readonly db;
  constructor(db: Executor) {
    this.db = seriesDb(db);
  }

  async insert(s: NewSeries): Promise<string> {
    const row = await this.db
      .insertInto('booking_series')
      .values({
        room_id: s.roomId,
        title: s.title,
        description: s.description,
        seats: s.seats,
        booker_id: s.bookerId,
        booked_by: s.bookedById ?? null,
        institution_id: s.institutionId,
        time_zone: s.timeZone,
        rrule: s.rrule,
        first_start: s.firstStart,
        duration_minutes: s.durationMinutes,
        exdates: instants(s.exdates ?? []) as never,
        shared_access: s.sharedAccess,
        split_from: s.splitFrom,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  private select() {
    return this.db
      .selectFrom('booking_series as s')
      .innerJoin('rooms as r', 'r.id', 's.room_id')
      .innerJoin('users as u', 'u.id', 's.booker_id')
      .leftJoin('users as bb', 'bb.id', 's.booked_by')
      .selectAll('s')
      .select(['r.name as room_name', 'u.name as booker_name', 'bb.name as booked_by_name']);
  }

  async findById(id: string, opts: { forUpdate?: boolean } = {}): Promise<Series | null> {
    if (opts.forUpdate) {
      const locked = await this.db.selectFrom('booking_series').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!locked) return null;
    }
    const row = await this.select().where('s.id', '=', id).executeTakeFirst();
    return row ? toSeries(row) : null;
  }

  async update(id: string, c: SeriesChange, opts: { keepSequence?: boolean } = {}): Promise<void> {
    await this.db
      .updateTable('booking_series')
      .set({
        ...(c.roomId !== undefined && { room_id: c.roomId }),
        ...(c.title !== undefined && { title: c.title }),
        ...(c.description !== undefined && { description: c.description }),
        ...(c.seats !== undefined && { seats: c.seats }),
        ...(c.rrule !== undefined && { rrule: c.rrule }),
        ...(c.firstStart !== undefined && { first_start: c.firstStart }),
        ...(c.durationMinutes !== undefined && { duration_minutes: c.durationMinutes }),
        ...(c.exdates !== undefined && { exdates: instants(c.exdates) as never }),
        ...(c.status !== undefined && { status: c.status }),
        ...(c.sharedAccess !== undefined && { shared_access: c.sharedAccess }),
        ...(!opts.keepSequence && { sequence: sql`sequence + 1` }),
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
  }

  async addExdates(id: string, dates: Date[]): Promise<void> {
    await this.db
      .updateTable('booking_series')
      .set({
        exdates: sql`ARRAY(SELECT DISTINCT d FROM unnest(exdates || ${instants(dates)}) AS d ORDER BY d)` as never,
        sequence: sql`sequence + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
  }

  async list(f: { bookerId?: string | undefined; limit: number }, actor: Actor): Promise<Series[]> {
    let q = this.select();
    if (actor.role === 'member') q = q.where((eb) => eb.or([eb('s.booker_id', '=', actor.userId), eb('s.booked_by', '=', actor.userId)]));
    else if (actor.role === 'institution-manager') {
      q = q.where((eb) =>
        eb.or([eb('s.booker_id', '=', actor.userId), eb('s.booked_by', '=', actor.userId), eb('s.institution_id', '=', actor.institutionId ?? '00000000-0000-0000-0000-000000000000')]),
      );
    }
    if (f.bookerId) q = q.where('s.booker_id', '=', f.bookerId);
    const rows = await q.orderBy('s.first_start').orderBy('s.id').limit(f.limit).execute();
    return rows.map(toSeries);
  }
}

type SeriesRow = {
  id: string;
  room_id: string;
  room_name: string;
  title: string;
  description: string;
  seats: number;
  booker_id: string;
  booker_name: string;
  booked_by: string | null;
  booked_by_name: string | null;
  institution_id: string | null;
  time_zone: string;
  rrule: string;
  first_start: Date;
  duration_minutes: number;
  exdates: Date[] | string;
  sequence: number;
  shared_access: boolean;
  split_from: string | null;
  status: string;
  created_at: Date;
  updated_at: Date;
};

/** timestamptz[] arrives as Date[] from pg; parse the text form defensively in case a driver leaves it. */
function parseInstants(v: Date[] | string): Date[] {
  if (Array.isArray(v)) return v.map((d) => new Date(d));
  const inner = v.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((s) => new Date(s.replace(/^"|"$/g, '').replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))) : [];
}

function toSeries(r: SeriesRow): Series {
  return {
    id: r.id,
    roomId: r.room_id,
    roomName: r.room_name,
    title: r.title,
    description: r.description,
    seats: r.seats,
    bookerId: r.booker_id,
    bookerName: r.booker_name,
    bookedById: r.booked_by,
    bookedByName: r.booked_by_name,
    institutionId: r.institution_id,
    timeZone: r.time_zone,
    rrule: r.rrule,
    firstStart: r.first_start,
    durationMinutes: r.duration_minutes,
    exdates: parseInstants(r.exdates),
    sequence: r.sequence,
    sharedAccess: r.shared_access,
    splitFrom: r.split_from,
    status: r.status as SeriesStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
