-- Version 3: provisioning state of a meeting, its attempts, a guest link, the runs table.
INSERT INTO provider_meetings (booking_id, provider, state, meeting_ref, attempts, due_at, dirty)
VALUES ('40000000-0000-4000-8000-000000000001', 'jitsi', 'ready', '{"id": "wm-room-1", "url": "https://meet.example.org/wm-room-1"}', 1, '2026-04-01 10:15:00+00', false);
INSERT INTO provisioning_attempts (booking_id, provider, action, ok, duration_ms) VALUES ('40000000-0000-4000-8000-000000000001', 'jitsi', 'prepare', true, 12);
INSERT INTO guest_links (booking_id, token, policy, pin) VALUES ('40000000-0000-4000-8000-000000000001', 'abcdefghijklmnopqrstuvwx', 'pin', '4321');
INSERT INTO provisioning_runs (name, last_run_at) VALUES ('reconcile', '2026-03-20 09:00:00+00');
