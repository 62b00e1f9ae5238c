// The rules a single booking must satisfy before it competes for a room and seats. The database
// enforces the competitive ones (overlap, seat pool, quota) under concurrency; these are the ones
// that depend only on the request, the room and the clock.
import { AppError, unprocessable } from './errors.ts';
import { MINUTE, DAY, zoneOffsetMinutes } from './time.ts';

export type BookingPolicy = {
  seatPool: number;
  turnaroundMinutes: number;
  minDurationMinutes: number;
  maxDurationMinutes: number;
  maxDaysAhead: number;
  /** Most seats one booking may take by itself (self-service); null: no limit. More is asked for. */
  maxSeatsPerBooking?: number | null | undefined;
  granularityMinutes: number;
  defaultTimeZone: string;
};

export type Slot = { start: Date; end: Date };

/**
 * No booking lasts longer, whatever the settings or an approval say: the calendar's queries bound
 * their index scans by it (db/booking-repository.ts list()), so a longer one would drop out of them.
 */
export const LONGEST_BOOKING_MINUTES = 7 * 24 * 60;

export type RoomFacts = { name: string; capacity: number; timeZone: string; active: boolean; onApproval?: boolean | undefined };

/** Start of the grid step that contains `now`: the meeting running now may still be booked. */
export function earliestStart(now: Date, policy: BookingPolicy): Date {
  const step = policy.granularityMinutes * MINUTE;
  return new Date(Math.floor(now.getTime() / step) * step);
}

export function latestStart(now: Date, policy: BookingPolicy): Date {
  return new Date(now.getTime() + policy.maxDaysAhead * DAY);
}

/** Whether the room's local time at `instant` is a whole minute whose minute of the hour is on the grid. */
export function onGrid(instant: Date, zone: string, granularityMinutes: number): boolean {
  // The offset from the per-hour cache (domain/time.ts): Luxon here was the largest part of a
  // booking request's own rules in the portal's profile (issue #13).
  const local = instant.getTime() + zoneOffsetMinutes(instant, zone) * MINUTE;
  if (!Number.isInteger(local) || mod(local, MINUTE) !== 0) return false;
  return mod(local / MINUTE, 60) % granularityMinutes === 0;
}

const mod = (n: number, m: number) => ((n % m) + m) % m;

/**
 * Checks a slot's own rules. `startUnchanged` is set when an existing booking is resized without
 * moving its start: a meeting under way may be extended although its start is past.
 */
export function checkSlot(slot: Slot, zone: string, policy: BookingPolicy, now: Date, startUnchanged = false): void {
  checkShape(slot, zone, policy);
  const { start, end } = slot;
  if (startUnchanged) {
    if (end.getTime() <= now.getTime()) throw unprocessable('END_IN_PAST', 'The new end is in the past.', { it: 'La nuova fine è nel passato.' });
  } else if (start.getTime() < earliestStart(now, policy).getTime()) {
    throw unprocessable('START_IN_PAST', 'The start is in the past. Choose a start from now on.', { it: 'L’inizio è nel passato. Scegli un inizio da adesso in poi.' });
  }
  if (start.getTime() > latestStart(now, policy).getTime()) {
    throw unprocessable('TOO_FAR_AHEAD', `Bookings open ${policy.maxDaysAhead} days ahead; choose an earlier date.`, {
      it: `Si può prenotare fino a ${policy.maxDaysAhead} giorni in anticipo; scegli una data più vicina.`,
    });
  }
}

/**
 * The rules of a slot that do not depend on its date: end after start, the grid, the duration. A
 * series-wide edit (a new time of day or length) breaks them for every date or for none.
 */
