import type { Booking, Room, Settings } from '../api/types.ts';
import { zonedToInstant } from '../calendar/zone.ts';
import type { BookingFormValues } from '../bookings/bookingForm.ts';

/** A form with these values carried over, in the query names both the booking and the request form read. */
function withValues(path: string, v: BookingFormValues): string {
  const q = new URLSearchParams();
  const put = (k: string, value: string) => value.trim() && q.set(k, value.trim());
  put('title', v.title);
  put('description', v.description);
  put('roomId', v.roomId);
  put('date', v.date);
  put('start', v.startTime);
  put('end', v.endTime);
  put('seats', v.seats);
  return `${path}?${q.toString()}`;
}

/** The request form with a refused booking's values. */
export const askPath = (v: BookingFormValues): string => withValues('/requests/new', v);

/** The booking form with a request's values, for a request that needs no approval (NOTHING_TO_ASK). */
export const bookPath = (v: BookingFormValues): string => withValues('/bookings/new', v);

const WEEK = 7 * 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The booking form for the same meeting again: its room, seats, title, description and local times,
 * on the same weekday a week after it, or the first such day still to come for a meeting long past.
 * For someone else (booked for them, or seen by a manager or an administrator): for them again.
 */
export function bookAgainPath(b: Booking, viewerId: string, now = Date.now()): string {
  const day = b.startLocal.slice(0, 10);
  const start = b.startLocal.slice(11, 16);
  const startAt = (d: string) => zonedToInstant(`${d}T${start}`, b.timeZone).getTime();
  let date = plusDays(day, 7 * Math.max(1, Math.ceil((now - Date.parse(b.start)) / WEEK)));
  if (startAt(date) <= now) date = plusDays(date, 7); // a daylight-saving hour between
  const path = bookPath({ roomId: b.roomId, date, startTime: start, endTime: b.endLocal.slice(11, 16), seats: String(b.seats), title: b.title, description: b.description ?? '' });
  if (b.booker.id === viewerId) return path;
  return `${path}&${new URLSearchParams({ ownerId: b.booker.id, ownerName: b.booker.name }).toString()}`;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * What the form itself refuses but an administrator may grant (the API says `askable` for the
 * rest): longer than the maximum, more seats than the room, a room on approval.
 */
export function beyondSelfService(v: BookingFormValues, room: Room | undefined, settings: Settings): boolean {
  if (room?.onApproval) return true;
  if (room && Number(v.seats) > room.capacity) return true;
  if (!/^\d{2}:\d{2}$/.test(v.startTime) || !/^\d{2}:\d{2}$/.test(v.endTime)) return false;
  return minutes(v.endTime) - minutes(v.startTime) > settings.maxDurationMinutes;
}
