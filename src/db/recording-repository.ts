// Where a booking's meeting is (or was) on its service, for asking it about recordings after the
// pipeline released the room: migration 016 keeps the last reference in `last_meeting_ref`.
import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { MeetingRef } from '../providers/port.ts';
import type { MeetingPlace } from '../app/recordings.ts';

export class PgRecordingPlaces {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async place(bookingId: string): Promise<MeetingPlace | null> {
    const { rows } = await sql<{ provider: string; ref: MeetingRef | null }>`
      SELECT provider, CASE WHEN jsonb_typeof(meeting_ref) = 'object' THEN meeting_ref ELSE last_meeting_ref END AS ref FROM provider_meetings WHERE booking_id = ${bookingId}`.execute(this.db);
    const r = rows[0];
    return r?.ref ? { provider: r.provider, ref: typeof r.ref === 'string' ? (JSON.parse(r.ref) as MeetingRef) : r.ref } : null;
  }
}
