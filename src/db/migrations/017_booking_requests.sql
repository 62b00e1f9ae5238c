-- Requests that an administrator approves (issue #17): what self-service may not grant (too long,
-- too far ahead, more seats than a room or than a booking's share of the pool, a room marked "on
-- approval", people whose institution does not subscribe) is asked for with a reason. A request
-- holds nothing: approving it books it under the booking rules and locks (app/requests.ts).
ALTER TABLE rooms ADD COLUMN on_approval boolean NOT NULL DEFAULT false;

CREATE TABLE booking_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requester_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  institution_id uuid REFERENCES institutions (id) ON DELETE SET NULL,
  room_id uuid REFERENCES rooms (id) ON DELETE SET NULL,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  seats integer NOT NULL CHECK (seats >= 1),
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL CHECK (end_at > start_at),
  reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
  -- The self-service rule the request asks to pass (DURATION_TOO_LONG, ROOM_ON_APPROVAL...).
  asked_for text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'withdrawn')),
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz,
  decision_note text NOT NULL DEFAULT '',
  booking_id uuid REFERENCES bookings (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_requests_pending_idx ON booking_requests (start_at) WHERE state = 'pending';
CREATE INDEX booking_requests_requester_idx ON booking_requests (requester_id, created_at DESC);
CREATE INDEX booking_requests_created_idx ON booking_requests (created_at DESC);
