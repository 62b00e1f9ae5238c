// The portal as the reservation system of an institution's own Jitsi deployment (Jitsi handbook,
// devops-guide "Reservation System setup"; Prosody mod_reservations). Before Prosody creates a room
// it POSTs /conference (form fields name, start_time, mail_owner); a 200 answer with id, name,
// start_time and duration (seconds) lets the room open and Prosody ends it when the duration is
// over; `max_occupants` caps it (reservations_enable_max_occupants). Any other answer refuses the
// room, with {"message": …}. GET /conference/<id> reads a reservation, DELETE /conference/<id>
// is Prosody saying the room was destroyed.
import { meetingKeyOfName, meetingName } from '../port.ts';

export type ReservationBooking = { bookingId: string; meetingKey: string; title: string; start: Date; end: Date; seats: number; status: 'confirmed' | 'cancelled'; bookerEmail: string };
export type ReservationAnswer = { status: number; body: Record<string, unknown> };

/** A stable 48-bit number for a booking (the API's ids are numbers). */
export const reservationId = (bookingId: string) => parseInt(bookingId.replace(/-/g, '').slice(0, 12), 16);

/** The meeting key of a Jitsi room name ("wm-<key>", possibly with "@conference.domain"). */
export const meetingKeyOfRoom = (name: string) => meetingKeyOfName(name);

export function reservationBody(b: ReservationBooking, now: Date) {
  return {
    id: reservationId(b.bookingId),
    name: meetingName(b),
    mail_owner: b.bookerEmail,
    start_time: b.start.toISOString(),
    // Seconds from now to the booking's end: Prosody ends the conference then.
    duration: Math.max(0, Math.floor((b.end.getTime() - now.getTime()) / 1000)),
    max_occupants: b.seats,
  };
}

/** POST /conference: allow the room only inside the booking's window. */
export function decideReservation(b: ReservationBooking | null, now: Date, opensMinutes: number): ReservationAnswer {
  if (!b) return { status: 403, body: { message: 'This room is not booked on the portal; book it first.' } };
  if (b.status === 'cancelled') return { status: 403, body: { message: 'This booking was cancelled.' } };
  const opens = b.start.getTime() - opensMinutes * 60_000;
  if (now.getTime() < opens) return { status: 403, body: { message: `This room opens at ${new Date(opens).toISOString()}.` } };
  if (now.getTime() >= b.end.getTime()) return { status: 403, body: { message: 'This booking has ended.' } };
  return { status: 200, body: reservationBody(b, now) };
}
