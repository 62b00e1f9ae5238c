// Slots the calendar makes from a click, and the full form's address for a slot: pure, so unit-tested.
import { wallClock, zonedToInstant } from './zone.ts';

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** A click on free space books this long (or the shortest allowed booking, when longer). */
export const CLICK_MINUTES = 60;

/**
 * The slot a click at wall-clock `at` ("YYYY-MM-DDTHH:mm[:ss]") means: the half hour under the
 * pointer, for an hour (within the portal's shortest and longest booking). Wall-clock strings out.
 */
export function slotFromClick(at: string, minMinutes: number, maxMinutes: number): { start: string; end: string } {
  const minutes = Number(at.slice(11, 13)) * 60 + Number(at.slice(14, 16));
  const start = `${at.slice(0, 11)}${hhmm(minutes - (minutes % 30))}`;
  const length = Math.min(Math.max(CLICK_MINUTES, minMinutes), maxMinutes);
  // Plain arithmetic on the wall clock: UTC has no gaps, so "an hour later" stays an hour later.
  const end = wallClock(zonedToInstant(start, 'UTC').getTime() + length * 60_000, 'UTC').slice(0, 16);
  return { start, end };
}

/** The full booking form's address for a slot (instants, in the room's zone) and what was typed so far. */
export function fullFormAddress(
  slot: { roomId: string; timeZone: string; start: string; end: string },
  typed: { title: string; seats: string; description: string; owner?: { id: string; name: string } | null },
): string {
  const start = wallClock(slot.start, slot.timeZone);
  const end = wallClock(slot.end, slot.timeZone);
  const query = new URLSearchParams({ roomId: slot.roomId, date: start.slice(0, 10), start: start.slice(11, 16), end: end.slice(11, 16) });
  // A slot past midnight does not fit the form's one date: the form then asks for the end.
  if (end.slice(0, 10) !== start.slice(0, 10)) query.delete('end');
  if (typed.seats.trim()) query.set('seats', typed.seats.trim());
  if (typed.title.trim()) query.set('title', typed.title.trim());
  if (typed.description.trim()) query.set('description', typed.description.trim());
  // "Book for" goes along: the form picks the same person.
  if (typed.owner) {
    query.set('ownerId', typed.owner.id);
    query.set('ownerName', typed.owner.name);
  }
  return `/bookings/new?${query}`;
}
