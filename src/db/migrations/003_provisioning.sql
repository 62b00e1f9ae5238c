-- Provisioning: the state of each booking's virtual room on its conferencing service, the attempts
-- made (what admins see), guest links, and which periodic runs happened when.

-- One row per booking once the pipeline has seen it. `due_at` is in the portal's clock: the next
-- time the pipeline must act (prepare at start - lead, retry after a backoff, end at end + grace).
-- `lease_until` (database time) keeps two server instances from working on one booking at once;
-- `dirty` says the booking changed while it was leased, so the holder runs again.
CREATE TABLE provider_meetings (
  booking_id uuid PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
  provider text NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'failed', 'ended')),
  meeting_ref jsonb,
  prepared jsonb,
  used_fallback boolean NOT NULL DEFAULT false,
  attempts integer NOT NULL DEFAULT 0,
  due_at timestamptz,
  dirty boolean NOT NULL DEFAULT false,
  lease_until timestamptz,
  last_error text,
  last_error_code text,
  first_joined_at timestamptz,
  no_show_checked boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_meetings_due_idx ON provider_meetings (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX provider_meetings_dirty_idx ON provider_meetings (booking_id) WHERE dirty;
CREATE INDEX provider_meetings_state_idx ON provider_meetings (state, updated_at);

-- Every call the pipeline made to a service, kept for the admins' page of recent and failed jobs.
CREATE TABLE provisioning_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  booking_id uuid,
  provider text NOT NULL,
  action text NOT NULL,
  ok boolean NOT NULL,
  error_code text,
  error text,
  duration_ms integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provisioning_attempts_at_idx ON provisioning_attempts (id DESC);
CREATE INDEX provisioning_attempts_booking_idx ON provisioning_attempts (booking_id, id);

-- The guest link of a booking. The token is kept as given (the booker must be able to see the link
-- again); it is 128 random bits, and regenerating replaces it so the old link stops working.
CREATE TABLE guest_links (
  booking_id uuid PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE CHECK (length(token) >= 22),
  policy text NOT NULL DEFAULT 'open' CHECK (policy IN ('open', 'pin', 'lobby')),
  pin text CHECK (pin IS NULL OR pin ~ '^[0-9]{4,10}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Periodic work that one instance at a time should do (reconcile).
CREATE TABLE provisioning_runs (
  name text PRIMARY KEY,
  last_run_at timestamptz NOT NULL
);
