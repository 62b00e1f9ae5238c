// "Nearest free slots": when a booking loses (room taken, seat pool full), offer slots of the same
// length that would have been accepted, so the person can pick one at once. Candidates step outwards
// from the requested start; the same room comes first, then other rooms that fit.
import type { BookingPolicy, Slot } from './booking-rules.ts';
import { earliestStart, latestStart } from './booking-rules.ts';
import { MINUTE, HOUR } from './time.ts';
import { peakSeats } from './seat-pool.ts';

export type SuggestionRoom = { id: string; name: string; capacity: number; active: boolean };
export type BusySlot = { roomId: string; start: Date; end: Date; seats: number };
export type Suggestion = { roomId: string; roomName: string; start: Date; end: Date };

export type SuggestionRequest = {
  slot: Slot;
  seats: number;
  /** The room asked for; null when the booker asked for "any room with N seats". */
  roomId: string | null;
  rooms: readonly SuggestionRoom[];
  /** Confirmed bookings around the slot, without the booking being moved. */
  busy: readonly BusySlot[];
  policy: BookingPolicy;
  now: Date;
  searchHours?: number;
  perGroup?: number;
};

/** True when [slot] in `roomId` keeps the turnaround free on both sides of every other booking. */
export function roomFree(roomId: string, slot: Slot, busy: readonly BusySlot[], turnaroundMinutes: number): boolean {
  const t = turnaroundMinutes * MINUTE;
  const s = slot.start.getTime();
  const e = slot.end.getTime();
  return !busy.some((b) => b.roomId === roomId && s < b.end.getTime() + t && b.start.getTime() < e + t);
}

export function nearestFreeSlots(req: SuggestionRequest): Suggestion[] {
  const { slot, seats, policy, busy, now } = req;
  const perGroup = req.perGroup ?? 3;
  const step = Math.max(policy.granularityMinutes, 15) * MINUTE;
  const length = slot.end.getTime() - slot.start.getTime();
  const range = (req.searchHours ?? 72) * HOUR;
  const earliest = earliestStart(now, policy).getTime();
  const latest = latestStart(now, policy).getTime();
  const fitting = req.rooms.filter((r) => r.active && r.capacity >= seats).sort((a, b) => a.capacity - b.capacity);
  const sameRoom = fitting.filter((r) => r.id === req.roomId);
  const otherRooms = fitting.filter((r) => r.id !== req.roomId);

  // Candidate starts: a regular grid around the request, plus the exact edges where a slot opens
  // (right after another meeting and its turnaround, or just before one), nearest first and, at
  // equal distance, later before earlier.
  const t = policy.turnaroundMinutes * MINUTE;
  const grid = policy.granularityMinutes * MINUTE;
  const origin = slot.start.getTime();
  const starts = new Set<number>([origin]);
  for (let k = 1; k * step <= range; k++) starts.add(origin + k * step).add(origin - k * step);
  for (const b of busy) {
    for (const edge of [b.end.getTime() + t, b.start.getTime() - t - length, b.end.getTime(), b.start.getTime() - length]) {
      if (Math.abs(edge - origin) <= range && edge % grid === 0) starts.add(edge);
    }
  }
  const offsets = [...starts].map((s) => s - origin).sort((a, b) => Math.abs(a) - Math.abs(b) || b - a);

  const poolFits = (candidate: Slot) => peakSeats(busy, candidate.start, candidate.end).seatsUsed + seats <= policy.seatPool;

  const search = (rooms: SuggestionRoom[], skipRequested: boolean): Suggestion[] => {
    const found: Suggestion[] = [];
    for (const off of offsets) {
      const start = origin + off;
      if (start < earliest || start > latest) continue;
      const candidate = { start: new Date(start), end: new Date(start + length) };
      let poolOk: boolean | undefined;
      for (const room of rooms) {
        if (skipRequested && off === 0 && room.id === req.roomId) continue;
        if (!roomFree(room.id, candidate, busy, policy.turnaroundMinutes)) continue;
        poolOk ??= poolFits(candidate);
        if (!poolOk) break;
        found.push({ roomId: room.id, roomName: room.name, start: candidate.start, end: candidate.end });
        break; // one room per time: the smallest that fits
      }
      if (found.length >= perGroup) break;
    }
    return found;
  };

  return [...search(sameRoom, true), ...search(otherRooms, false)];
}
