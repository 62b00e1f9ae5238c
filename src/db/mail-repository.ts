// What the mail jobs read besides bookings and series: who a person is (address, language, zone)
// and which reminders are due (claimed once across instances by the primary key).
import { sql } from 'kysely';
import type { Executor } from './database.ts';
import { seriesDb } from './series-schema.ts';

export type MailPerson = { email: string; name: string | null; locale: string | null; timeZone: string | null };
export type DueReminder = { bookingId: string; minutesBefore: number; startsAt: Date };

export class PgMailRepository {
  private readonly db;
  constructor(db: Executor) {
    this.db = seriesDb(db);
  }

  async person(userId: string): Promise<MailPerson | null> {
    const row = await this.db.selectFrom('users').select(['email', 'name', 'locale', 'time_zone']).where('id', '=', userId).executeTakeFirst();
    return row ? { email: row.email, name: row.name, locale: row.locale, timeZone: row.time_zone } : null;
  }

  /**
   * Which of these addresses belong to accounts, and whether each wants reminders (by lower-case
   * address): a reminder skips those who turned them off, and tells the others where to.
   */
  async reminderChoices(emails: readonly string[]): Promise<Map<string, boolean>> {
    if (emails.length === 0) return new Map();
    const rows = await sql<{ email: string; reminders: boolean }>`
      SELECT lower(email) AS email, reminders FROM users WHERE lower(email) = ANY(${emails.map((e) => e.toLowerCase())}::text[]) AND disabled_at IS NULL`.execute(this.db);
    return new Map(rows.rows.map((r) => [r.email, r.reminders]));
  }

  /**
   * Claims the reminders due now: bookings that start `minutesBefore` from now or sooner, whose
   * reminder time passed less than `windowMinutes` ago (a booking made an hour before it starts
   * gets no "24 hours before" mail). The insert is the claim: one instance wins each row.
   */
  async claimDueReminders(now: Date, minutesBefore: number, windowMinutes: number): Promise<DueReminder[]> {
    const rows = await sql<{ booking_id: string; starts_at: Date }>`
      INSERT INTO mail_reminders (booking_id, minutes_before, starts_at)
      SELECT b.id, ${minutesBefore}::int, lower(b.during) FROM bookings b
      WHERE b.status = 'confirmed'
        AND lower(b.during) > ${now}::timestamptz
        AND lower(b.during) <= ${now}::timestamptz + make_interval(mins => ${minutesBefore}::int)
        AND lower(b.during) > ${now}::timestamptz + make_interval(mins => ${minutesBefore - windowMinutes}::int)
      ON CONFLICT DO NOTHING
      RETURNING booking_id, starts_at`.execute(this.db);
    return rows.rows.map((r) => ({ bookingId: r.booking_id, minutesBefore, startsAt: r.starts_at }));
  }
}
