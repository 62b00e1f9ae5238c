// SQL of the provisioning tables (migrations/003_provisioning.sql). Raw SQL through Kysely's `sql`
// keeps these tables out of the shared schema.ts.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Attempt, BookingFacts, FailedMeeting, GuestLink, GuestPolicy, JoinView, ListedAttempt, ProvisioningRow, ProvisioningStore, RowPatch } from '../app/provisioning-store.ts';
import type { MeetingRef } from '../providers/port.ts';
import type { Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';
import { JOIN_CHANNEL, type AuditEntry, type MeetingSchedule } from '../ports.ts';
import { PgAuditRepository } from './audit-repository.ts';


type Row = {
  booking_id: string;
  provider: string;
  state: ProvisioningRow['state'];
  meeting_ref: MeetingRef | null;
  prepared: ProvisioningRow['prepared'];
  used_fallback: boolean;
  attempts: number;
  due_at: Date | null;
  dirty: boolean;
  last_error: string | null;
  last_error_code: string | null;
  first_joined_at: Date | null;
  no_show_checked: boolean;
  updated_at: Date;
};

const toRow = (r: Row): ProvisioningRow => ({
  bookingId: r.booking_id,
  provider: r.provider,
  state: r.state,
  meetingRef: r.meeting_ref,
  prepared: r.prepared,
  usedFallback: r.used_fallback,
  attempts: r.attempts,
  dueAt: r.due_at,
  lastError: r.last_error,
  lastErrorCode: r.last_error_code,
  firstJoinedAt: r.first_joined_at,
  noShowChecked: r.no_show_checked,
  updatedAt: r.updated_at,
});

type FactsRow = {
  id: string; meeting_key: string; title: string; start: Date; end: Date; seats: number; status: string; time_zone: string;
  booker_id: string; email: string; name: string; institution_id: string | null; room_id: string; series_id: string | null; room_provider: string | null; provider_settings: Record<string, unknown> | null;
};

const toFacts = (f: FactsRow): BookingFacts => ({
  bookingId: f.id,
  meetingKey: f.meeting_key,
  title: f.title,
  start: f.start,
  end: f.end,
  seats: f.seats,
  status: f.status === 'cancelled' ? 'cancelled' : 'confirmed',
  timeZone: f.time_zone,
  bookerId: f.booker_id,
  bookerEmail: f.email,
  bookerName: f.name,
  institutionId: f.institution_id,
  roomId: f.room_id,
  seriesId: f.series_id,
  roomProvider: f.room_provider,
  roomSettings: f.provider_settings ?? {},
});

/** 128 random bits, URL-safe. */
export const newGuestToken = () => randomBytes(16).toString('base64url');

/**
 * The booking that holds the guest link of `bookingId`: itself, or, for an occurrence of a series
 * whose booker chose one link for all occurrences (shared_access), the series' first occurrence.
 */
const linkOwner = (bookingId: unknown) => sql<string>`COALESCE((
    SELECT o.id FROM bookings b0 JOIN booking_series s ON s.id = b0.series_id AND s.shared_access
      JOIN bookings o ON o.series_id = s.id
     WHERE b0.id = ${bookingId}::uuid ORDER BY o.recurrence_id, o.id LIMIT 1), ${bookingId}::uuid)`;

type GuestLinkRow = { booking_id: string; token: string; policy: GuestPolicy; pin: string | null };
const toGuestLink = (r: GuestLinkRow): GuestLink => ({ bookingId: r.booking_id, token: r.token, policy: r.policy, pin: r.pin });

/** New bookings' pending rows, in the booking's transaction (ports.ts MeetingSchedule): one statement for all. */
export class PgMeetingSchedule implements MeetingSchedule {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async pending(rows: readonly { bookingId: string; roomId: string; dueAt: Date }[], defaultProvider: string): Promise<void> {
    if (rows.length === 0) return;
    await sql`INSERT INTO provider_meetings (booking_id, provider, state, due_at)
      SELECT v.booking_id, coalesce(r.provider, ${defaultProvider}), 'pending', v.due_at
        FROM unnest(${rows.map((r) => r.bookingId)}::uuid[], ${rows.map((r) => r.roomId)}::uuid[], ${rows.map((r) => r.dueAt.toISOString())}::timestamptz[]) AS v(booking_id, room_id, due_at)
        JOIN rooms r ON r.id = v.room_id
      ON CONFLICT (booking_id) DO NOTHING`.execute(this.db);
  }
}

export class PgProvisioningStore implements ProvisioningStore {
  private readonly db: Executor;
  private readonly notices: NoticeSink;
  constructor(db: Executor, notices: NoticeSink) {
    this.db = db;
    this.notices = notices;
  }

  /** Tells every instance's join cache (app/join-cache.ts) that what a join reads changed. */
  private joinChanged(change: { bookingId: string } | { all: true }): Promise<void> {
    return this.notices([{ channel: JOIN_CHANNEL, payload: JSON.stringify(change) }]);
  }

  async facts(bookingId: string): Promise<BookingFacts | null> {
    const { rows } = await sql<FactsRow>`SELECT b.id, b.meeting_key, b.title, lower(b.during) AS start, upper(b.during) AS "end", b.seats, b.status, r.time_zone,
              b.booker_id, u.email, u.name, b.institution_id, b.room_id, b.series_id, r.provider AS room_provider, r.provider_settings
         FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN users u ON u.id = b.booker_id
        WHERE b.id = ${bookingId}`.execute(this.db);
    return rows[0] ? toFacts(rows[0]) : null;
  }

  /** Everything a join needs, in one round trip (the join page is the hot path). */
  async joinView(bookingId: string, viewerId?: string): Promise<JoinView | null> {
    const { rows } = await sql<FactsRow & Partial<Row> & { link_policy: GuestPolicy | null; viewer_name: string | null; viewer_email: string | null; viewer_cohost: boolean | null }>`
      SELECT b.id, b.meeting_key, b.title, lower(b.during) AS start, upper(b.during) AS "end", b.seats, b.status, r.time_zone,
             b.booker_id, u.email, u.name, b.institution_id, b.room_id, b.series_id, r.provider AS room_provider, r.provider_settings,
             pm.provider, pm.state, pm.meeting_ref, pm.first_joined_at, gl.policy AS link_policy,
             v.name AS viewer_name, v.email AS viewer_email,
             -- null: not invited; false: invited; true: invited as a co-host (to this date or its series).
             (SELECT bool_or(i.cohost) FROM booking_invitees i
               WHERE (i.booking_id = b.id OR (b.series_id IS NOT NULL AND i.series_id = b.series_id)) AND lower(i.email) = lower(v.email)) AS viewer_cohost
        FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN users u ON u.id = b.booker_id
        LEFT JOIN provider_meetings pm ON pm.booking_id = b.id
        LEFT JOIN guest_links gl ON gl.booking_id = ${linkOwner(bookingId)}
        LEFT JOIN users v ON v.id = ${viewerId ?? null}::uuid
       WHERE b.id = ${bookingId}`.execute(this.db);
    const f = rows[0];
    if (!f) return null;
    return {
      facts: toFacts(f),
      provider: f.provider ?? null,
      state: f.state ?? null,
      meetingRef: f.meeting_ref ?? null,
      firstJoinedAt: f.first_joined_at ?? null,
      guestPolicy: f.link_policy ?? 'open',
      viewer: f.viewer_name ? { name: f.viewer_name, email: f.viewer_email ?? undefined, invited: f.viewer_cohost !== null, cohost: f.viewer_cohost === true } : null,
    };
  }

  async ensure(bookingId: string, provider: string, dueAt: Date): Promise<void> {
    await sql`INSERT INTO provider_meetings (booking_id, provider, due_at) VALUES (${bookingId}, ${provider}, ${dueAt})
              ON CONFLICT (booking_id) DO NOTHING`.execute(this.db);
  }

  async claim(bookingId: string, leaseSeconds: number): Promise<ProvisioningRow | null> {
    const { rows } = await sql<Row>`UPDATE provider_meetings SET lease_until = now() + make_interval(secs => ${leaseSeconds}), dirty = false
       WHERE booking_id = ${bookingId} AND (lease_until IS NULL OR lease_until < now()) RETURNING *`.execute(this.db);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async markDirty(bookingId: string): Promise<void> {
    await sql`UPDATE provider_meetings SET dirty = true WHERE booking_id = ${bookingId}`.execute(this.db);
  }

  async finish(bookingId: string, p: RowPatch): Promise<boolean> {
    const { rows } = await sql<{ dirty: boolean }>`UPDATE provider_meetings SET
        lease_until = NULL,
        updated_at = now(),
        provider = coalesce(${p.provider ?? null}, provider),
        state = coalesce(${p.state ?? null}, state),
        meeting_ref = CASE WHEN ${p.meetingRef !== undefined} THEN ${p.meetingRef === undefined ? null : JSON.stringify(p.meetingRef)}::jsonb ELSE meeting_ref END,
        prepared = CASE WHEN ${p.prepared !== undefined} THEN ${p.prepared === undefined ? null : JSON.stringify(p.prepared)}::jsonb ELSE prepared END,
        used_fallback = coalesce(${p.usedFallback ?? null}, used_fallback),
        attempts = coalesce(${p.attempts ?? null}, attempts),
        due_at = CASE WHEN ${p.dueAt !== undefined} THEN ${p.dueAt ?? null}::timestamptz ELSE due_at END,
        last_error = CASE WHEN ${p.lastError !== undefined} THEN ${p.lastError ?? null} ELSE last_error END,
        last_error_code = CASE WHEN ${p.lastErrorCode !== undefined} THEN ${p.lastErrorCode ?? null} ELSE last_error_code END,
        no_show_checked = coalesce(${p.noShowChecked ?? null}, no_show_checked)
      WHERE booking_id = ${bookingId} RETURNING dirty`.execute(this.db);
    // What a join reads (provider, state, meeting): the join caches must hear of it.
    if (p.provider !== undefined || p.state !== undefined || p.meetingRef !== undefined) await this.joinChanged({ bookingId });
    return rows[0]?.dirty ?? false;
  }

  async get(bookingId: string): Promise<ProvisioningRow | null> {
    const { rows } = await sql<Row>`SELECT * FROM provider_meetings WHERE booking_id = ${bookingId}`.execute(this.db);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async getMany(ids: string[]): Promise<Map<string, ProvisioningRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<Row>`SELECT * FROM provider_meetings WHERE booking_id = ANY(${ids}::uuid[])`.execute(this.db);
    return new Map(rows.map((r) => [r.booking_id, toRow(r)]));
  }

  async due(now: Date, limit: number): Promise<string[]> {
    const { rows } = await sql<{ booking_id: string }>`SELECT booking_id FROM provider_meetings
       WHERE (due_at <= ${now} OR dirty) AND (lease_until IS NULL OR lease_until < now())
       ORDER BY due_at NULLS FIRST LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => r.booking_id);
  }

  async recordAttempt(a: Omit<Attempt, 'id' | 'at'>): Promise<void> {
    await sql`INSERT INTO provisioning_attempts (booking_id, provider, action, ok, error_code, error, duration_ms)
              VALUES (${a.bookingId}, ${a.provider}, ${a.action}, ${a.ok}, ${a.errorCode}, ${a.error}, ${a.durationMs})`.execute(this.db);
  }

  async attempts(f: { limit: number; failedOnly: boolean; bookingId?: string | undefined }): Promise<ListedAttempt[]> {
    const { rows } = await sql<{ id: string; booking_id: string | null; booking_title: string | null; provider: string; action: string; ok: boolean; error_code: string | null; error: string | null; duration_ms: number; at: Date }>`
      SELECT a.*, b.title AS booking_title FROM provisioning_attempts a LEFT JOIN bookings b ON b.id = a.booking_id
       WHERE (${!f.failedOnly} OR NOT a.ok) AND (${f.bookingId ?? null}::uuid IS NULL OR a.booking_id = ${f.bookingId ?? null}::uuid)
       ORDER BY a.id DESC LIMIT ${f.limit}`.execute(this.db);
    return rows.map((r) => ({
      id: String(r.id),
      bookingId: r.booking_id,
      bookingTitle: r.booking_title,
      provider: r.provider,
      action: r.action,
      ok: r.ok,
      errorCode: r.error_code,
      error: r.error,
      durationMs: r.duration_ms,
      at: r.at,
    }));
  }

  async failed(limit: number, now: Date): Promise<FailedMeeting[]> {
    const { rows } = await sql<Row & { title: string; start: Date; end: Date; status: string; room_name: string; time_zone: string; booker_name: string }>`
      SELECT pm.*, b.title, lower(b.during) AS start, upper(b.during) AS "end", b.status, r.name AS room_name, r.time_zone, u.name AS booker_name
        FROM provider_meetings pm JOIN bookings b ON b.id = pm.booking_id JOIN rooms r ON r.id = b.room_id JOIN users u ON u.id = b.booker_id
       WHERE pm.state = 'failed'
       ORDER BY upper(b.during) <= ${now}, CASE WHEN upper(b.during) > ${now} THEN lower(b.during) END, lower(b.during) DESC, pm.booking_id
       LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => ({
      ...toRow(r),
      booking: { title: r.title, start: r.start, end: r.end, cancelled: r.status === 'cancelled', roomName: r.room_name, timeZone: r.time_zone, bookerName: r.booker_name },
    }));
  }

  async bookingsWithoutState(from: Date, to: Date): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`SELECT b.id FROM bookings b LEFT JOIN provider_meetings pm ON pm.booking_id = b.id
       WHERE pm.booking_id IS NULL AND b.status = 'confirmed' AND b.during && tstzrange(${from}, ${to}, '[)')`.execute(this.db);
    return rows.map((r) => r.id);
  }

  async withMeeting(provider: string): Promise<ProvisioningRow[]> {
    const { rows } = await sql<Row>`SELECT * FROM provider_meetings WHERE provider = ${provider} AND meeting_ref IS NOT NULL`.execute(this.db);
    return rows.map(toRow);
  }

  async isLeased(bookingId: string): Promise<boolean> {
    const { rows } = await sql<{ leased: boolean }>`SELECT lease_until > now() AS leased FROM provider_meetings WHERE booking_id = ${bookingId}`.execute(this.db);
    return rows[0]?.leased ?? false;
  }

  async guestLink(bookingId: string): Promise<GuestLink> {
    // Made when missing and read in one statement (every booking's invitation asks for it). A link
    // another transaction made after this statement began is neither made nor seen by it: then
    // it is read on its own.
    const { rows } = await sql<GuestLinkRow>`WITH owner AS (SELECT ${linkOwner(bookingId)} AS id),
        made AS (INSERT INTO guest_links (booking_id, token) SELECT id, ${newGuestToken()} FROM owner ON CONFLICT (booking_id) DO NOTHING
                 RETURNING booking_id, token, policy, pin)
      SELECT * FROM made
      UNION ALL SELECT g.booking_id, g.token, g.policy, g.pin FROM guest_links g JOIN owner ON g.booking_id = owner.id WHERE NOT EXISTS (SELECT 1 FROM made)`.execute(this.db);
    return rows[0] ? toGuestLink(rows[0]) : (await this.peekGuestLink(bookingId))!;
  }

  async peekGuestLink(bookingId: string): Promise<GuestLink | null> {
    return this.guestLinkWhere(sql`booking_id = ${linkOwner(bookingId)}`);
  }

  async sharesSeriesLink(bookingId: string): Promise<boolean> {
    const { rows } = await sql<{ shared: boolean }>`SELECT s.shared_access AS shared FROM bookings b JOIN booking_series s ON s.id = b.series_id WHERE b.id = ${bookingId}::uuid`.execute(this.db);
    return rows[0]?.shared === true;
  }

  /** For an occurrence of a series, the series' first confirmed occurrence not yet over at `now` (null: none, or no series). */
  async currentOccurrence(bookingId: string, now: Date): Promise<string | null> {
    const { rows } = await sql<{ id: string }>`
      SELECT o.id FROM bookings b0 JOIN bookings o ON o.series_id = b0.series_id
       WHERE b0.id = ${bookingId}::uuid AND o.status = 'confirmed' AND upper(o.during) > ${now}::timestamptz
       ORDER BY lower(o.during) LIMIT 1`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  /**
   * The occurrence a series-wide guest link opens at `now`: the first one not yet over (end plus
   * grace), else the last one; for any other booking, the booking itself.
   */
  async guestTarget(ownerId: string, now: Date, graceMinutes: number): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      SELECT o.id FROM bookings b0 JOIN booking_series s ON s.id = b0.series_id AND s.shared_access
        JOIN bookings o ON o.series_id = s.id
       WHERE b0.id = ${ownerId}::uuid
       ORDER BY (o.status = 'confirmed' AND upper(o.during) + make_interval(mins => ${graceMinutes}) > ${now}::timestamptz) DESC,
                CASE WHEN o.status = 'confirmed' AND upper(o.during) + make_interval(mins => ${graceMinutes}) > ${now}::timestamptz THEN lower(o.during) END ASC,
                lower(o.during) DESC
       LIMIT 1`.execute(this.db);
    return rows[0]?.id ?? ownerId;
  }

  async guestLinkByToken(token: string): Promise<GuestLink | null> {
    return this.guestLinkWhere(sql`token = ${token}`);
  }

  private async guestLinkWhere(where: ReturnType<typeof sql>): Promise<GuestLink | null> {
    const { rows } = await sql<GuestLinkRow>`SELECT booking_id, token, policy, pin FROM guest_links WHERE ${where}`.execute(this.db);
    return rows[0] ? toGuestLink(rows[0]) : null;
  }

  /** A change and its audit entry in one transaction (this store's executor may already be one). */
  private async withAudit(audit: AuditEntry, change: (db: Executor) => Promise<unknown>): Promise<void> {
    const both = async (db: Executor) => {
      await change(db);
      await new PgAuditRepository(db).record(audit);
    };
    await (this.db.isTransaction ? both(this.db) : this.db.transaction().execute(both));
  }

  async rotateGuestLink(bookingId: string, audit: AuditEntry): Promise<GuestLink> {
    await this.guestLink(bookingId);
    await this.withAudit(audit, (db) => sql`UPDATE guest_links SET token = ${newGuestToken()}, updated_at = now() WHERE booking_id = ${linkOwner(bookingId)}`.execute(db));
    // A series-wide link belongs to many bookings: every cached join forgets (rare, by hand).
    await this.joinChanged({ all: true });
    return (await this.peekGuestLink(bookingId))!;
  }

  async setGuestPolicy(bookingId: string, policy: GuestPolicy, pin: string | null, audit: AuditEntry): Promise<GuestLink> {
    await this.guestLink(bookingId);
    await this.withAudit(audit, (db) => sql`UPDATE guest_links SET policy = ${policy}, pin = ${pin}, updated_at = now() WHERE booking_id = ${linkOwner(bookingId)}`.execute(db));
    await this.joinChanged({ all: true });
    return (await this.peekGuestLink(bookingId))!;
  }

  async tryRun(name: string, everySeconds: number): Promise<boolean> {
    const { rows } = await sql<{ name: string }>`INSERT INTO provisioning_runs (name, last_run_at) VALUES (${name}, now())
       ON CONFLICT (name) DO UPDATE SET last_run_at = now()
       WHERE provisioning_runs.last_run_at < now() - make_interval(secs => ${everySeconds}) RETURNING name`.execute(this.db);
    return rows.length > 0;
  }

  async roomProviderSettings(roomId: string): Promise<{ provider: string | null; settings: Record<string, unknown> } | null> {
    const { rows } = await sql<{ provider: string | null; provider_settings: Record<string, unknown> | null }>`SELECT provider, provider_settings FROM rooms WHERE id = ${roomId}`.execute(this.db);
    return rows[0] ? { provider: rows[0].provider, settings: rows[0].provider_settings ?? {} } : null;
  }

  async setRoomProviderSettings(roomId: string, settings: Record<string, unknown>): Promise<void> {
    await sql`UPDATE rooms SET provider_settings = ${JSON.stringify(settings)}::jsonb, updated_at = now() WHERE id = ${roomId}`.execute(this.db);
    await this.joinChanged({ all: true });
  }

  /** The booking whose id starts with these 12 hex digits (Jitsi reservation ids). */
  async bookingIdByPrefix(hex12: string): Promise<string | null> {
    const { rows } = await sql<{ id: string }>`SELECT id FROM bookings WHERE substr(replace(id::text, '-', ''), 1, 12) = ${hex12} LIMIT 1`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  async bookingIdByMeetingKey(key: string): Promise<string | null> {
    if (!/^[0-9a-f]{32}$/.test(key)) return null;
    const { rows } = await sql<{ id: string }>`SELECT id FROM bookings WHERE meeting_key = ${key}`.execute(this.db);
    return rows[0]?.id ?? null;
  }

  async markJoined(bookingId: string, at: Date): Promise<void> {
    await sql`UPDATE provider_meetings SET first_joined_at = coalesce(first_joined_at, ${at}) WHERE booking_id = ${bookingId}`.execute(this.db);
  }
}
