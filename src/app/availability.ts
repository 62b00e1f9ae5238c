// What the calendar shows everyone: busy slots per room (details only where the viewer may manage
// the booking) and the seats left in the licence pool over the range, as a step function.
import { canManageBooking } from '../domain/access.ts';
import type { BookingPolicy } from '../domain/booking-rules.ts';
import { AppError } from '../domain/errors.ts';
import { seatTimeline } from '../domain/seat-pool.ts';
import { DAY } from '../domain/time.ts';
import type { CallContext, UnitOfWork } from '../ports.ts';

export const MAX_AVAILABILITY_DAYS = 62;

export type Availability = {
  from: Date;
  to: Date;
  seatPool: number;
  rooms: {
    roomId: string;
    name: string;
    capacity: number;
    timeZone: string;
    fits: boolean;
    /** bookingId, title, booker and series: only where the viewer may manage the booking (null otherwise). */
    busy: {
      start: Date;
      end: Date;
      blockedUntil: Date;
      bookingId: string | null;
      title: string | null;
      seats: number;
      booker: { id: string; name: string } | null;
      seriesId: string | null;
    }[];
  }[];
  pool: { start: Date; end: Date; seatsUsed: number; seatsLeft: number }[];
};

export async function availability(
  deps: { uow: UnitOfWork; policy: BookingPolicy },
  ctx: CallContext,
  q: { from: Date; to: Date; seats?: number | undefined },
): Promise<Availability> {
  if (q.to.getTime() <= q.from.getTime()) throw new AppError('invalid', 'END_BEFORE_START', '`to` must be after `from`.', {}, { it: '`to` deve essere dopo `from`.' });
  if (q.to.getTime() - q.from.getTime() > MAX_AVAILABILITY_DAYS * DAY) {
    throw new AppError('invalid', 'RANGE_TOO_LARGE', `Ask for at most ${MAX_AVAILABILITY_DAYS} days at a time.`, {}, { it: `Chiedi al massimo ${MAX_AVAILABILITY_DAYS} giorni alla volta.` });
  }
  const [rooms, busy] = await Promise.all([deps.uow.repos.rooms.list(), deps.uow.repos.bookings.busy(q.from, q.to)]);
  const visible = (b: (typeof busy)[number]) => !b.held && canManageBooking(ctx.actor, b);
  // The bookers' names of what the viewer may see, so the calendar needs no second read (the week's
  // bookings, ~640 of them and ~420 KB, were read again only for these names: bench/RESULTS.md).
  const names = await deps.uow.repos.users.namesOf([...new Set(busy.filter(visible).map((b) => b.bookerId))]);
  return {
    from: q.from,
    to: q.to,
    seatPool: deps.policy.seatPool,
    rooms: rooms.map((room) => ({
      roomId: room.id,
      name: room.name,
      capacity: room.capacity,
      timeZone: room.timeZone,
      fits: q.seats === undefined || room.capacity >= q.seats,
      busy: busy
        .filter((b) => b.roomId === room.id)
        .map((b) => {
          const shown = visible(b);
          return {
            start: b.start,
            end: b.end,
            blockedUntil: b.occupiedUntil,
            bookingId: shown ? b.id : null,
            title: shown ? b.title : null,
            seats: b.seats,
            booker: shown ? { id: b.bookerId, name: names.get(b.bookerId) ?? '' } : null,
            // A dragged occurrence asks "this meeting or the whole series" (the calendar read every
            // series of the viewer for this before: up to 101 requests, and none for a new series).
            seriesId: shown ? b.seriesId : null,
          };
        }),
    })),
    pool: seatTimeline(busy, q.from, q.to).map((s) => ({ ...s, seatsLeft: deps.policy.seatPool - s.seatsUsed })),
  };
}
