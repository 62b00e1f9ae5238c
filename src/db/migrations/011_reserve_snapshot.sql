-- One round trip for the competitive start of a booking (issue #13): the seat-pool locks, then the
-- seat usage and the rooms' occupancy read after them. They were three statements, each a round
-- trip while the transaction holds its locks. A function, not one statement: in READ COMMITTED each
-- statement of a PL/pgSQL function takes a fresh snapshot, so the reads see every booking committed
-- by whoever held a lock before us; one SELECT with the lock in a CTE would read with the snapshot
-- taken before the lock was granted, and the seat pool would no longer be exact.
CREATE FUNCTION wm_reserve_snapshot(lock_class integer, hours bigint[], pool tstzmultirange, room_ids uuid[], rooms_occupied tstzmultirange)
RETURNS TABLE (kind text, room_id uuid, start timestamptz, "end" timestamptz, occupied_until timestamptz, booking_id uuid, booker_id uuid, seats integer)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- In ascending order of hour, as lockSeatPool does (no deadlock between bookers).
  PERFORM pg_advisory_xact_lock(lock_class, t.h::integer) FROM unnest(hours) WITH ORDINALITY AS t(h, n) ORDER BY t.n;
  RETURN QUERY
    SELECT 'seat'::text, NULL::uuid, lower(b.during), upper(b.during), NULL::timestamptz, NULL::uuid, NULL::uuid, b.seats
      FROM bookings b WHERE b.status = 'confirmed' AND b.during && pool;
  RETURN QUERY
    SELECT 'room'::text, b.room_id, lower(b.during), upper(b.during), upper(b.occupied), b.id, b.booker_id, b.seats
      FROM bookings b WHERE b.room_id = ANY (room_ids) AND b.status = 'confirmed' AND b.occupied && rooms_occupied
     ORDER BY lower(b.during);
END
$$;
