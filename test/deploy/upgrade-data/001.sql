-- Data as a portal at schema version 1 held it: an institution, people, a room, bookings (one
-- cancelled), a session, a token, audit entries and an idempotency key.
INSERT INTO institutions (id, name, scopes, subscription_start, subscription_end, monthly_quota_hours)
VALUES ('10000000-0000-4000-8000-000000000001', 'Università di Prova', '{prova.it}', '2026-01-01', '2027-12-31', 40.5);
INSERT INTO users (id, email, name, role, institution_id, password_hash, locale) VALUES
  ('20000000-0000-4000-8000-000000000001', 'admin@example.org', 'Ada Admin', 'admin', NULL, '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA', 'en'),
  ('20000000-0000-4000-8000-000000000002', 'maria@prova.it', 'Maria Rossi', 'member', '10000000-0000-4000-8000-000000000001', NULL, 'it');
INSERT INTO rooms (id, name, capacity, time_zone, provider, provider_settings)
VALUES ('30000000-0000-4000-8000-000000000001', 'Aula Magna', 200, 'Europe/Rome', 'jitsi', '{"noShowRelease": true}');
INSERT INTO bookings (id, room_id, title, during, occupied, seats, booker_id, institution_id, status, cancelled_at) VALUES
  ('40000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'Consiglio di dipartimento',
   '[2026-04-01 08:00:00+00,2026-04-01 10:00:00+00)', '[2026-04-01 08:00:00+00,2026-04-01 10:15:00+00)', 40,
   '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'confirmed', NULL),
  ('40000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001', 'Seminario annullato',
   '[2026-04-01 09:00:00+00,2026-04-01 10:00:00+00)', '[2026-04-01 09:00:00+00,2026-04-01 10:15:00+00)', 10,
   '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'cancelled', '2026-03-01 12:00:00+00');
INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ('session-hash-1', '20000000-0000-4000-8000-000000000002', 'csrf-1', '2030-01-01 00:00:00+00');
INSERT INTO api_tokens (user_id, name, token_hash) VALUES ('20000000-0000-4000-8000-000000000001', 'script', 'token-hash-1');
INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after) VALUES
  ('20000000-0000-4000-8000-000000000001', 'room.created', 'room', '30000000-0000-4000-8000-000000000001', NULL, '{"name": "Aula Magna"}');
INSERT INTO idempotency_keys (principal, key, request_hash, status, response) VALUES ('user:maria', 'k-1', 'h', 201, '{"id": "40000000-0000-4000-8000-000000000001"}');
