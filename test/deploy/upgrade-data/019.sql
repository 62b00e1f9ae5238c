-- Version 19: Maria waits for any room with 20 seats, and holds Aula Magna for another slot.
INSERT INTO waiting_entries (id, user_id, institution_id, room_id, during, seats, title, state) VALUES
  ('50000000-0000-4000-8000-000000000019', '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', NULL,
   '[2026-04-02 08:00:00+00,2026-04-02 09:00:00+00)', 20, 'Seminario in attesa', 'waiting');
INSERT INTO waiting_entries (user_id, institution_id, room_id, during, seats, title, state, held_room_id, held_occupied, hold_expires_at) VALUES
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001',
   '[2026-04-03 08:00:00+00,2026-04-03 09:00:00+00)', 10, 'Riunione tenuta', 'held', '30000000-0000-4000-8000-000000000001',
   '[2026-04-03 08:00:00+00,2026-04-03 09:10:00+00)', '2026-04-01 08:30:00+00');
