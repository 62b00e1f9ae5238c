-- Version 17: a room on approval, a pending request and an approved one with its booking.
UPDATE rooms SET on_approval = true WHERE id = '30000000-0000-4000-8000-000000000001';
INSERT INTO booking_requests (id, requester_id, institution_id, room_id, title, seats, start_at, end_at, reason, asked_for, state, decided_by, decided_at, booking_id) VALUES
  ('a0000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', NULL,
   'Convegno annuale', 900, '2026-05-10 07:00:00+00', '2026-05-10 16:00:00+00', 'Convegno con ospiti esterni', 'NO_ROOM_FITS', 'pending', NULL, NULL, NULL),
  ('a0000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001',
   'Consiglio di dipartimento', 40, '2026-04-01 08:00:00+00', '2026-04-01 10:00:00+00', 'Aula su approvazione', 'ROOM_ON_APPROVAL', 'approved',
   '20000000-0000-4000-8000-000000000001', '2026-03-25 09:00:00+00', '40000000-0000-4000-8000-000000000001');
