-- Waiting lists (issue #17): "tell me if it frees". A person waits for a slot (a room, or any room
-- that fits); when a cancellation or a shortened meeting frees it, the first one waiting whose
-- request now fits gets it held for a while (WAITLIST_HOLD_MINUTES), then confirms or lets go.
--
-- A hold is a row here, not a booking with a status 'held'. Every query that means "a meeting" reads
-- bookings WHERE status = 'confirmed' (provisioning, mails, reminders, calendars, feeds, statistics,
-- joins, and what other changes add); a held booking row would have to be excluded from each of them
-- for ever, and one forgotten place would provision or mail a meeting nobody booked. A hold only has
-- to weigh where a booking is judged: the seat pool and the room's occupancy, which every booking
-- reads under the seat-pool advisory locks (wm_reserve_snapshot below, and the reads of a change in
-- booking-repository.ts after lockSeatPool). Holds are made and released under the same locks, so
-- those reads are exact without an exclusion constraint; the constraint keeps deciding between
-- bookings, and a hold turns into a booking only through the same rules (app/waiting-list.ts).
CREATE TABLE waiting_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- First come, first served: the order of joining, exact even within one clock tick.
  position bigint GENERATED ALWAYS AS IDENTITY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  institution_id uuid REFERENCES institutions (id),
  -- NULL: any room that fits the seats (smallest first), as a booking without roomId.
  room_id uuid REFERENCES rooms (id),
  during tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
  seats integer NOT NULL CHECK (seats > 0),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  state text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'held', 'booked', 'expired', 'withdrawn')),
  -- While held: the room held, its occupied time (turnaround included) and when the hold ends.
  held_room_id uuid REFERENCES rooms (id),
  held_occupied tstzrange,
  hold_expires_at timestamptz,
  booking_id uuid REFERENCES bookings (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'held' OR (held_room_id IS NOT NULL AND held_occupied IS NOT NULL AND hold_expires_at IS NOT NULL)),
  CHECK (state <> 'booked' OR booking_id IS NOT NULL)
);
CREATE INDEX waiting_entries_user ON waiting_entries (user_id, position);
CREATE INDEX waiting_entries_waiting ON waiting_entries USING gist (during) WHERE state = 'waiting';
CREATE INDEX waiting_entries_held ON waiting_entries USING gist (during) WHERE state = 'held';
CREATE INDEX waiting_entries_held_rooms ON waiting_entries USING gist (held_occupied) WHERE state = 'held';
CREATE INDEX waiting_entries_hold_expiry ON waiting_entries (hold_expires_at) WHERE state = 'held';
-- One open entry per person, room choice and slot: joining twice answers the same entry.
CREATE UNIQUE INDEX waiting_entries_open ON waiting_entries (user_id, coalesce(room_id, '00000000-0000-0000-0000-000000000000'::uuid), during)
  WHERE state IN ('waiting', 'held');

-- The snapshot of migration 011, with holds: their seats weigh on the pool and their room is
-- occupied, for everyone but their holder (the caller filters on booker_id: kinds 'held-seat' and
-- 'held-room', booking_id is the waiting entry's id).
CREATE OR REPLACE FUNCTION wm_reserve_snapshot(lock_class integer, hours bigint[], pool tstzmultirange, room_ids uuid[], rooms_occupied tstzmultirange)
RETURNS TABLE (kind text, room_id uuid, start timestamptz, "end" timestamptz, occupied_until timestamptz, booking_id uuid, booker_id uuid, seats integer)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_class, t.h::integer) FROM unnest(hours) WITH ORDINALITY AS t(h, n) ORDER BY t.n;
  RETURN QUERY
    SELECT 'seat'::text, NULL::uuid, lower(b.during), upper(b.during), NULL::timestamptz, NULL::uuid, NULL::uuid, b.seats
      FROM bookings b WHERE b.status = 'confirmed' AND b.during && pool;
  RETURN QUERY
    SELECT 'held-seat'::text, NULL::uuid, lower(w.during), upper(w.during), NULL::timestamptz, w.id, w.user_id, w.seats
      FROM waiting_entries w WHERE w.state = 'held' AND w.during && pool;
  RETURN QUERY
    SELECT 'room'::text, b.room_id, lower(b.during), upper(b.during), upper(b.occupied), b.id, b.booker_id, b.seats
      FROM bookings b WHERE b.room_id = ANY (room_ids) AND b.status = 'confirmed' AND b.occupied && rooms_occupied
     ORDER BY lower(b.during);
  RETURN QUERY
    SELECT 'held-room'::text, w.held_room_id, lower(w.during), upper(w.during), upper(w.held_occupied), w.id, w.user_id, w.seats
      FROM waiting_entries w WHERE w.held_room_id = ANY (room_ids) AND w.state = 'held' AND w.held_occupied && rooms_occupied
     ORDER BY lower(w.during);
END
$$;
