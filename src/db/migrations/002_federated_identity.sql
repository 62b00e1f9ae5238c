-- Federated sign-in (SAML, OIDC), institution requirements, sign-in rate limits and the switch that
-- turns local accounts off for everyone but administrators. Runs on PostgreSQL 15+ and PGlite.

-- One row per (SAML IdP or OIDC provider, subject) that has signed in; the user it belongs to.
CREATE TABLE external_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  protocol text NOT NULL CHECK (protocol IN ('saml', 'oidc')),
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_user_idx ON external_identities (user_id);

-- Assertion ids already used, kept until their NotOnOrAfter: a replayed response is refused on every
-- instance, not only on the one that saw it first.
CREATE TABLE saml_consumed_assertions (
  id text PRIMARY KEY,
  issuer text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX saml_consumed_assertions_expires_idx ON saml_consumed_assertions (expires_at);

-- Sign-ins in progress: SAML AuthnRequest ids and OIDC state (with the PKCE verifier and nonce).
-- Kept here so that the answer may arrive at any instance.
CREATE TABLE auth_pending_requests (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('saml', 'oidc', 'saml-logout')),
  issuer text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX auth_pending_requests_expires_idx ON auth_pending_requests (expires_at);

-- The last federation metadata aggregate whose signature verified, per configured source.
-- `lease_until` lets one instance at a time refresh it.
CREATE TABLE federation_metadata (
  source text PRIMARY KEY,
  xml text NOT NULL,
  fetched_at timestamptz NOT NULL,
  valid_until timestamptz,
  refresh_after timestamptz NOT NULL,
  last_error text,
  last_error_at timestamptz,
  lease_until timestamptz
);

-- An institution may further require an entitlement or an affiliation of its members.
CREATE TABLE institution_requirements (
  institution_id uuid PRIMARY KEY REFERENCES institutions (id) ON DELETE CASCADE,
  required_entitlement text,
  required_affiliation text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Portal-wide settings changed at run time by administrators.
CREATE TABLE portal_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO portal_settings (key, value) VALUES ('local_accounts', '"everyone"');

-- Failed local sign-ins, per account and per address, for rate limiting across instances.
CREATE TABLE login_failures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account text NOT NULL,
  address text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_account_idx ON login_failures (account, at);
CREATE INDEX login_failures_address_idx ON login_failures (address, at);

-- What single logout needs: the IdP session this portal session came from.
ALTER TABLE sessions ADD COLUMN federated jsonb;
