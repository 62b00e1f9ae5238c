// Requests that an administrator approves: the rows of migration 017, read with the names of the
// requester, institution, room and decider a queue shows.
import { sql } from 'kysely';
import type { RequestState } from '../domain/requests.ts';
import type { BookingRequest, BookingRequestFilter, BookingRequestInput, BookingRequestRepository, Locale } from '../ports.ts';
import type { Executor } from './database.ts';

export class PgBookingRequestRepository implements BookingRequestRepository {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  private select() {
    return this.db
      .selectFrom('booking_requests as q')
      .innerJoin('users as u', 'u.id', 'q.requester_id')
      .leftJoin('institutions as i', 'i.id', 'q.institution_id')
      .leftJoin('rooms as r', 'r.id', 'q.room_id')
      .leftJoin('users as d', 'd.id', 'q.decided_by')
      .select([
        'q.id',
        'q.title',
        'q.description',
        'q.seats',
        'q.start_at',
        'q.end_at',
        'q.reason',
        'q.asked_for',
        'q.state',
        'q.decided_at',
        'q.decision_note',
        'q.booking_id',
        'q.created_at',
        'q.updated_at',
        'u.id as requester_id',
        'u.name as requester_name',
        'u.email as requester_email',
        'u.locale as requester_locale',
        'i.id as institution_id',
        'i.name as institution_name',
        'r.id as room_id',
        'r.name as room_name',
        'r.time_zone as room_zone',
        'd.id as decider_id',
        'd.name as decider_name',
      ]);
  }

  async insert(input: BookingRequestInput): Promise<string> {
    const row = await this.db
      .insertInto('booking_requests')
      .values({
        requester_id: input.requesterId,
        institution_id: input.institutionId,
        room_id: input.roomId,
        title: input.title,
        description: input.description,
        seats: input.seats,
        start_at: input.start,
        end_at: input.end,
        reason: input.reason,
        asked_for: input.askedFor,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async findById(id: string, opts: { forUpdate?: boolean } = {}): Promise<BookingRequest | null> {
    // The row lock first, on the request alone (a join's outer side cannot be locked FOR UPDATE).
    if (opts.forUpdate) {
      const locked = await this.db.selectFrom('booking_requests').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!locked) return null;
    }
    const row = await this.select().where('q.id', '=', id).executeTakeFirst();
    return row ? toRequest(row) : null;
  }

  async list(f: BookingRequestFilter): Promise<BookingRequest[]> {
    const rows = await this.select()
      .$if(f.state !== undefined, (q) => q.where('q.state', '=', f.state!))
      .$if(f.requesterId !== undefined, (q) => q.where('q.requester_id', '=', f.requesterId!))
      .$if(f.institutionId !== undefined, (q) => q.where('q.institution_id', '=', f.institutionId!))
      .$if(f.roomId !== undefined, (q) => q.where('q.room_id', '=', f.roomId!))
      .$if(f.from !== undefined, (q) => q.where('q.end_at', '>', f.from!))
      .$if(f.to !== undefined, (q) => q.where('q.start_at', '<', f.to!))
      // Pending first, soonest first: what an administrator must decide before it expires.
      .orderBy(sql`q.state = 'pending'`, 'desc')
      .orderBy(sql`CASE WHEN q.state = 'pending' THEN q.start_at END`, 'asc')
      .orderBy('q.created_at', 'desc')
      // A total order, so that pages (offset) neither repeat nor skip a request.
      .orderBy('q.id')
      .limit(f.limit)
      .offset(f.offset ?? 0)
      .execute();
    return rows.map(toRequest);
  }

  async decide(id: string, d: { state: Exclude<RequestState, 'pending'>; decidedBy: string | null; at: Date; note: string; bookingId?: string | null }): Promise<void> {
    await this.db
      .updateTable('booking_requests')
      .set({ state: d.state, decided_by: d.decidedBy, decided_at: d.at, decision_note: d.note, booking_id: d.bookingId ?? null, updated_at: d.at })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .execute();
  }

  async expireDue(now: Date): Promise<string[]> {
    // One UPDATE: of two instances sweeping at once, the second waits on the row locks and then
    // finds the rows no longer pending, so each request expires (and is mailed) once.
    const rows = await this.db
      .updateTable('booking_requests')
      .set({ state: 'expired', decided_at: now, updated_at: now })
      .where('state', '=', 'pending')
      .where('start_at', '<=', now)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async countPending(f: { requesterId?: string | undefined; lock?: boolean }): Promise<number> {
    if (f.lock && f.requesterId) await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`requests:${f.requesterId}`}, 0))`.execute(this.db);
    const row = await this.db
      .selectFrom('booking_requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'pending')
      .$if(f.requesterId !== undefined, (q) => q.where('requester_id', '=', f.requesterId!))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

type Row = {
  id: string;
  title: string;
  description: string;
  seats: number;
  start_at: Date;
  end_at: Date;
  reason: string;
  asked_for: string;
  state: string;
  decided_at: Date | null;
  decision_note: string;
  booking_id: string | null;
  created_at: Date;
  updated_at: Date;
  requester_id: string;
  requester_name: string;
  requester_email: string;
  requester_locale: string | null;
  institution_id: string | null;
  institution_name: string | null;
  room_id: string | null;
  room_name: string | null;
  room_zone: string | null;
  decider_id: string | null;
  decider_name: string | null;
};

const toRequest = (r: Row): BookingRequest => ({
  id: r.id,
  requester: { id: r.requester_id, name: r.requester_name, email: r.requester_email, locale: r.requester_locale === 'it' || r.requester_locale === 'en' ? (r.requester_locale as Locale) : null },
  institution: r.institution_id ? { id: r.institution_id, name: r.institution_name ?? '' } : null,
  room: r.room_id ? { id: r.room_id, name: r.room_name ?? '', timeZone: r.room_zone ?? 'UTC' } : null,
  title: r.title,
  description: r.description,
  seats: r.seats,
  start: r.start_at,
  end: r.end_at,
  reason: r.reason,
  askedFor: r.asked_for,
  state: r.state as RequestState,
  decidedBy: r.decider_id ? { id: r.decider_id, name: r.decider_name ?? '' } : null,
  decidedAt: r.decided_at,
  decisionNote: r.decision_note,
  bookingId: r.booking_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
