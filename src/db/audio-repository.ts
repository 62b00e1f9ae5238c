// SQL of the audio conferencing tables (migrations/005_audio.sql). Raw SQL through Kysely's `sql`
// keeps these tables out of the shared schema.ts, as provisioning does.
import { sql } from 'kysely';
import type { Conference, DialWindow, PinRole } from '../domain/dial-in.ts';
import { AUDIO_CHANNEL, type AudioConference, type AudioRepository, type PhoneParticipant } from '../ports.ts';
import { sqlState, type Executor } from './database.ts';
import type { NoticeSink } from './notices.ts';

const range = (w: DialWindow) => sql<string>`tstzrange(${w.opens}, ${w.closes}, '[)')`;
const ROLES: PinRole[] = ['participant', 'host'];
// Draws before giving up on a free PIN: with 9·10^5 or more PINs and a few hundred conferences
// open at once, a second draw is already rare.
const MAX_DRAWS = 20;

type ConferenceRow = { booking_id: string; owner_id: string; enabled: boolean; cancelled: boolean; locked: boolean; opens: Date; closes: Date; pin: string | null; host_pin: string | null };
type ParticipantRow = { channel_id: string; booking_id: string; role: PhoneParticipant['role']; caller: string; muted: boolean; joined_at: Date };

const toConference = (r: ConferenceRow): AudioConference => ({
  bookingId: r.booking_id,
  ownerId: r.owner_id,
  enabled: r.enabled,
  cancelled: r.cancelled,
  locked: r.locked,
  window: { opens: r.opens, closes: r.closes },
  pin: r.pin,
  hostPin: r.host_pin,
});
const toParticipant = (r: ParticipantRow): PhoneParticipant => ({ channelId: r.channel_id, bookingId: r.booking_id, role: r.role, caller: r.caller, muted: r.muted, joinedAt: r.joined_at });

export class PgAudioRepository implements AudioRepository {
  private readonly db: Executor;
  private readonly notices: NoticeSink;

  constructor(db: Executor, notices: NoticeSink) {
    this.db = db;
    this.notices = notices;
  }

  async assign(input: { bookingId: string; seriesId: string | null; window: DialWindow; draw: (role: PinRole) => string; hostPin: boolean; enabled: boolean }): Promise<AudioConference> {
    await this.assignMany([input], input.draw, input.hostPin);
    return (await this.get(input.bookingId))!;
  }

