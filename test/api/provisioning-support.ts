// Shared by the provisioning and join tests: wait for the background pipeline, read room states.
import { sql } from 'kysely';
import { rememberMeetingKey } from '../doubles/meeting-keys.ts';
import type { TestPortal } from '../support/portal.ts';

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function roomState(t: TestPortal, bookingId: string): Promise<string | null> {
  const { rows } = await sql<{ state: string }>`SELECT state FROM provider_meetings WHERE booking_id = ${bookingId}`.execute(t.db.database.db);
  return rows[0]?.state ?? null;
}

/** Tells the test doubles the meeting keys the database gave the bookings (they find meetings by name). */
export async function learnMeetingKeys(t: TestPortal): Promise<void> {
  const { rows } = await sql<{ id: string; meeting_key: string }>`SELECT id, meeting_key FROM bookings`.execute(t.db.database.db);
  for (const r of rows) rememberMeetingKey(r.id, r.meeting_key);
}

/** The name of a booking's meeting on the services (wm-<its secret meeting key>). */
export async function meetingNameOf(t: TestPortal, bookingId: string): Promise<string> {
  const { rows } = await sql<{ meeting_key: string }>`SELECT meeting_key FROM bookings WHERE id = ${bookingId}`.execute(t.db.database.db);
  rememberMeetingKey(bookingId, rows[0]!.meeting_key);
  return `wm-${rows[0]!.meeting_key}`;
}

/** Waits until the sync job of the booking has run (no job of it left queued or active). */
export async function settled(t: TestPortal, bookingId: string): Promise<void> {
  await learnMeetingKeys(t);
  await waitFor(`the jobs of ${bookingId}`, async () => {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job
       WHERE name = 'provisioning.sync' AND data->>'bookingId' = ${bookingId} AND state IN ('created', 'retry', 'active')`.execute(t.db.database.db);
    return Number(rows[0]!.n) === 0 && (await roomState(t, bookingId)) !== null;
  });
}

export const bookingsStatesCount = async (t: TestPortal) =>
  (await sql<{ state: string; n: string }>`SELECT state, count(*) AS n FROM provider_meetings GROUP BY state`.execute(t.db.database.db)).rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: Number(r.n) }), {});

/** Mails queued for delivery to an address (the mail module sends them, or logs them without SMTP). */
export async function queuedMails(t: TestPortal, userId: string): Promise<{ subject: string; text: string }[]> {
  const { rows } = await sql<{ subject: string; text: string }>`SELECT j.data->>'subject' AS subject, j.data->>'text' AS text FROM pgboss.job j
     JOIN users u ON lower(u.email) = lower(j.data->>'to') WHERE j.name = 'mail-deliver' AND u.id = ${userId}`.execute(t.db.database.db);
  return rows;
}

/** Invites `who` (by their account's e-mail) to a booking, as its booker `as`: /join then admits them. */
export async function invite(t: TestPortal, as: { token: string; userId: string; institutionId: string | null }, bookingId: string, who: { userId: string }): Promise<void> {
  const { rows } = await sql<{ email: string }>`SELECT email FROM users WHERE id = ${who.userId}`.execute(t.db.database.db);
  const res = await t.api('POST', `/api/v1/bookings/${bookingId}/invitees`, { as, body: { email: rows[0]!.email, locale: 'en' } });
  if (res.status !== 201) throw new Error(`invitation refused: ${res.status} ${JSON.stringify(res.body)}`);
}
