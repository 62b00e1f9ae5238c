// SQL of the audio conferencing tables (migrations/005_audio.sql). Raw SQL through Kysely's `sql`
// keeps these tables out of the shared schema.ts, as provisioning does.
import { sql } from 'kysely';
import type { Conference, DialWindow, PinRole } from '../domain/dial-in.ts';
import { AUDIO_CHANNEL, type AudioConference, type AudioRepository, type PhoneParticipant } from '../ports.ts';
import { sqlState, type Executor } from './database.ts';
import { sendNotices, type DeferNotice } from './notices.ts';

const range = (w: DialWindow) => sql<string>`tstzrange(${w.opens}, ${w.closes}, '[)')`;
const ROLES: PinRole[] = ['participant', 'host'];
// Draws before giving up on a free PIN: with 9·10^5 or more PINs and a few hundred conferences
// open at once, a second draw is already rare.
const MAX_DRAWS = 20;

type ConferenceRow = { booking_id: string; owner_id: string; enabled: boolean; locked: boolean; opens: Date; closes: Date; pin: string | null; host_pin: string | null };
type ParticipantRow = { channel_id: string; booking_id: string; role: PhoneParticipant['role']; caller: string; muted: boolean; joined_at: Date };

const toConference = (r: ConferenceRow): AudioConference => ({
  bookingId: r.booking_id,
  ownerId: r.owner_id,
  enabled: r.enabled,
  locked: r.locked,
  window: { opens: r.opens, closes: r.closes },
  pin: r.pin,
  hostPin: r.host_pin,
});
const toParticipant = (r: ParticipantRow): PhoneParticipant => ({ channelId: r.channel_id, bookingId: r.booking_id, role: r.role, caller: r.caller, muted: r.muted, joinedAt: r.joined_at });

export class PgAudioRepository implements AudioRepository {
  private readonly db: Executor;
  private readonly deferNotice: DeferNotice | undefined;

  constructor(db: Executor, deferNotice?: DeferNotice) {
    this.db = db;
    this.deferNotice = deferNotice;
  }

  async assign(input: { bookingId: string; seriesId: string | null; window: DialWindow; draw: (role: PinRole) => string; hostPin: boolean; enabled: boolean }): Promise<AudioConference> {
    const { bookingId, window } = input;
    // One PIN for the whole series when its booker chose shared access (booking_series.shared_access).
    const shares = input.seriesId
      ? (await sql<{ shared_access: boolean }>`SELECT shared_access FROM booking_series WHERE id = ${input.seriesId}`.execute(this.db)).rows[0]?.shared_access === true
      : false;
    const ownerId = shares ? input.seriesId! : bookingId;
    await sql`INSERT INTO audio_conferences (booking_id, owner_id, enabled, dial_window) VALUES (${bookingId}, ${ownerId}, ${input.enabled}, ${range(window)})
      ON CONFLICT (booking_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, enabled = EXCLUDED.enabled, dial_window = EXCLUDED.dial_window, updated_at = now()`.execute(this.db);
    // Occurrences of one series share the PINs of the occurrence made first.
    const shared = await sql<{ role: PinRole; pin: string }>`SELECT DISTINCT ON (p.role) p.role, p.pin FROM audio_pins p
      WHERE p.owner_id = ${ownerId} AND p.booking_id <> ${bookingId} ORDER BY p.role, lower(p.dial_window)`.execute(this.db);
    const roles = input.hostPin ? ROLES : ROLES.slice(0, 1);
    const chosen = new Map<PinRole, string>();
    for (const role of roles) {
      const wanted = shared.rows.find((r) => r.role === role)?.pin;
      const other = [...chosen.values()];
      chosen.set(role, await this.claim(bookingId, role, ownerId, window, input.enabled, wanted === undefined || other.includes(wanted) ? undefined : wanted, () => drawApart(input.draw, role, other)));
    }
    return (await this.get(bookingId))!;
  }

  async reschedule(bookingId: string, window: DialWindow, draw: (role: PinRole) => string): Promise<AudioConference | null> {
    const current = await this.get(bookingId);
    if (!current) return null;
    await sql`UPDATE audio_conferences SET dial_window = ${range(window)}, updated_at = now() WHERE booking_id = ${bookingId}`.execute(this.db);
    await this.reclaim(current, window, current.enabled, draw);
    return this.get(bookingId);
  }

  async setEnabled(bookingId: string, enabled: boolean, draw: (role: PinRole) => string): Promise<AudioConference | null> {
    const current = await this.get(bookingId);
    if (!current) return null;
    await sql`UPDATE audio_conferences SET enabled = ${enabled}, updated_at = now() WHERE booking_id = ${bookingId}`.execute(this.db);
    await this.reclaim(current, current.window, enabled, draw);
    return this.get(bookingId);
  }

