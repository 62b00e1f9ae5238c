-- WebMeetings initial schema. Runs unchanged on PostgreSQL 15+ and on PGlite.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE institutions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  scopes text[] NOT NULL DEFAULT '{}',
  subscription_start date,
  subscription_end date,
  monthly_quota_hours numeric(8, 2) CHECK (monthly_quota_hours IS NULL OR monthly_quota_hours >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (subscription_end IS NULL OR subscription_start IS NULL OR subscription_end >= subscription_start)
);
CREATE UNIQUE INDEX institutions_name_key ON institutions (lower(name));

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'institution-manager', 'member')),
  institution_id uuid REFERENCES institutions (id),
  password_hash text,
  locale text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_institution_idx ON users (institution_id);

CREATE TABLE rooms (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  capacity integer NOT NULL CHECK (capacity > 0),
  time_zone text NOT NULL DEFAULT 'Europe/Rome',
  provider text,
  provider_settings jsonb NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX rooms_name_key ON rooms (lower(name));

-- `during` is the meeting; `occupied` extends it by the turnaround that must stay free after it.
-- The turnaround is stored per booking (not computed from configuration in a generated column:
-- timestamptz + interval is not immutable), so changing the setting never re-judges old bookings.
CREATE TABLE bookings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  room_id uuid NOT NULL REFERENCES rooms (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  during tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
  occupied tstzrange NOT NULL,
  seats integer NOT NULL CHECK (seats > 0),
  booker_id uuid NOT NULL REFERENCES users (id),
  institution_id uuid REFERENCES institutions (id),
  status text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  CHECK (lower(occupied) = lower(during) AND upper(occupied) >= upper(during)),
  -- No two confirmed bookings of one room overlap, turnaround included. This constraint, not
  -- application code, is what makes a double booking impossible.
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, occupied WITH &&) WHERE (status = 'confirmed')
);
-- Seat-pool sums and calendar queries look bookings up by time over all rooms.
CREATE INDEX bookings_during_idx ON bookings USING gist (during) WHERE status = 'confirmed';
CREATE INDEX bookings_booker_idx ON bookings (booker_id, lower(during));
CREATE INDEX bookings_institution_idx ON bookings (institution_id, lower(during));
CREATE INDEX bookings_start_idx ON bookings (lower(during), id);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text NOT NULL,
  before jsonb,
  after jsonb,
  request_id text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- A POST retried with the same Idempotency-Key gets the first answer back.
CREATE TABLE idempotency_keys (
  principal text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  response jsonb,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
