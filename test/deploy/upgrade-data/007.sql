-- Version 7: a wrong guest PIN tried on the guest link of version 3.
INSERT INTO guest_pin_failures (link_id, address, at) VALUES ('40000000-0000-4000-8000-000000000001', '198.51.100.7', '2026-04-01 07:55:00+00');
