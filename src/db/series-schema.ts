// Row types of the tables and columns added by migrations/004_series_and_mail.sql, as Kysely sees
// them. Kept beside schema.ts (not in it) so the series and mail feature stays in its own files;
// `seriesDb` widens an executor to see them.
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { BookingTable, DB, UserTable } from './schema.ts';
import type { Executor } from './database.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface BookingSeriesTable {
  id: Generated<string>;
  room_id: string;
  title: string;
  description: Generated<string>;
  seats: number;
  booker_id: string;
  /** Migration 018: who made the series for its owner. */
  booked_by: ColumnType<string | null, string | null | undefined, string | null>;
  institution_id: string | null;
  time_zone: string;
  rrule: string;
  first_start: ColumnType<Date, Date, Date>;
  duration_minutes: number;
  exdates: ColumnType<Date[], Date[] | undefined, Date[]>;
  sequence: Generated<number>;
  shared_access: Generated<boolean>;
  split_from: string | null;
  status: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SeriesBookingTable extends BookingTable {
  /** Migration 018: who made the booking for its owner. */
  booked_by: ColumnType<string | null, string | null | undefined, string | null>;
  series_id: string | null;
  recurrence_id: ColumnType<Date | null, Date | null | undefined, Date | null>;
  is_exception: Generated<boolean>;
  sequence: Generated<number>;
}

export interface InviteeTable {
  id: Generated<string>;
  booking_id: string | null;
  series_id: string | null;
  email: string;
  locale: Generated<string>;
  time_zone: string | null;
  cohost: Generated<boolean>;
  reply_token: Generated<string>;
  reply: string | null;
  replied_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  muted: Generated<boolean>;
  created_at: Timestamp;
}

export interface MailReminderTable {
  booking_id: string;
  minutes_before: number;
  starts_at: ColumnType<Date, Date, Date>;
  enqueued_at: Timestamp;
}

export interface CalendarFeedTable {
  id: Generated<string>;
  user_id: string;
  room_id: string | null;
  token_hash: string;
  created_at: Timestamp;
}

export interface SeriesDB extends Omit<DB, 'bookings' | 'users'> {
  bookings: SeriesBookingTable;
  users: UserTable;
  booking_series: BookingSeriesTable;
  booking_invitees: InviteeTable;
  mail_reminders: MailReminderTable;
  calendar_feeds: CalendarFeedTable;
}

export const seriesDb = (db: Executor) => db as unknown as Kysely<SeriesDB>;
