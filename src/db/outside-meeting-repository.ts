// outside_meetings (migration 020): what reconcile saw of the meetings the portal did not make.
import { sql } from 'kysely';
import type { OutsideMeetingRow, OutsideMeetingStore, OutsideStatus } from '../app/outside-meetings.ts';
import type { MeetingRef, OutsideMeeting } from '../providers/port.ts';
import type { Db } from './database.ts';

type Row = {
  id: string;
  provider: string;
  provider_meeting_id: string;
  name: string;
  ref: MeetingRef | string;
  url: string | null;
  room_id: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
  first_seen_at: Date;
  last_seen_at: Date;
  status: OutsideStatus;
  booking_id: string | null;
};

const toRow = (r: Row): OutsideMeetingRow => ({
  id: r.id,
  provider: r.provider,
  providerMeetingId: r.provider_meeting_id,
  name: r.name,
  ref: typeof r.ref === 'string' ? (JSON.parse(r.ref) as MeetingRef) : r.ref,
  url: r.url,
  roomId: r.room_id,
  start: r.starts_at && new Date(r.starts_at),
  end: r.ends_at && new Date(r.ends_at),
  firstSeenAt: new Date(r.first_seen_at),
  lastSeenAt: new Date(r.last_seen_at),
  status: r.status,
  bookingId: r.booking_id,
});

export class PgOutsideMeetings implements OutsideMeetingStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async record(provider: string, meetings: readonly OutsideMeeting[], at: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Not outside after all: a room's own fixed meeting (Adobe Connect scoId: its name is the
      // room's, not a portal key) and any meeting a booking's row holds are the portal's.
      const { rows } = await sql<{ id: string }>`SELECT provider_settings->>'scoId' AS id FROM rooms WHERE provider_settings ? 'scoId'
        UNION SELECT meeting_ref->>'id' FROM provider_meetings WHERE provider = ${provider} AND meeting_ref IS NOT NULL AND state <> 'ended'`.execute(trx);
      const ours = new Set(rows.map((r) => r.id));
      const outside = meetings.filter((m) => !ours.has(m.ref.id));
      for (const m of outside) {
        await sql`INSERT INTO outside_meetings (provider, provider_meeting_id, name, ref, url, starts_at, ends_at, first_seen_at, last_seen_at)
          VALUES (${provider}, ${m.ref.id}, ${m.name.slice(0, 500)}, ${JSON.stringify(m.ref)}::jsonb, ${m.ref.url ?? null}, ${m.start}, ${m.end}, ${at}, ${at})
          ON CONFLICT (provider, provider_meeting_id) DO UPDATE SET name = EXCLUDED.name, ref = EXCLUDED.ref, url = EXCLUDED.url,
            starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, last_seen_at = EXCLUDED.last_seen_at,
            status = CASE WHEN outside_meetings.status <> 'gone' THEN outside_meetings.status WHEN outside_meetings.booking_id IS NULL THEN 'open' ELSE 'adopted' END`.execute(trx);
      }
      // Those this listing no longer has ended or were deleted on the service (an adopted one keeps its booking id).
      await sql`UPDATE outside_meetings SET status = 'gone' WHERE provider = ${provider} AND status IN ('open', 'adopted') AND NOT (provider_meeting_id = ANY(${outside.map((m) => m.ref.id)}::text[]))`.execute(trx);
    });
  }

  async list(f: { statuses: readonly OutsideStatus[]; limit: number }): Promise<OutsideMeetingRow[]> {
    const { rows } = await sql<Row>`SELECT * FROM outside_meetings WHERE status = ANY(${[...f.statuses]}::text[])
      ORDER BY starts_at NULLS LAST, first_seen_at, id LIMIT ${f.limit}`.execute(this.db);
    return rows.map(toRow);
  }

  async get(id: string): Promise<OutsideMeetingRow | null> {
    const { rows } = await sql<Row>`SELECT * FROM outside_meetings WHERE id = ${id}`.execute(this.db);
    return rows[0] ? toRow(rows[0]) : null;
  }

  async move(id: string, from: OutsideStatus, to: OutsideStatus, bookingId?: string | null): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`UPDATE outside_meetings SET status = ${to}, booking_id = ${bookingId === undefined ? sql`booking_id` : bookingId}
      WHERE id = ${id} AND status = ${from} RETURNING id`.execute(this.db);
    return rows.length === 1;
  }
}