  /**
   * A handful of statements for any number of bookings: the owners (a series with shared access
   * owns its occurrences' PINs, booking_series.shared_access), the PINs the owners already have,
   * one check of the drawn PINs against the other owners', then one insert of the conferences and
   * one of the PINs. A race lost to another transaction (23P01) falls back to claiming booking by
   * booking, which draws again.
   */
  async assignMany(items: { bookingId: string; seriesId: string | null; window: DialWindow; enabled: boolean }[], draw: (role: PinRole) => string, hostPin: boolean): Promise<void> {
    if (items.length === 0) return;
    if (!this.db.isTransaction) throw new Error('audio PINs are assigned inside a transaction');
    const roles = hostPin ? ROLES : ROLES.slice(0, 1);
    const seriesIds = [...new Set(items.flatMap((i) => (i.seriesId ? [i.seriesId] : [])))];
    const sharing = new Set(
      seriesIds.length === 0 ? [] : (await sql<{ id: string }>`SELECT id FROM booking_series WHERE id = ANY(${seriesIds}::uuid[]) AND shared_access`.execute(this.db)).rows.map((r) => r.id),
    );
    const rows = items.map((i) => ({ ...i, ownerId: i.seriesId && sharing.has(i.seriesId) ? i.seriesId : i.bookingId }));
    const owners = [...new Set(rows.map((r) => r.ownerId))];
    const had = await sql<{ owner_id: string; role: PinRole; pin: string }>`SELECT DISTINCT ON (owner_id, role) owner_id, role, pin FROM audio_pins
      WHERE owner_id = ANY(${owners}::uuid[]) AND NOT (booking_id = ANY(${rows.map((r) => r.bookingId)}::uuid[])) ORDER BY owner_id, role, lower(dial_window)`.execute(this.db);

    // Each owner's PINs: the ones it has, else drawn ones, all different within this batch.
    const used = new Set(had.rows.map((r) => r.pin));
    const fresh = (role: PinRole) => {
      let pin = draw(role);
      while (used.has(pin)) pin = draw(role);
      used.add(pin);
      return pin;
    };
    const pinsOf = new Map(owners.map((o) => [o, new Map(roles.map((role) => [role, had.rows.find((r) => r.owner_id === o && r.role === role)?.pin ?? fresh(role)]))]));
    const pinRows = () => rows.flatMap((r) => roles.map((role) => ({ ...r, role, pin: pinsOf.get(r.ownerId)!.get(role)! })));
    for (let round = 0; ; round++) {
      const live = pinRows().filter((r) => r.enabled);
      if (live.length === 0) break;
      const taken = await sql<{ owner: string }>`SELECT DISTINCT x.owner FROM unnest(${live.map((r) => r.pin)}::text[], ${live.map((r) => r.ownerId)}::uuid[],
          ${live.map((r) => r.window.opens)}::timestamptz[], ${live.map((r) => r.window.closes)}::timestamptz[]) AS x(pin, owner, opens, closes)
        JOIN audio_pins p ON p.pin = x.pin AND p.live AND p.owner_id <> x.owner AND p.dial_window && tstzrange(x.opens, x.closes, '[)')`.execute(this.db);
      if (taken.rows.length === 0) break;
      if (round >= MAX_DRAWS) throw new Error(`No free audio PIN after ${MAX_DRAWS} draws: raise AUDIO_PIN_DIGITS`);
      for (const { owner } of taken.rows) for (const role of roles) pinsOf.get(owner)!.set(role, fresh(role));
    }

    await sql`INSERT INTO audio_conferences (booking_id, owner_id, enabled, dial_window)
      SELECT b, o, e, tstzrange(f, t, '[)') FROM unnest(${rows.map((r) => r.bookingId)}::uuid[], ${rows.map((r) => r.ownerId)}::uuid[], ${rows.map((r) => r.enabled)}::boolean[],
        ${rows.map((r) => r.window.opens)}::timestamptz[], ${rows.map((r) => r.window.closes)}::timestamptz[]) AS x(b, o, e, f, t)
      ON CONFLICT (booking_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, enabled = EXCLUDED.enabled, dial_window = EXCLUDED.dial_window, updated_at = now()`.execute(this.db);
    const all = pinRows();
    await sql`SAVEPOINT audio_pins_batch`.execute(this.db);
    try {
      await sql`INSERT INTO audio_pins (booking_id, role, pin, owner_id, dial_window, live)
        SELECT b, r, p, o, tstzrange(f, t, '[)'), l FROM unnest(${all.map((r) => r.bookingId)}::uuid[], ${all.map((r) => r.role)}::text[], ${all.map((r) => r.pin)}::text[],
          ${all.map((r) => r.ownerId)}::uuid[], ${all.map((r) => r.window.opens)}::timestamptz[], ${all.map((r) => r.window.closes)}::timestamptz[], ${all.map((r) => r.enabled)}::boolean[]) AS x(b, r, p, o, f, t, l)
        ON CONFLICT (booking_id, role) DO UPDATE SET pin = EXCLUDED.pin, owner_id = EXCLUDED.owner_id, dial_window = EXCLUDED.dial_window, live = EXCLUDED.live`.execute(this.db);
      await sql`RELEASE SAVEPOINT audio_pins_batch`.execute(this.db);
    } catch (e) {
      await sql`ROLLBACK TO SAVEPOINT audio_pins_batch`.execute(this.db);
      if (sqlState(e) !== '23P01') throw e;
      // Another transaction took one of these PINs since the check: booking by booking, drawing
      // again where a PIN is taken; the occurrences of one owner keep sharing what it ends up with.
      for (const r of rows) {
        const chosen: string[] = [];
        for (const role of roles) {
          const pin = await this.claim(r.bookingId, role, r.ownerId, r.window, r.enabled, pinsOf.get(r.ownerId)!.get(role), () => drawApart(draw, role, chosen));
          pinsOf.get(r.ownerId)!.set(role, pin);
          chosen.push(pin);
        }
      }
    }
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
    const r = await sql<ConferenceRow>`SELECT c.booking_id, c.owner_id, c.enabled, b.status = 'cancelled' AS cancelled, c.locked, lower(c.dial_window) AS opens, upper(c.dial_window) AS closes,
        (SELECT pin FROM audio_pins WHERE booking_id = c.booking_id AND role = 'participant') AS pin,
        (SELECT pin FROM audio_pins WHERE booking_id = c.booking_id AND role = 'host') AS host_pin
      FROM audio_conferences c JOIN bookings b ON b.id = c.booking_id WHERE c.booking_id = ${bookingId}`.execute(this.db);
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
    await this.notices(notices);
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
