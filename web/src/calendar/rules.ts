import type { Availability, Settings } from '../api/types.ts';

/** Why a slot may not be booked, checked in the browser while dragging (the server has the last word). */
export type SlotProblem =
  | { code: 'START_IN_PAST' }
  | { code: 'DURATION_TOO_SHORT'; minutes: number }
  | { code: 'DURATION_TOO_LONG'; minutes: number }
  | { code: 'TOO_FAR_AHEAD'; days: number }
  | { code: 'ROOM_TAKEN'; turnaround: boolean }
  | { code: 'SEATS_OVER_CAPACITY'; capacity: number }
  | { code: 'SEAT_POOL_FULL'; seatsLeft: number };

export interface SlotCandidate {
  roomId: string;
  start: Date;
  end: Date;
  seats: number;
  /** The booking being moved or resized: its own slot and seats don't count against it. */
  bookingId?: string | null;
}

const MINUTE = 60_000;

export function checkSlot(
  slot: SlotCandidate,
  settings: Settings,
  availability: Availability | null,
  now: Date,
): SlotProblem | null {
  const start = slot.start.getTime();
  const end = slot.end.getTime();
  if (start < now.getTime()) return { code: 'START_IN_PAST' };
  const minutes = (end - start) / MINUTE;
  if (minutes < settings.minDurationMinutes) return { code: 'DURATION_TOO_SHORT', minutes: settings.minDurationMinutes };
  if (minutes > settings.maxDurationMinutes) return { code: 'DURATION_TOO_LONG', minutes: settings.maxDurationMinutes };
  if (start > now.getTime() + settings.maxDaysAhead * 24 * 60 * MINUTE) {
    return { code: 'TOO_FAR_AHEAD', days: settings.maxDaysAhead };
  }
  if (!availability) return null;

  const room = availability.rooms.find((r) => r.roomId === slot.roomId);
  if (room) {
    if (slot.seats > room.capacity) return { code: 'SEATS_OVER_CAPACITY', capacity: room.capacity };
    const turnaround = settings.turnaroundMinutes * MINUTE;
    for (const busy of room.busy) {
      if (slot.bookingId && busy.bookingId === slot.bookingId) continue;
      const busyStart = Date.parse(busy.start);
      const busyEnd = Date.parse(busy.end);
      const blockedUntil = Date.parse(busy.blockedUntil);
      // The room needs its turnaround after every booking, ours included.
      if (start < blockedUntil && end + turnaround > busyStart) {
        return { code: 'ROOM_TAKEN', turnaround: !(start < busyEnd && end > busyStart) };
      }
    }
  }

  const ownSeats = ownSeatsDuring(slot, availability);
  for (const step of availability.pool) {
    const stepStart = Date.parse(step.start);
    const stepEnd = Date.parse(step.end);
    if (stepStart >= end || stepEnd <= start) continue;
    const released = ownSeats.find(([s, e]) => s < stepEnd && e > stepStart)?.[2] ?? 0;
    const left = step.seatsLeft + released;
    if (left < slot.seats) return { code: 'SEAT_POOL_FULL', seatsLeft: Math.max(0, left) };
  }
  return null;
}

/** Where the booking being moved currently holds seats (they come back when it moves). */
function ownSeatsDuring(slot: SlotCandidate, availability: Availability): Array<[number, number, number]> {
  if (!slot.bookingId) return [];
  const spans: Array<[number, number, number]> = [];
  for (const room of availability.rooms) {
    for (const busy of room.busy) {
      if (busy.bookingId === slot.bookingId) spans.push([Date.parse(busy.start), Date.parse(busy.end), busy.seats]);
    }
  }
  return spans;
}

/** The pool's step function as sorted numbers, parsed once per availability answer. */
export interface PoolSteps {
  starts: Float64Array;
  ends: Float64Array;
  left: Int32Array;
}

const parsedPools = new WeakMap<Availability, PoolSteps>();

export function poolSteps(availability: Availability): PoolSteps {
  let steps = parsedPools.get(availability);
  if (!steps) {
    const sorted = [...availability.pool].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    steps = {
      starts: Float64Array.from(sorted, (s) => Date.parse(s.start)),
      ends: Float64Array.from(sorted, (s) => Date.parse(s.end)),
      left: Int32Array.from(sorted, (s) => s.seatsLeft),
    };
    parsedPools.set(availability, steps);
  }
  return steps;
}

/** Lowest seatsLeft of the pool over [from, to), or null when the pool says nothing about it. */
export function lowestSeatsLeft(availability: Availability, from: number, to: number): number | null {
  const { starts, ends, left } = poolSteps(availability);
  // First step that ends after `from` (binary search), then walk while steps start before `to`.
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! <= from) lo = mid + 1;
    else hi = mid;
  }
  let lowest: number | null = null;
  for (let i = lo; i < starts.length && starts[i]! < to; i++) {
    lowest = lowest === null ? left[i]! : Math.min(lowest, left[i]!);
  }
  return lowest;
}
