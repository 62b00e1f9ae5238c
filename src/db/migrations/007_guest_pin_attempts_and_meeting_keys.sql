-- Guests and joining (issue #11).
-- Wrong guest PINs, counted per guest link and per client address over all instances: the join
-- page refuses further tries for a while that grows with each failure (domain/guest-pin.ts). The
-- count and the check of the PIN happen in one transaction (db/guest-pin-repository.ts). Old rows
-- are purged by the housekeeping pass.
CREATE TABLE guest_pin_failures (
  link_id uuid NOT NULL REFERENCES guest_links (booking_id) ON DELETE CASCADE,
  address text NOT NULL CHECK (char_length(address) BETWEEN 1 AND 64),
  at timestamptz NOT NULL
);
CREATE INDEX guest_pin_failures_link_idx ON guest_pin_failures (link_id, at);
CREATE INDEX guest_pin_failures_address_idx ON guest_pin_failures (address, at);
CREATE INDEX guest_pin_failures_at_idx ON guest_pin_failures (at);

-- The secret a booking's meeting is named after on public services (wm-<key> on meet.jit.si, the
-- BigBlueButton meeting id, the Adobe Connect URL path): booking ids reach every member, so a name
-- derived from the id could be guessed. 122 random bits; the volatile default gives each existing
-- booking its own key (their meetings already prepared keep the handle stored with them).
ALTER TABLE bookings ADD COLUMN meeting_key text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '')
  CHECK (meeting_key ~ '^[0-9a-f]{32}$');
CREATE UNIQUE INDEX bookings_meeting_key_idx ON bookings (meeting_key);
