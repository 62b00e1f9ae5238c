// Domain objects → JSON responses. Instants leave as UTC RFC 3339; bookings also carry their times
// with the room zone's offset so a client need not know the tz database.
import { isoInstant, toZonedIso } from '../domain/time.ts';
import { Id } from './schemas.ts';
import type { Booking, BookingRequest, Institution, InvitedAs, ListedUser, Room, User } from '../ports.ts';
import type { Availability } from '../app/availability.ts';
import type { Me } from '../app/accounts.ts';

const iso = isoInstant;

export const roomView = (r: Room) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });
export const requestView = (q: BookingRequest, defaultZone: string) => ({
  id: q.id,
  state: q.state,
  title: q.title,
  description: q.description,
  seats: q.seats,
  start: iso(q.start),
  end: iso(q.end),
  timeZone: q.room?.timeZone ?? defaultZone,
  reason: q.reason,
  askedFor: q.askedFor,
  requester: { id: q.requester.id, name: q.requester.name, email: q.requester.email },
  institution: q.institution,
  room: q.room && { id: q.room.id, name: q.room.name },
  decidedBy: q.decidedBy,
  decidedAt: q.decidedAt && iso(q.decidedAt),
  decisionNote: q.decisionNote,
  bookingId: q.bookingId,
  createdAt: iso(q.createdAt),
});
export const institutionView = (i: Institution) => ({ ...i, createdAt: iso(i.createdAt), updatedAt: iso(i.updatedAt) });
export const userView = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  institutionId: u.institutionId,
  locale: u.locale,
  disabled: u.disabledAt !== null,
  disabledAt: u.disabledAt && iso(u.disabledAt),
  createdAt: iso(u.createdAt),
  updatedAt: iso(u.updatedAt),
});

export const listedUserView = (u: ListedUser) => ({
  ...userView(u),
  signIn: { password: u.hasPassword, institution: u.federated, lastAt: u.lastSignInAt && iso(u.lastSignInAt) },
});

export const meView = (me: Me, csrfToken: string | null) => ({
  ...userView(me),
  hasPassword: me.hasPassword,
  institution: me.institution,
  canBook: me.canBook,
  cannotBookReason: me.cannotBookReason,
  requestMails: me.requestMails,
  reminders: me.reminders,
  timeZone: me.timeZone,
  csrfToken,
});

export const bookingView = (b: Booking) => ({
  id: b.id,
  title: b.title,
  description: b.description,
  roomId: b.roomId,
  roomName: b.roomName,
  timeZone: b.timeZone,
  start: iso(b.start),
  end: iso(b.end),
  startLocal: toZonedIso(b.start, b.timeZone),
  endLocal: toZonedIso(b.end, b.timeZone),
  seats: b.seats,
  status: b.status,
  booker: { id: b.bookerId, name: b.bookerName },
  ownerId: b.bookerId,
  bookedBy: b.bookedById ? { id: b.bookedById, name: b.bookedByName ?? '' } : null,
  institutionId: b.institutionId,
  joinUrl: `/join/${b.id}`,
  seriesId: b.seriesId,
  recurrenceId: b.recurrenceId ? iso(b.recurrenceId) : null,
  isException: b.isException,
  createdAt: iso(b.createdAt),
  updatedAt: iso(b.updatedAt),
});

/**
 * A meeting as one invited to it sees it: the booking's own view without what is for managing it
 * (seats, the owner's and institution's ids, history stamps), and the booker by name only.
 */
export const invitationView = (b: Booking & InvitedAs) => {
  const { id, title, description, roomName, timeZone, start, end, startLocal, endLocal, booker, seriesId, joinUrl } = bookingView(b);
  return { id, title, description, roomName, timeZone, start, end, startLocal, endLocal, booker: { name: booker.name }, seriesId, joinUrl, cohost: b.cohost, reply: b.reply };
};

export const availabilityView = (a: Availability) => ({
  from: iso(a.from),
  to: iso(a.to),
  seatPool: a.seatPool,
  rooms: a.rooms.map((r) => ({
    ...r,
    busy: r.busy.map((b) => ({ ...b, start: iso(b.start), end: iso(b.end), blockedUntil: iso(b.blockedUntil) })),
  })),
  pool: a.pool.map((p) => ({ ...p, start: iso(p.start), end: iso(p.end) })),
});

/** Opaque keyset cursor for lists ordered by (start, id). */
export const encodeCursor = (b: { start: Date; id: string }) => Buffer.from(JSON.stringify([b.start.toISOString(), b.id])).toString('base64url');
export function decodeCursor(cursor: string): { start: Date; id: string } | null {
  try {
    const [s, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const start = new Date(s);
    // What the database can take: a uuid, and an instant of years 1–9999 (a made-up cursor is a 400, not a 500).
    const year = start.getUTCFullYear();
    return Number.isNaN(start.getTime()) || year < 1 || year > 9999 || !Id.safeParse(id).success ? null : { start, id };
  } catch {
    return null;
  }
}
