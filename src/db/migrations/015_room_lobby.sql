-- The lobby of the portal's own meeting rooms (issue #14): guests whose link asks for the host's
-- admission wait here until the host lets them in or not; a guest the host removed stays out with
-- the same ticket. A row is keyed by a hash of the guest's room ticket: the ticket is never stored.
CREATE TABLE room_admissions (
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  ticket_key text NOT NULL CHECK (ticket_key ~ '^[0-9a-f]{64}$'),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  state text NOT NULL CHECK (state IN ('waiting', 'admitted', 'refused')),
  participant_id bigint,
  asked_at timestamptz NOT NULL,
  decided_at timestamptz,
  PRIMARY KEY (booking_id, ticket_key)
);
CREATE INDEX room_admissions_waiting_idx ON room_admissions (booking_id, asked_at) WHERE state = 'waiting';
CREATE INDEX room_admissions_participant_idx ON room_admissions (booking_id, participant_id) WHERE participant_id IS NOT NULL;
