-- LogoutRequest ids an IdP sent that were acted on, kept until the request could no longer be
-- accepted anyway (its NotOnOrAfter, or its IssueInstant plus the portal's bound): a replayed
-- LogoutRequest is refused on every instance. Runs on PostgreSQL 15+ and PGlite.
CREATE TABLE saml_logout_requests (
  issuer text NOT NULL,
  id text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, id)
);
CREATE INDEX saml_logout_requests_expires_idx ON saml_logout_requests (expires_at);
