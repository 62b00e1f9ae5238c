// Shapes of the HTTP API v1 (docs/api-contract.md). The server is the source of truth.

export type Role = 'admin' | 'institution-manager' | 'member';

export interface Me {
  id: string;
  name: string;
  email: string;
  role: Role;
  institution: { id: string; name: string } | null;
  /** The saved language; null: none saved (the browser's is used). */
  locale: 'it' | 'en' | null;
  canBook: boolean;
  cannotBookReason: string | null;
  /** A local password on this portal (false: the person signs in through their institution only). */
  hasPassword: boolean;
  /** Administrators: whether each new booking request is mailed to them; null for everyone else. */
  requestMails: boolean | null;
  /** Whether reminders before their meetings are mailed to them. */
  reminders: boolean;
  /** The zone their mails show times in besides the room's; null: the room's alone. */
  timeZone: string | null;
  csrfToken: string;
}

/** A personal API token as listed; its secret is in the answer that creates it, once. */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Settings {
  seatPool: number;
  turnaroundMinutes: number;
  minDurationMinutes: number;
  maxDurationMinutes: number;
  maxDaysAhead: number;
  granularityMinutes: number;
  defaultTimeZone: string;
  /** The portal has telephone and SIP dial-in at all. */
  telephony?: boolean;
  /** The service of rooms that name none, and the setting that chose it. */
  defaultService?: { provider: string; host: string; public: boolean; setting: string };
}

