-- A co-host: someone invited who enters the meeting as host, as the booker does (a co-teacher, a
-- teaching assistant running the room), through their account's sign-in. The portal's page of the
-- booking stays for those who manage it; a co-host hosts the meeting only.
ALTER TABLE booking_invitees ADD COLUMN cohost boolean NOT NULL DEFAULT false;
