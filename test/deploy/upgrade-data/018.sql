-- Version 18: the admin named Maria's delegate and she accepted; a booking the admin made for Maria.
INSERT INTO delegations (person_id, delegate_id, status, created_at, accepted_at) VALUES
  ('20000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001', 'accepted', '2026-03-10 09:00:00+00', '2026-03-10 10:00:00+00');
UPDATE bookings SET booked_by = '20000000-0000-4000-8000-000000000001' WHERE id = '40000000-0000-4000-8000-000000000002';
