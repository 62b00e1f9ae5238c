-- Version 20: a meeting made on BigBlueButton outside the portal, seen by two reconciles.
INSERT INTO outside_meetings (provider, provider_meeting_id, name, ref, starts_at, first_seen_at, last_seen_at, status) VALUES
  ('bigbluebutton', 'corso-di-fisica', 'Corso di fisica', '{"id":"corso-di-fisica"}', '2026-04-01 08:00:00+00', '2026-04-01 07:55:00+00', '2026-04-01 08:05:00+00', 'open');
