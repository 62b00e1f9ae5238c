-- Version 9: a LogoutRequest id an IdP sent, remembered until it expires.
INSERT INTO saml_logout_requests (issuer, id, expires_at) VALUES ('https://idp.example.org/idp', '_logout-1', '2026-04-01 10:00:00+00');
