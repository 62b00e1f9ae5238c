import type { Room, Settings } from '../api/types.ts';
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
