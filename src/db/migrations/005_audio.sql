-- Audio conferencing (issue #7): each booking's dial-in PINs, its conference switches, and the phone
-- participants the telephony application sees on Asterisk.

-- A booking's audio conference. `owner_id` is the series whose occurrences share one PIN (the series'
-- shared_access), else the booking itself. `dial_window` is when its PINs open the conference:
-- from when the virtual room opens until the end plus the grace time.
CREATE TABLE audio_conferences (
  booking_id uuid PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
  owner_id uuid NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  locked boolean NOT NULL DEFAULT false,
  dial_window tstzrange NOT NULL CHECK (NOT isempty(dial_window)),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audio_conferences_owner_idx ON audio_conferences (owner_id);

-- The PINs (participant and host) of each conference. `live` is false once the booking is cancelled
-- or its audio turned off, so the PIN can serve another booking. The constraint, not application code,
-- makes a PIN lead to one conference at any moment: two live rows of one PIN never have overlapping
-- windows unless they belong to one owner (occurrences of one series share their PINs).
CREATE TABLE audio_pins (
  booking_id uuid NOT NULL REFERENCES audio_conferences (booking_id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('participant', 'host')),
  pin text NOT NULL CHECK (pin ~ '^[1-9][0-9]{5,7}$'),
  owner_id uuid NOT NULL,
  dial_window tstzrange NOT NULL,
  live boolean NOT NULL DEFAULT true,
  PRIMARY KEY (booking_id, role),
  CONSTRAINT audio_pins_unique_in_time EXCLUDE USING gist (pin WITH =, dial_window WITH &&, owner_id WITH <>) WHERE (live)
);
CREATE INDEX audio_pins_lookup_idx ON audio_pins (pin, upper(dial_window)) WHERE live;

-- Who is on the phone in each conference, as the telephony application last saw it on Asterisk
-- (written by the instance holding the ARI connection, read by every instance for the host's page).
-- `caller` is already masked: the full number is never stored.
CREATE TABLE phone_participants (
  channel_id text PRIMARY KEY,
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('participant', 'host', 'room')),
  caller text NOT NULL,
  muted boolean NOT NULL DEFAULT false,
  joined_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_participants_booking_idx ON phone_participants (booking_id, joined_at);
