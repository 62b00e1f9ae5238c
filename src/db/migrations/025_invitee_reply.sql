-- An invitee answers from the link in their mails, without an account: whether they will come (the
-- booker sees who), and whether they want mail about this meeting at all (also by the one-click
-- unsubscribe of RFC 8058). The link's secret is kept as it is, not as a hash: every later mail
-- about the meeting (an update, a reminder, composed by a job) writes the same link again, as the
-- guest link's token is kept. Two UUIDv4 give 244 random bits; the default fills existing rows.
ALTER TABLE booking_invitees
  ADD COLUMN reply_token text NOT NULL DEFAULT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
  ADD COLUMN reply text CHECK (reply IN ('yes', 'no')),
  ADD COLUMN replied_at timestamptz,
  ADD COLUMN muted boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX booking_invitees_reply_token_key ON booking_invitees (reply_token);