  async retire(bookingId: string): Promise<void> {
    await sql`UPDATE audio_pins SET live = false WHERE booking_id = ${bookingId}`.execute(this.db);
  }

  async setLocked(bookingId: string, locked: boolean): Promise<AudioConference | null> {
    await sql`UPDATE audio_conferences SET locked = ${locked}, updated_at = now() WHERE booking_id = ${bookingId}`.execute(this.db);
    return this.get(bookingId);
  }

  async get(bookingId: string): Promise<AudioConference | null> {
    const r = await sql<ConferenceRow>`SELECT c.booking_id, c.owner_id, c.enabled, c.locked, lower(c.dial_window) AS opens, upper(c.dial_window) AS closes,
        (SELECT pin FROM audio_pins WHERE booking_id = c.booking_id AND role = 'participant') AS pin,
        (SELECT pin FROM audio_pins WHERE booking_id = c.booking_id AND role = 'host') AS host_pin
      FROM audio_conferences c WHERE c.booking_id = ${bookingId}`.execute(this.db);
    return r.rows[0] ? toConference(r.rows[0]) : null;
  }

  async resolve(pin: string, now: Date): Promise<Conference | null> {
    // The live conference open now wins; then a cancelled one open now (the caller hears why);
    // then the nearest one in time (too early, or just ended).
    const r = await sql<{ booking_id: string; role: PinRole; status: 'confirmed' | 'cancelled'; enabled: boolean; locked: boolean; opens: Date; closes: Date; seats: number }>`
      SELECT p.booking_id, p.role, b.status, c.enabled, c.locked, lower(c.dial_window) AS opens, upper(c.dial_window) AS closes, b.seats
      FROM audio_pins p JOIN audio_conferences c ON c.booking_id = p.booking_id JOIN bookings b ON b.id = p.booking_id
      WHERE p.pin = ${pin} AND c.dial_window && tstzrange(${now}::timestamptz - interval '1 day', ${now}::timestamptz + interval '1 day')
      ORDER BY (p.live AND c.dial_window @> ${now}::timestamptz) DESC, (c.dial_window @> ${now}::timestamptz) DESC, p.live DESC,
        least(abs(extract(epoch FROM lower(c.dial_window) - ${now}::timestamptz)), abs(extract(epoch FROM upper(c.dial_window) - ${now}::timestamptz)))
      LIMIT 1`.execute(this.db);
    const row = r.rows[0];
    if (!row) return null;
    return { bookingId: row.booking_id, role: row.role, status: row.status, enabled: row.enabled, locked: row.locked, window: { opens: row.opens, closes: row.closes }, seats: row.seats };
  }

  async states(bookingIds: string[]): Promise<Map<string, { status: 'confirmed' | 'cancelled'; enabled: boolean; closes: Date }>> {
    if (bookingIds.length === 0) return new Map();
    const r = await sql<{ booking_id: string; status: 'confirmed' | 'cancelled'; enabled: boolean; closes: Date }>`
      SELECT c.booking_id, b.status, c.enabled, upper(c.dial_window) AS closes FROM audio_conferences c JOIN bookings b ON b.id = c.booking_id
      WHERE c.booking_id = ANY(${bookingIds}::uuid[])`.execute(this.db);
    return new Map(r.rows.map((row) => [row.booking_id, { status: row.status, enabled: row.enabled, closes: row.closes }]));
  }

  async participants(bookingId: string): Promise<PhoneParticipant[]> {
    const r = await sql<ParticipantRow>`SELECT * FROM phone_participants WHERE booking_id = ${bookingId} ORDER BY joined_at, channel_id`.execute(this.db);
    return r.rows.map(toParticipant);
  }

  async participant(channelId: string): Promise<PhoneParticipant | null> {
    const r = await sql<ParticipantRow>`SELECT * FROM phone_participants WHERE channel_id = ${channelId}`.execute(this.db);
    return r.rows[0] ? toParticipant(r.rows[0]) : null;
  }

  async saveParticipant(p: PhoneParticipant): Promise<void> {
    await sql`INSERT INTO phone_participants (channel_id, booking_id, role, caller, muted, joined_at) VALUES (${p.channelId}, ${p.bookingId}, ${p.role}, ${p.caller}, ${p.muted}, ${p.joinedAt})
      ON CONFLICT (channel_id) DO UPDATE SET booking_id = EXCLUDED.booking_id, role = EXCLUDED.role, muted = EXCLUDED.muted`.execute(this.db);
  }

