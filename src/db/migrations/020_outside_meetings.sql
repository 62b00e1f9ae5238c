-- Meetings on a conferencing service that the portal did not make (issue #17): each reconcile
-- records those its services list, so administrators see what is booked around the portal and can
-- adopt one as a booking or remove it on the service.
CREATE TABLE outside_meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider text NOT NULL,
  provider_meeting_id text NOT NULL,
  name text NOT NULL DEFAULT '',
  -- The service's handle (MeetingRef as JSON): what ending and deleting it needs.
  ref jsonb NOT NULL,
  url text,
  room_id uuid REFERENCES rooms (id) ON DELETE SET NULL,
  starts_at timestamptz,
  ends_at timestamptz,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  -- open: listed by the last reconcile; gone: no longer listed; adopted: a booking holds its time;
  -- removed: deleted on the service by an administrator.
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'gone', 'adopted', 'removed')),
  booking_id uuid REFERENCES bookings (id) ON DELETE SET NULL,
  UNIQUE (provider, provider_meeting_id)
);
CREATE INDEX outside_meetings_status_idx ON outside_meetings (status, last_seen_at);
