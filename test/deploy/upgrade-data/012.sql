-- Version 12: a disabled account, a password link (already used) and a "forgot password" request.
UPDATE users SET disabled_at = '2026-03-10 09:00:00+00' WHERE id = '20000000-0000-4000-8000-000000000002';
INSERT INTO password_links (user_id, token_hash, purpose, created_by, created_at, expires_at, used_at)
VALUES ('20000000-0000-4000-8000-000000000002', 'aGFzaC1vZi1hLXBhc3N3b3JkLWxpbmstdG9rZW4tMDA', 'reset', '20000000-0000-4000-8000-000000000001',
        '2026-03-09 09:00:00+00', '2026-03-09 10:00:00+00', '2026-03-09 09:30:00+00');
INSERT INTO password_reset_requests (account, address, at) VALUES ('maria@prova.it', '192.0.2.10', '2026-03-09 09:00:00+00');
