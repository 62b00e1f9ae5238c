-- Version 8: a familiar address of an account, and a person's counts of new invitees and mails.
INSERT INTO login_successes (account, address, at) VALUES ('maria@prova.it', '192.0.2.10', '2026-03-01 09:00:00+00');
INSERT INTO sender_counts (user_id, kind, window_start, n) SELECT id, 'new-invitees', '2026-03-01 00:00:00+00', 3 FROM users ORDER BY created_at LIMIT 1;
INSERT INTO sender_counts (user_id, kind, window_start, n) SELECT id, 'mails', '2026-03-01 09:00:00+00', 4 FROM users ORDER BY created_at LIMIT 1;
