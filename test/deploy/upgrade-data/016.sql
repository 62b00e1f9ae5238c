-- Version 16: a signed-in participant and a phone caller of a meeting.
INSERT INTO attendance (booking_id, who_key, kind, display, user_id, first_seen, last_seen, total_seconds) VALUES
  ('40000000-0000-4000-8000-000000000001', 'guest:guest-0a1b2c3d4e5f', 'guest', 'Ospite Esterno', NULL, '2026-04-01 08:00:30+00', '2026-04-01 08:02:00+00', 90),
  ('40000000-0000-4000-8000-000000000001', 'phone:1700000000.1', 'phone', '•••• 34', NULL, '2026-04-01 08:01:00+00', '2026-04-01 08:02:00+00', 60);
