-- Version 4: a weekly series split in two (split_from), its occurrences, invitees, reminders, feeds.
INSERT INTO booking_series (id, room_id, title, seats, booker_id, institution_id, time_zone, rrule, first_start, duration_minutes, exdates, sequence) VALUES
  ('50000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001', 'Lezione', 30, '20000000-0000-4000-8000-000000000002',
   '10000000-0000-4000-8000-000000000001', 'Europe/Rome', 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20260420T000000Z', '2026-04-06 07:00:00+00', 60, '{2026-04-13 07:00:00+00}', 1);
INSERT INTO booking_series (id, room_id, title, seats, booker_id, institution_id, time_zone, rrule, first_start, duration_minutes, split_from) VALUES
  ('50000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001', 'Lezione', 30, '20000000-0000-4000-8000-000000000002',
   '10000000-0000-4000-8000-000000000001', 'Europe/Rome', 'FREQ=WEEKLY;BYDAY=MO;COUNT=2', '2026-04-20 07:00:00+00', 60, '50000000-0000-4000-8000-000000000001');
INSERT INTO bookings (id, room_id, title, during, occupied, seats, booker_id, institution_id, series_id, recurrence_id, sequence) VALUES
  ('40000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000001', 'Lezione',
   '[2026-04-06 07:00:00+00,2026-04-06 08:00:00+00)', '[2026-04-06 07:00:00+00,2026-04-06 08:15:00+00)', 30,
   '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000001', '2026-04-06 07:00:00+00', 1),
  ('40000000-0000-4000-8000-000000000004', '30000000-0000-4000-8000-000000000001', 'Lezione',
   '[2026-04-20 07:00:00+00,2026-04-20 08:00:00+00)', '[2026-04-20 07:00:00+00,2026-04-20 08:15:00+00)', 30,
   '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000002', '2026-04-20 07:00:00+00', 0);
UPDATE users SET time_zone = 'Europe/Rome' WHERE id = '20000000-0000-4000-8000-000000000002';
INSERT INTO booking_invitees (booking_id, series_id, email, locale) VALUES
  ('40000000-0000-4000-8000-000000000001', NULL, 'guest@example.org', 'en'),
  (NULL, '50000000-0000-4000-8000-000000000001', 'student@prova.it', 'it');
INSERT INTO mail_reminders (booking_id, minutes_before, starts_at) VALUES ('40000000-0000-4000-8000-000000000001', 15, '2026-04-01 08:00:00+00');
INSERT INTO calendar_feeds (user_id, room_id, token_hash) VALUES ('20000000-0000-4000-8000-000000000002', NULL, 'feed-hash-1');
