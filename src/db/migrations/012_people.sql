-- People management without the API (issue #12): disabled accounts, and the one-time links that
-- set a local password (an administrator's invitation or reset, a manager's invitation, "forgot
-- password"). A link is stored only as the hash of its secret, used once (used_at is set in the
-- transaction that sets the password) and expires. Runs on PostgreSQL 15+ and PGlite.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

CREATE TABLE password_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[A-Za-z0-9_-]{43}$'),
  purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  used_at timestamptz
);
CREATE INDEX password_links_user_idx ON password_links (user_id, created_at);
CREATE INDEX password_links_expires_idx ON password_links (expires_at);

-- "Forgot password" requests, counted per asked address (known or not: the count must not tell
-- which addresses have an account) and per client address, whichever instance answers.
CREATE TABLE password_reset_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account text NOT NULL CHECK (char_length(account) BETWEEN 1 AND 320),
  address text NOT NULL CHECK (char_length(address) BETWEEN 1 AND 100),
  at timestamptz NOT NULL
);
CREATE INDEX password_reset_requests_account_idx ON password_reset_requests (account, at);
CREATE INDEX password_reset_requests_address_idx ON password_reset_requests (address, at);
