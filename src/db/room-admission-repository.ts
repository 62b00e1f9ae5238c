// SQL of the meeting rooms' lobby (migrations/015_room_lobby.sql), raw through Kysely's `sql` like
// the other feature tables.
import { sql } from 'kysely';
import type { Admission, RoomAdmissions } from '../app/rooms.ts';
import type { Executor } from './database.ts';

type Row = { ticket_key: string; name: string; state: Admission['state']; participant_id: string | null; asked_at: Date };
const toAdmission = (r: Row): Admission => ({ key: r.ticket_key, name: r.name, state: r.state, participantId: r.participant_id === null ? null : Number(r.participant_id), askedAt: r.asked_at });

export class PgRoomAdmissions implements RoomAdmissions {
  private readonly db: Executor;
  constructor(db: Executor) {
    this.db = db;
  }

  async ask(bookingId: string, key: string, name: string, at: Date, maxWaiting: number): Promise<Admission | null> {
    // One statement: a new guest waits unless the lobby is full; a known ticket keeps its row.
    await sql`INSERT INTO room_admissions (booking_id, ticket_key, name, state, asked_at)
      SELECT ${bookingId}, ${key}, ${name}, 'waiting', ${at}
      WHERE (SELECT count(*) FROM room_admissions WHERE booking_id = ${bookingId} AND state = 'waiting') < ${maxWaiting}
      ON CONFLICT (booking_id, ticket_key) DO NOTHING`.execute(this.db);
    const { rows } = await sql<Row>`SELECT ticket_key, name, state, participant_id, asked_at FROM room_admissions WHERE booking_id = ${bookingId} AND ticket_key = ${key}`.execute(this.db);
    return rows[0] ? toAdmission(rows[0]) : null;
  }

  async waiting(bookingId: string, limit: number): Promise<Admission[]> {
    const { rows } = await sql<Row>`SELECT ticket_key, name, state, participant_id, asked_at FROM room_admissions
      WHERE booking_id = ${bookingId} AND state = 'waiting' ORDER BY asked_at, ticket_key LIMIT ${limit}`.execute(this.db);
    return rows.map(toAdmission);
  }

  async decide(bookingId: string, key: string, admit: boolean, at: Date): Promise<boolean> {
    const r = await sql`UPDATE room_admissions SET state = ${admit ? 'admitted' : 'refused'}, decided_at = ${at}
      WHERE booking_id = ${bookingId} AND ticket_key = ${key}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async entered(bookingId: string, key: string, participantId: number): Promise<void> {
    await sql`UPDATE room_admissions SET participant_id = ${participantId} WHERE booking_id = ${bookingId} AND ticket_key = ${key}`.execute(this.db);
  }

  async refuseParticipant(bookingId: string, participantId: number, at: Date): Promise<void> {
    await sql`UPDATE room_admissions SET state = 'refused', decided_at = ${at} WHERE booking_id = ${bookingId} AND participant_id = ${participantId}`.execute(this.db);
  }
}
