-- Version 5: an audio conference with its two PINs and a caller on the line.
INSERT INTO audio_conferences (booking_id, owner_id, dial_window)
VALUES ('40000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001', '[2026-04-01 07:45:00+00,2026-04-01 10:15:00+00)');
INSERT INTO audio_pins (booking_id, role, pin, owner_id, dial_window) VALUES
  ('40000000-0000-4000-8000-000000000001', 'participant', '1234567', '40000000-0000-4000-8000-000000000001', '[2026-04-01 07:45:00+00,2026-04-01 10:15:00+00)'),
  ('40000000-0000-4000-8000-000000000001', 'host', '7654321', '40000000-0000-4000-8000-000000000001', '[2026-04-01 07:45:00+00,2026-04-01 10:15:00+00)');
INSERT INTO phone_participants (channel_id, booking_id, role, caller) VALUES ('chan-1', '40000000-0000-4000-8000-000000000001', 'participant', '+393471234567');