export function checkShape(slot: Slot, zone: string, policy: BookingPolicy): void {
  const { start, end } = slot;
  if (end.getTime() <= start.getTime()) {
    throw unprocessable('END_BEFORE_START', 'The end must be after the start.', { it: 'La fine deve essere dopo l’inizio.' });
  }
  const g = policy.granularityMinutes;
  if (!onGrid(start, zone, g) || !onGrid(end, zone, g)) {
    throw unprocessable('NOT_ON_GRID', `Start and end must fall on the ${g}-minute grid (for example 10:00, 10:${String(g).padStart(2, '0')}).`, {
      it: `Inizio e fine devono cadere sulla griglia di ${g} minuti (per esempio 10:00, 10:${String(g).padStart(2, '0')}).`,
    });
  }
  const minutes = (end.getTime() - start.getTime()) / MINUTE;
  if (minutes < policy.minDurationMinutes) {
    throw unprocessable('DURATION_TOO_SHORT', `A booking lasts at least ${policy.minDurationMinutes} minutes; this one lasts ${minutes}.`, {
      it: `Una prenotazione dura almeno ${policy.minDurationMinutes} minuti; questa ne dura ${minutes}.`,
    });
  }
  if (minutes > policy.maxDurationMinutes) {
    // `beyondApproval`: longer than any booking may last, so not worth asking an administrator for.
    throw unprocessable(
      'DURATION_TOO_LONG',
      `A booking lasts at most ${formatMinutes(policy.maxDurationMinutes)}; this one lasts ${formatMinutes(minutes)}.`,
      { it: `Una prenotazione dura al massimo ${formatMinutes(policy.maxDurationMinutes)}; questa dura ${formatMinutes(minutes)}.` },
      minutes > LONGEST_BOOKING_MINUTES ? { beyondApproval: true } : {},
    );
  }
}

export function checkSeats(seats: number, room: RoomFacts): void {
  if (!Number.isInteger(seats) || seats < 1) {
    throw new AppError('invalid', 'VALIDATION_FAILED', 'seats must be a whole number of at least 1.', {}, { it: 'seats (i posti) deve essere un numero intero, almeno 1.' });
  }
  if (seats > room.capacity) {
    throw unprocessable('SEATS_OVER_CAPACITY', `${room.name} holds ${room.capacity} participants; ${seats} were asked for. Choose a larger room or fewer seats.`, {
      it: `${room.name} ha ${room.capacity} posti; ne sono stati chiesti ${seats}. Scegli un’aula più grande o meno posti.`,
    });
  }
}

/** Self-service: one booking takes at most its share of the seat pool (MAX_SEATS_PER_BOOKING). */
export function checkSeatShare(seats: number, policy: Pick<BookingPolicy, 'maxSeatsPerBooking'>): void {
  const share = policy.maxSeatsPerBooking;
  if (share && seats > share) {
    throw new AppError('unprocessable', 'SEATS_OVER_SHARE', `One booking may take at most ${share} seats by itself; ${seats} were asked for. Ask an administrator for more, or choose fewer seats.`, { maxSeats: share }, {
      it: `Una prenotazione può prendere da sola al massimo ${share} posti; ne sono stati chiesti ${seats}. Chiedine di più a un amministratore, o scegli meno posti.`,
    });
  }
}

/** Self-service: a room an administrator marked "on approval" is asked for, not booked. */
export function checkOnApproval(room: RoomFacts, named: boolean): void {
  if (!room.onApproval) return;
  throw named
    ? new AppError('unprocessable', 'ROOM_ON_APPROVAL', `${room.name} is booked on an administrator's approval: ask for it, with a reason.`, {}, {
        it: `${room.name} si prenota con l’approvazione di un amministratore: chiedila, con una motivazione.`,
      })
    : new AppError('unprocessable', 'ROOM_ON_APPROVAL', 'Every room that fits is booked on an administrator\'s approval: ask for one, with a reason.', {}, {
        it: 'Ogni aula adatta si prenota con l’approvazione di un amministratore: chiedine una, con una motivazione.',
      });
}

export function checkRoomActive(room: RoomFacts): void {
  if (!room.active) throw unprocessable('ROOM_INACTIVE', `${room.name} is out of service and cannot be booked.`, { it: `${room.name} è fuori servizio e non si può prenotare.` });
}

/** A booking that has ended is history: it can be read, not changed. */
export function checkNotEnded(slot: Slot, now: Date): void {
  if (slot.end.getTime() <= now.getTime()) {
    throw unprocessable('BOOKING_ENDED', 'This booking has already ended and can no longer be changed.', { it: 'Questa prenotazione è già terminata e non si può più modificare.' });
  }
}

export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`;
}

/** Hours a slot counts against an institution's monthly quota. */
export const slotHours = (slot: Slot) => (slot.end.getTime() - slot.start.getTime()) / (60 * MINUTE);
