import type { TFunction } from 'i18next';
import { requestField } from '../api/client.ts';
import type { Room, Settings } from '../api/types.ts';
import { zonedToInstant } from '../calendar/zone.ts';
import { timeOfDayError } from '../ui/timeEntry.ts';

export interface BookingFormValues {
  roomId: string; // '' = any room with enough seats
  date: string; // YYYY-MM-DD
  startTime: string; // HH:mm
  endTime: string; // HH:mm
  seats: string;
  title: string;
  description: string;
}

export type FormField = keyof BookingFormValues;
export type FormErrors = Partial<Record<FormField, string>>;

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The checks the API makes, said in the page's language before the request is sent. */
export function validateBooking(
  v: BookingFormValues,
  room: Room | undefined,
  zone: string,
  settings: Settings,
  t: TFunction,
  now = new Date(),
): FormErrors {
  const errors: FormErrors = {};
  if (!v.title.trim()) errors.title = t('form.errors.titleRequired');
  const seats = Number(v.seats);
  if (!v.seats.trim() || !Number.isInteger(seats) || seats < 1) errors.seats = t('form.errors.seatsPositive');
  else if (room && seats > room.capacity) errors.seats = t('problems.SEATS_OVER_CAPACITY_N', { capacity: room.capacity });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v.date)) errors.date = t('form.errors.dateRequired');
  const startProblem = timeOfDayError(v.startTime);
  const endProblem = timeOfDayError(v.endTime);
  if (startProblem) errors.startTime = t(startProblem);
  if (endProblem) errors.endTime = t(endProblem);
  if (errors.date || errors.startTime || errors.endTime) return errors;

  const start = toMinutes(v.startTime);
  const end = toMinutes(v.endTime);
  const minutes = end - start;
  if (minutes <= 0) errors.endTime = t('problems.END_BEFORE_START');
  else if (minutes < settings.minDurationMinutes) errors.endTime = t('rules.DURATION_TOO_SHORT', { minutes: settings.minDurationMinutes });
  else if (minutes > settings.maxDurationMinutes) errors.endTime = t('rules.DURATION_TOO_LONG', { minutes: settings.maxDurationMinutes });
  const grid = settings.granularityMinutes;
  if (grid > 1 && (start % grid !== 0 || end % grid !== 0)) errors.startTime = t('rules.NOT_ON_GRID', { minutes: grid });
  if (zonedToInstant(`${v.date}T${v.startTime}`, zone).getTime() < now.getTime()) errors.startTime = t('rules.START_IN_PAST');
  return errors;
}

/** Where the API's rule codes belong in the form. */
export const FIELD_OF_CODE: Record<string, FormField> = {
  START_IN_PAST: 'startTime',
  NOT_ON_GRID: 'startTime',
  NONEXISTENT_LOCAL_TIME: 'startTime',
  DURATION_TOO_SHORT: 'endTime',
  DURATION_TOO_LONG: 'endTime',
  END_BEFORE_START: 'endTime',
  TOO_FAR_AHEAD: 'date',
  SEATS_OVER_CAPACITY: 'seats',
  NO_ROOM_FITS: 'roomId',
  ROOM_INACTIVE: 'roomId',
};

/** The API's field paths ("body.start", "body.seats") to form fields. */
export function fieldOfPath(path: string): FormField | null {
  const name = requestField(path);
  switch (name) {
    case 'title':
    case 'description':
    case 'seats':
    case 'roomId':
      return name;
    case 'start':
      return 'startTime';
    case 'end':
      return 'endTime';
    default:
      return null;
  }
}
