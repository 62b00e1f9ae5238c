-- Version 15: a guest waiting in the lobby of a Janus room.
INSERT INTO room_admissions (booking_id, ticket_key, name, state, asked_at)
VALUES ('40000000-0000-4000-8000-000000000001', repeat('ab', 32), 'Guest in the lobby', 'waiting', '2026-04-01 07:50:00+00');