export interface Room {
  id: string;
  name: string;
  capacity: number;
  timeZone: string;
  provider: string | null;
  active: boolean;
  /** Booked only on an administrator's approval: people ask for it. */
  onApproval: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Booking {
  id: string;
  title: string;
  description: string | null;
  roomId: string;
  roomName: string;
  timeZone: string;
  start: string;
  end: string;
  startLocal: string;
  endLocal: string;
  seats: number;
  status: 'confirmed' | 'cancelled';
  /** The owner (invited, host); the same as ownerId. */
  booker: { id: string; name: string };
  ownerId?: string;
  /** Who booked it for the owner (issue #17), or null when the owner did. */
  bookedBy?: { id: string; name: string } | null;
  institutionId: string | null;
  createdAt: string;
  updatedAt: string;
  /** The join page of the virtual room (/join/{id}). */
  joinUrl?: string | null;
  /** The series this booking is an occurrence of. */
  seriesId?: string | null;
  recurrenceId?: string | null;
  isException?: boolean;
}

/** GET /api/v1/me/feeds: a calendar feed; its address (`url`) is given only when made. */
export interface CalendarFeed {
  id: string;
  roomId: string | null;
  url: string | null;
  createdAt: string;
}

export interface Invitee {
  id: string;
  email: string;
  locale: 'it' | 'en';
  timeZone: string | null;
  /** Enters the meeting as host, signed in with this address. */
  cohost: boolean;
  /** Their answer from the link in their mails: will they come (null: none yet). */
  reply: 'yes' | 'no' | null;
  repliedAt: string | null;
  /** They asked for no more mail about this meeting. */
  muted: boolean;
  createdAt: string;
}

/** One person (or the virtual room's own audio leg) on the phone in a booking's conference. */
export interface PhoneParticipant {
  id: string;
  /** The caller's number, masked by the server ("•••• 4567"). */
  caller: string;
  role: 'participant' | 'host' | 'room';
  muted: boolean;
  joinedAt: string;
}

/**
 * GET /api/v1/bookings/{id}/audio: the booking's audio conference (telephone and SIP dial-in).
 * A server without telephony answers available false (and enabled false, no numbers, no SIP URI).
 */
export interface AudioConference {
  bookingId: string;
  /** The server has telephone dial-in at all; `enabled` says whether this booking uses it. */
  available: boolean;
  enabled: boolean;
  /** null while the conference is off. */
  pin: string | null;
  /** Only for people who may manage the conference. */
  hostPin: string | null;
  /** `country` is an ISO 3166 code, or null when the number was configured without one. */
  numbers: Array<{ number: string; country: string | null; tel: string }>;
  sipUri: string | null;
  locked: boolean;
  opensAt: string;
  closesAt: string;
  /** The booker, a manager of the booking's institution, an administrator. */
  canManage: boolean;
  participants: PhoneParticipant[];
  phoneSeats: number;
  seats: number;
}

/** GET /api/v1/bookings/{id}/room: the virtual room behind a booking. */
export interface VirtualRoom {
  bookingId: string;
  /** scheduled: made ready shortly before the meeting; pending: being made ready now. */
  state: 'scheduled' | 'pending' | 'ready' | 'failed' | 'ended';
  provider: string;
  usedFallback: boolean;
  lastError: string | null;
  opensAt: string;
  joinUrl: string;
  guestUrl: string;
  guestPolicy: 'open' | 'pin' | 'lobby';
  hasPin: boolean;
  /** The guests' PIN with the 'pin' policy (the booking's managers read it, to give it out). */
  guestPin: string | null;
  /** The room's service holds guests in a lobby for a host: the 'lobby' policy is offered. */
  lobbyAvailable: boolean;
  /** Every date of the series shares this guest link and its policy. */
  guestLinkForSeries: boolean;
}

export interface BusySlot {
  start: string;
  end: string;
  blockedUntil: string;
  bookingId: string | null;
  title: string | null;
  seats: number;
  /** Who it is for; null, as bookingId and title, where the viewer may not manage it. */
  booker: { id: string; name: string } | null;
  /** The series it is an occurrence of; null for a single booking and where the viewer may not manage it. */
  seriesId: string | null;
}

export interface RoomAvailability {
  roomId: string;
  name: string;
  capacity: number;
  timeZone: string;
  fits: boolean;
  busy: BusySlot[];
}

export interface PoolStep {
  start: string;
  end: string;
  seatsUsed: number;
  seatsLeft: number;
}

export interface Availability {
  from: string;
  to: string;
  seatPool: number;
  rooms: RoomAvailability[];
  pool: PoolStep[];
}

export interface Suggestion {
  roomId: string;
  roomName: string;
  start: string;
  end: string;
}

/** An `audio` message of GET /api/v1/events: that booking's phone participants, mutes or lock changed. */
export interface AudioChange {
  bookingId: string;
}

export interface Institution {
  id: string;
  name: string;
  scopes: string[];
  subscriptionStart: string | null;
  subscriptionEnd: string | null;
  monthlyQuotaHours: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  institutionId: string | null;
  /** Language of the person's mails; null: the portal's default. */
  locale: 'it' | 'en' | null;
  disabled: boolean;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A person in the Users list: how they can sign in, and when they last did. */
export interface ListedUser extends User {
  signIn: { password: boolean; institution: boolean; lastAt: string | null };
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; name: string } | null;
  action: string;
  entity: string;
  entityId: string;
  /** The item's title or name as the change left it. */
  entityName?: string | null;
  before?: unknown;
  after?: unknown;
  /** A booking's history: the message its cancellation was mailed with. */
  message?: string | null;
  /** A booking's history: whom the entry concerns (a co-host's address). */
  about?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** One message of GET /api/v1/events (mirrors the `booking_changes` NOTIFY payload). */
export interface BookingChange {
  action: 'created' | 'updated' | 'cancelled';
  bookingId: string;
  roomId: string;
  start: string;
  end: string;
}

/** An `audio` message of GET /api/v1/events: that booking's phone participants, mutes or lock changed. */
export interface AudioChange {
  bookingId: string;
}

/** POST /api/v1/users/{id}/password-link: mailed, or (no mail server) the link itself, shown once. */
export interface PasswordLinkIssued {
  delivery: 'mail' | 'shown';
  url?: string;
  expiresAt: string;
}

export type RequestState = 'pending' | 'approved' | 'denied' | 'expired' | 'withdrawn';

/** A booking asked of an administrator (GET /api/v1/requests). */
export interface BookingRequest {
  id: string;
  state: RequestState;
  title: string;
  description: string;
  seats: number;
  start: string;
  end: string;
  timeZone: string;
  reason: string;
  askedFor: string;
  requester: { id: string; name: string; email: string };
  institution: { id: string; name: string } | null;
  room: { id: string; name: string } | null;
  decidedBy: { id: string; name: string } | null;
  decidedAt: string | null;
  decisionNote: string;
  bookingId: string | null;
  createdAt: string;
}

/** Which meetings of a series an edit or a cancellation applies to. */
/** GET /api/v1/auth/methods: which ways of signing in this portal offers. */
export interface SignInMethods {
  institution: { enabled: boolean; discoveryUrl: string; lastChoice: { entityId: string; name: string; loginUrl: string } | null };
  oidc: Array<{ id: string; name: string; loginUrl: string }>;
  local: { enabled: boolean; adminsOnly: boolean; passwordReset?: boolean };
}

export type SeriesScope = 'one' | 'following' | 'all';