  async removeParticipant(channelId: string): Promise<PhoneParticipant | null> {
    const r = await sql<ParticipantRow>`DELETE FROM phone_participants WHERE channel_id = ${channelId} RETURNING *`.execute(this.db);
    return r.rows[0] ? toParticipant(r.rows[0]) : null;
  }

  async setMuted(channelId: string, muted: boolean): Promise<void> {
    await sql`UPDATE phone_participants SET muted = ${muted} WHERE channel_id = ${channelId}`.execute(this.db);
  }

  async replaceParticipants(current: PhoneParticipant[]): Promise<string[]> {
    const ids = current.map((p) => p.channelId);
    const gone = await sql<{ booking_id: string }>`DELETE FROM phone_participants WHERE NOT (channel_id = ANY(${ids}::text[])) RETURNING booking_id`.execute(this.db);
    const known = new Set((await sql<{ channel_id: string }>`SELECT channel_id FROM phone_participants`.execute(this.db)).rows.map((r) => r.channel_id));
    const added = current.filter((p) => !known.has(p.channelId));
    for (const p of added) await this.saveParticipant(p);
    return [...new Set([...gone.rows.map((r) => r.booking_id), ...added.map((p) => p.bookingId)])];
  }

  async notify(bookingIds: string[], o: { switched?: boolean } = {}): Promise<void> {
    const notices = [...new Set(bookingIds)].map((bookingId) => ({ channel: AUDIO_CHANNEL, payload: JSON.stringify({ bookingId, ...(o.switched && { switched: true }) }) }));
    if (this.deferNotice) for (const n of notices) this.deferNotice(n.channel, n.payload);
    else await sendNotices(this.db, notices);
  }

  /** Re-checks a conference's PINs after its window or switch changed. */
  private async reclaim(current: AudioConference, window: DialWindow, live: boolean, draw: (role: PinRole) => string): Promise<void> {
    if (!live) {
      await sql`UPDATE audio_pins SET live = false, dial_window = ${range(window)} WHERE booking_id = ${current.bookingId}`.execute(this.db);
      return;
    }
    const kept: string[] = [];
    for (const [role, pin] of [['participant', current.pin], ['host', current.hostPin]] as const) {
      if (!pin) continue;
      kept.push(await this.claim(current.bookingId, role, current.ownerId, window, true, pin, () => drawApart(draw, role, kept)));
    }
  }

  /**
   * Writes a PIN for (booking, role): `wanted` if it is free in the window, else drawn ones. The
   * exclusion constraint decides a race between two transactions; the savepoint keeps the loser's
   * transaction (the booking itself) alive to draw again.
   */
  private async claim(bookingId: string, role: PinRole, ownerId: string, window: DialWindow, live: boolean, wanted: string | undefined, draw: () => string): Promise<string> {
    if (!this.db.isTransaction) throw new Error('audio PINs are claimed inside a transaction');
    let pin = wanted ?? draw();
    for (let i = 0; i < MAX_DRAWS; i++, pin = draw()) {
      if (live) {
        const taken = await sql`SELECT 1 FROM audio_pins WHERE pin = ${pin} AND live AND owner_id <> ${ownerId} AND dial_window && ${range(window)} LIMIT 1`.execute(this.db);
        if (taken.rows.length > 0) continue;
      }
      await sql`SAVEPOINT audio_pin`.execute(this.db);
      try {
        await sql`INSERT INTO audio_pins (booking_id, role, pin, owner_id, dial_window, live) VALUES (${bookingId}, ${role}, ${pin}, ${ownerId}, ${range(window)}, ${live})
          ON CONFLICT (booking_id, role) DO UPDATE SET pin = EXCLUDED.pin, owner_id = EXCLUDED.owner_id, dial_window = EXCLUDED.dial_window, live = EXCLUDED.live`.execute(this.db);
        await sql`RELEASE SAVEPOINT audio_pin`.execute(this.db);
        return pin;
      } catch (e) {
        await sql`ROLLBACK TO SAVEPOINT audio_pin`.execute(this.db);
        if (sqlState(e) !== '23P01') throw e;
      }
    }
    throw new Error(`No free audio PIN after ${MAX_DRAWS} draws: raise AUDIO_PIN_DIGITS`);
  }
}

/** A booking's host PIN differs from its participant PIN (the exclusion allows one owner both). */
function drawApart(draw: (role: PinRole) => string, role: PinRole, taken: string[]): string {
  for (;;) {
    const pin = draw(role);
    if (!taken.includes(pin)) return pin;
  }
}
