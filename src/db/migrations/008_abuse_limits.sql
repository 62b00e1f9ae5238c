-- Issue #11, abuse of the mail and sign-in. Runs on PostgreSQL 15+ and PGlite.

-- Where an account last signed in successfully, per address: an address it used lately is familiar,
-- and failures on the account from elsewhere do not slow it down.
CREATE TABLE login_successes (
  account text NOT NULL,
  address text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (account, address)
);

-- The growing delay is per account and address.
CREATE INDEX login_failures_account_address_idx ON login_failures (account, address, at);

-- What a person did in a window (new external invitees per day, mails caused per hour). One row per
-- person, kind and window, incremented with an upsert in the transaction of the change it limits:
-- the row lock serialises parallel requests of the same person, so a limit cannot be overshot.
CREATE TABLE sender_counts (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('new-invitees', 'mails')),
  window_start timestamptz NOT NULL,
  n integer NOT NULL CHECK (n >= 0),
  PRIMARY KEY (user_id, kind, window_start)
);
