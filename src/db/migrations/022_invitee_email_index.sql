-- A person's invitations by their account's address (GET /api/v1/invitations): without this index
-- each look-up reads every invitee of every booking.
CREATE INDEX booking_invitees_email_idx ON booking_invitees (lower(email));
