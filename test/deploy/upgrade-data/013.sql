-- Version 13: two minutes of a meeting, with web participants and one phone caller.
INSERT INTO usage_samples (booking_id, at, web, phone) VALUES
  ('40000000-0000-4000-8000-000000000001', '2026-04-01 08:01:00+00', 12, 1),
  ('40000000-0000-4000-8000-000000000001', '2026-04-01 08:02:00+00', 14, 1);
