-- Version 2: federated identities, SAML and OIDC state, institution requirements, settings.
INSERT INTO external_identities (issuer, subject, user_id, protocol, attributes)
VALUES ('https://idp.prova.it/idp', 'maria@prova.it', '20000000-0000-4000-8000-000000000002', 'saml', '{"mail": ["maria@prova.it"]}');
INSERT INTO saml_consumed_assertions (id, issuer, expires_at) VALUES ('_assertion1', 'https://idp.prova.it/idp', '2030-01-01 00:00:00+00');
INSERT INTO auth_pending_requests (id, kind, issuer, data, expires_at) VALUES ('_req1', 'saml', 'https://idp.prova.it/idp', '{"return": "/"}', '2030-01-01 00:00:00+00');
INSERT INTO federation_metadata (source, xml, fetched_at, refresh_after) VALUES ('https://md.idem.garr.it/metadata.xml', '<md:EntitiesDescriptor/>', '2026-03-01 00:00:00+00', '2026-03-02 00:00:00+00');
INSERT INTO institution_requirements (institution_id, required_entitlement) VALUES ('10000000-0000-4000-8000-000000000001', 'urn:mace:dir:entitlement:common-lib-terms');
UPDATE portal_settings SET value = '"admins-only"' WHERE key = 'local_accounts';
INSERT INTO login_failures (account, address) VALUES ('maria@prova.it', '192.0.2.10');
UPDATE sessions SET federated = '{"issuer": "https://idp.prova.it/idp"}' WHERE id_hash = 'session-hash-1';
