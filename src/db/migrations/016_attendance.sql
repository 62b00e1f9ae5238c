-- Attendance (issue #15): who was in a meeting, from when to when, for its booker and managers
-- (proof of attendance for training courses). One row per person per meeting: the portal writes it
-- when someone enters through /join or /g, and the minute sampler moves `last_seen` on and adds the
-- time while the service still lists the person (or the phone conference still holds the caller).
-- Rows older than the retention setting (ATTENDANCE_RETENTION_MONTHS) go.
CREATE TABLE attendance (
  booking_id uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  -- Who, as the sources name them: 'user:<account id>', 'guest:<join id>', 'phone:<channel id>',
  -- or 'web:<the service's user id>' for someone the service lists but the portal did not let in.
  who_key text NOT NULL CHECK (char_length(who_key) BETWEEN 3 AND 300),
  kind text NOT NULL CHECK (kind IN ('web', 'guest', 'phone')),
  -- The account's name, the name a guest gave, or a phone number already masked (never in full).
  display text NOT NULL CHECK (char_length(display) BETWEEN 1 AND 200),
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL CHECK (last_seen >= first_seen),
  total_seconds integer NOT NULL DEFAULT 0 CHECK (total_seconds >= 0),
  PRIMARY KEY (booking_id, who_key)
);
CREATE INDEX attendance_last_seen_idx ON attendance (last_seen);

-- Recordings (issue #15) are asked of the service after the meeting, when the pipeline has already
-- released the room and cleared `meeting_ref` (to SQL NULL or JSON null): the last reference is
-- kept beside it for that.
ALTER TABLE provider_meetings ADD COLUMN last_meeting_ref jsonb;
CREATE FUNCTION provider_meetings_keep_last_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.last_meeting_ref := OLD.meeting_ref;
  RETURN NEW;
END $$;
CREATE TRIGGER provider_meetings_keep_last_ref BEFORE UPDATE OF meeting_ref ON provider_meetings
  FOR EACH ROW WHEN (jsonb_typeof(OLD.meeting_ref) = 'object' AND (NEW.meeting_ref IS NULL OR jsonb_typeof(NEW.meeting_ref) = 'null')) EXECUTE FUNCTION provider_meetings_keep_last_ref();
