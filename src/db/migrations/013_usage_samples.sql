-- Usage statistics (issue #15): what happened, not only what was booked. Once a minute one instance
-- asks the conferencing service how many people are in each running meeting and counts the phone
-- callers; each answer is one small row. Statistics (peak concurrent users, present against booked
-- seats, no-shows) are computed from these rows by SQL. Rows older than the retention setting go.
CREATE TABLE usage_samples (
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  -- The minute the sample stands for (truncated), so a repeated run of the same minute adds nothing.
  at timestamptz NOT NULL,
  -- Null: the room's service cannot count its participants (Jitsi's public servers).
  web integer CHECK (web >= 0),
  phone integer NOT NULL CHECK (phone >= 0),
  PRIMARY KEY (booking_id, at)
);
CREATE INDEX usage_samples_at_idx ON usage_samples (at);
