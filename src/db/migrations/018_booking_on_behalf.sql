-- Booking on behalf (issue #17): a booking (and a series) keeps its owner in booker_id, so every
-- query about "whose booking" stays right, and names in booked_by the person who made it for them
-- (NULL: the owner booked it). A person names delegates who, once they accept, may book for them;
-- either may end it (the row goes). Institution managers and admins need no delegation.
ALTER TABLE bookings ADD COLUMN booked_by uuid REFERENCES users (id);
ALTER TABLE booking_series ADD COLUMN booked_by uuid REFERENCES users (id);
-- "My bookings" lists the bookings a person made for others beside their own.
CREATE INDEX bookings_booked_by_idx ON bookings (booked_by, lower(during)) WHERE booked_by IS NOT NULL;

CREATE TABLE delegations (
  person_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  delegate_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz,
  PRIMARY KEY (person_id, delegate_id),
  CHECK (person_id <> delegate_id),
  CHECK ((status = 'accepted') = (accepted_at IS NOT NULL))
);
CREATE INDEX delegations_delegate_idx ON delegations (delegate_id);
