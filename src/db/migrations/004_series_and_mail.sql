-- Recurring bookings (series), e-mail invitations with iCalendar, invitees and calendar feeds.

-- A series is the rule; its occurrences are ordinary booking rows (same constraint, same seat pool,
-- same quota). `rrule` is RFC 5545 text without DTSTART, evaluated in `time_zone` from `first_start`.
-- `sequence` is the iCalendar SEQUENCE of the series (RFC 5546, 2.1.4): it grows with each change.
CREATE TABLE booking_series (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  room_id uuid NOT NULL REFERENCES rooms (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  seats integer NOT NULL CHECK (seats > 0),
  booker_id uuid NOT NULL REFERENCES users (id),
  institution_id uuid REFERENCES institutions (id),
  time_zone text NOT NULL,
  rrule text NOT NULL CHECK (length(rrule) BETWEEN 6 AND 500),
  first_start timestamptz NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
  exdates timestamptz[] NOT NULL DEFAULT '{}',
  sequence integer NOT NULL DEFAULT 0,
  -- One guest link and one PIN for all occurrences, or one per occurrence (the booker chooses).
  shared_access boolean NOT NULL DEFAULT true,
  -- Set on the second half of a "this and following" split.
  split_from uuid REFERENCES booking_series (id),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_series_booker_idx ON booking_series (booker_id);

-- `recurrence_id` is the occurrence's original start (iCalendar RECURRENCE-ID); an occurrence whose
-- time or details were changed on its own is an exception of its series.
ALTER TABLE bookings ADD COLUMN series_id uuid REFERENCES booking_series (id);
ALTER TABLE bookings ADD COLUMN recurrence_id timestamptz;
ALTER TABLE bookings ADD COLUMN is_exception boolean NOT NULL DEFAULT false;
ALTER TABLE bookings ADD COLUMN sequence integer NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD CONSTRAINT bookings_series_recurrence CHECK ((series_id IS NULL) = (recurrence_id IS NULL));
CREATE INDEX bookings_series_idx ON bookings (series_id, recurrence_id) WHERE series_id IS NOT NULL;

-- The zone a person reads times in (mail shows the room's and this one); null: the room's.
ALTER TABLE users ADD COLUMN IF NOT EXISTS time_zone text;

-- People the booker invites by e-mail, to a single booking or to a whole series.
CREATE TABLE booking_invitees (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  booking_id uuid REFERENCES bookings (id) ON DELETE CASCADE,
  series_id uuid REFERENCES booking_series (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  locale text NOT NULL DEFAULT 'it' CHECK (locale IN ('it', 'en')),
  time_zone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((booking_id IS NULL) <> (series_id IS NULL))
);
CREATE UNIQUE INDEX booking_invitees_booking_key ON booking_invitees (booking_id, lower(email)) WHERE booking_id IS NOT NULL;
CREATE UNIQUE INDEX booking_invitees_series_key ON booking_invitees (series_id, lower(email)) WHERE series_id IS NOT NULL;

-- Reminders already enqueued, one per booking, lead time and start: several instances sweep for due
-- reminders and the primary key lets exactly one of them enqueue each.
CREATE TABLE mail_reminders (
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  minutes_before integer NOT NULL,
  starts_at timestamptz NOT NULL,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (booking_id, minutes_before, starts_at)
);

-- Secret calendar-feed addresses: a user's own bookings, or a room's busy times. Only a hash of the
-- token is kept; regenerating replaces it, so the old address stops working at once.
CREATE TABLE calendar_feeds (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id uuid REFERENCES rooms (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX calendar_feeds_owner_key ON calendar_feeds (user_id, coalesce(room_id, '00000000-0000-0000-0000-000000000000'::uuid));
