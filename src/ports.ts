// The interfaces the use-cases in app/ need. Adapters in db/, identity/ (and later providers/,
// telephony/, notify/) implement them; tests use the real database adapters.
import type { RequestState } from './domain/requests.ts';
import type { Actor, Role } from './domain/access.ts';
import type { Slot } from './domain/booking-rules.ts';
import type { SeatUsage } from './domain/seat-pool.ts';
import type { Conference, DialWindow, PinRole } from './domain/dial-in.ts';

/** PostgreSQL NOTIFY channel on which booking changes reach live listeners (db/ writes, live/ reads). */
export const BOOKING_CHANNEL = 'booking_changes';
/** NOTIFY channel of audio conference changes (phone participants, mutes, lock, on/off); payload {bookingId, switched?}. */
export const AUDIO_CHANNEL = 'audio_changes';
/**
 * NOTIFY channel of what a join reads besides the booking itself: its prepared meeting, its guest
 * link, its invitees, its room. Payload `{bookingId}` for one booking, `{all: true}` for what many
 * share (a room, a series-wide link). Each instance's join cache (app/join-cache.ts) follows it.
 */
export const JOIN_CHANNEL = 'join_changes';
/**
 * NOTIFY channel of credentials that stopped being good: a session ended (`{kind:'session', hash}`),
 * a token was revoked (`{kind:'token', hash}`), or a user's role or institution changed
 * (`{kind:'user', userId}`). Open event streams and cached identities follow it on every instance.
 */
export const AUTH_CHANNEL = 'auth_changes';
export type AuthChange = { kind: 'session' | 'token'; hash: string } | { kind: 'user'; userId: string };

/** A durable job that is active but whose worker stopped beating: its process probably died. */
export type StalledJob = { id: string; queue: string; data: unknown; startedAt: Date; heartbeatAt: Date | null };

export interface Clock {
  now(): Date;
}

export type Room = {
  id: string;
  name: string;
  capacity: number;
  timeZone: string;
  provider: string | null;
  active: boolean;
  /** Booked only on an administrator's approval (people ask for it: app/requests.ts). */
  onApproval: boolean;
  createdAt: Date;
  updatedAt: Date;
};
export type RoomInput = { name: string; capacity: number; timeZone: string; provider: string | null; active: boolean; onApproval?: boolean | undefined };

export type Institution = {
  id: string;
  name: string;
  scopes: string[];
  subscriptionStart: string | null;
  subscriptionEnd: string | null;
  monthlyQuotaHours: number | null;
  createdAt: Date;
  updatedAt: Date;
};
export type InstitutionInput = Omit<Institution, 'id' | 'createdAt' | 'updatedAt'>;

export type User = {
  id: string;
  email: string;
  name: string;
  role: Role;
  institutionId: string | null;
  /** Language of the person's mails (`it`, `en`), or null for the portal's default. */
  locale: Locale | null;
  /** Set while the account is disabled: no sign-in, no session, no token. */
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};
export type Locale = 'it' | 'en';
export type UserInput = { email: string; name: string; role: Role; institutionId: string | null; passwordHash: string | null; locale?: Locale | null | undefined };

export type BookingStatus = 'confirmed' | 'cancelled';
export type Booking = {
  id: string;
  roomId: string;
  roomName: string;
  timeZone: string;
  title: string;
  description: string;
  start: Date;
  end: Date;
  seats: number;
  /** The owner: invited, host, holder of the host PIN; their institution's quota counts it. */
  bookerId: string;
  bookerName: string;
  /** Who made the booking for the owner (issue #17), or null when the owner booked it. */
  bookedById: string | null;
  bookedByName: string | null;
  institutionId: string | null;
  status: BookingStatus;
  /** The series this booking is an occurrence of, and the occurrence's original start (RECURRENCE-ID). */
  seriesId: string | null;
  recurrenceId: Date | null;
  /** An occurrence changed on its own, apart from its series. */
  isException: boolean;
  /** iCalendar SEQUENCE: grows with each change (RFC 5546, 2.1.4). */
  sequence: number;
  createdAt: Date;
  updatedAt: Date;
};
export type NewBooking = {
  roomId: string;
  title: string;
  description: string;
  slot: Slot;
  turnaroundMinutes: number;
  seats: number;
  bookerId: string;
  institutionId: string | null;
  bookedById?: string | null | undefined;
  seriesId?: string | undefined;
  recurrenceId?: Date | undefined;
};
export type BookingChange = Partial<Pick<NewBooking, 'roomId' | 'title' | 'description' | 'slot' | 'seats' | 'turnaroundMinutes'>> & {
  isException?: boolean;
  recurrenceId?: Date;
};

export type BookingFilter = {
  from?: Date | undefined;
  to?: Date | undefined;
  roomId?: string | undefined;
  bookerId?: string | undefined;
  status?: BookingStatus | undefined;
  /** Words that must all be in the title (case aside). */
  title?: string | undefined;
  /** The latest first (and `after` then means before it). */
  latestFirst?: boolean | undefined;
  limit: number;
  after?: { start: Date; id: string } | undefined;
};

/** `holdId`: a waiting-list hold (migration 019), not a booking; it weighs on every booking but the one confirming it. */
export type RoomOccupancy = { roomId: string; start: Date; end: Date; occupiedUntil: Date; bookingId: string | null; bookerId: string; holdId?: string };

/** The booking in the way of a slot: its time, and whose it is (a person may collide with themself). */
export type RoomConflict = Slot & { bookingId: string | null; bookerId: string };

/** A confirmed booking as seen on the calendar by anyone: time, room and seats. */
export type BusyBooking = SeatUsage & {
  id: string;
  roomId: string;
  title: string;
  bookerId: string;
  institutionId: string | null;
  occupiedUntil: Date;
  /** The series it is an occurrence of (null for a single booking and a hold). */
  seriesId: string | null;
  /** Who booked it for its booker (null when they booked it themselves, and for a hold): they manage it too. */
  bookedById: string | null;
  /** A waiting-list hold (migration 019): busy for everyone, but no booking to open. */
  held?: boolean;
};

export interface BookingRepository {
  /** Serialises the transactions whose meetings overlap in time (see the implementation for why). */
  lockSeatPool(slot: Slot | readonly Slot[]): Promise<void>;
  /**
   * lockSeatPool, then seatUsageAny and roomOccupancy read after the locks were granted, in one
   * round trip (migration 011's function).
   */
  lockAndRead(slots: readonly Slot[], roomIds: readonly string[], turnaroundMinutes: number): Promise<{ usage: (SeatUsage & { holdId?: string })[]; occupancy: RoomOccupancy[] }>;
  /** Confirmed bookings that overlap any of the slots (seat-pool sums for several meetings at once). */
  seatUsageAny(slots: readonly Slot[]): Promise<SeatUsage[]>;
  /** Confirmed bookings in these rooms whose occupied time (turnaround included) meets any slot plus turnaround. */
  roomOccupancy(roomIds: readonly string[], slots: readonly Slot[], turnaroundMinutes: number): Promise<RoomOccupancy[]>;
  seatUsage(slot: Slot, excludeId?: string): Promise<SeatUsage[]>;
  roomConflict(roomId: string, slot: Slot, turnaroundMinutes: number, excludeId?: string): Promise<RoomConflict | null>;
  /** Inserts unless the room is taken; null when the exclusion constraint refused it. */
  insert(b: NewBooking): Promise<string | null>;
  /** Inserts several in one statement; the id of each, or null where the exclusion constraint refused it. */
  insertMany(bs: readonly NewBooking[]): Promise<(string | null)[]>;
  /** insertMany that answers with the bookings as read back (one statement: insert and read). */
  insertManyBookings(bs: readonly NewBooking[]): Promise<(Booking | null)[]>;
  findByIds(ids: readonly string[]): Promise<Booking[]>;
  /** Applies a change; 'room-taken' when the exclusion constraint refused it. */
  update(id: string, change: BookingChange): Promise<'ok' | 'room-taken'>;
  cancel(id: string): Promise<void>;
  findById(id: string, opts?: { forUpdate?: boolean }): Promise<Booking | null>;
  list(filter: BookingFilter, visibleTo: Actor): Promise<Booking[]>;
  busy(from: Date, to: Date): Promise<BusyBooking[]>;
  institutionHours(institutionId: string, month: Slot, excludeId?: string): Promise<number>;
  institutionHoursPerMonth(institutionId: string, months: readonly Slot[]): Promise<number[]>;
  /** Most seats any confirmed booking of the room that has not ended asks for (0 when none). */
  largestUpcomingSeats(roomId: string, now: Date): Promise<number>;
  notifyChange(payload: Record<string, unknown>): Promise<void>;
  notifyChanges(payloads: readonly Record<string, unknown>[]): Promise<void>;
  /** The occurrences of a series in start order, every status; locked when `forUpdate`. */
  ofSeries(seriesId: string, opts?: { forUpdate?: boolean }): Promise<Booking[]>;
  /**
   * Confirmed meetings not yet over that this address is invited to (to the meeting or to its
   * series), soonest first, except those `userId` booked or booked for someone: at most `limit`.
   */
  /** `cohost`: invited as a co-host (they enter as host). */
  invitedTo(email: string, userId: string, now: Date, limit: number): Promise<Array<Booking & InvitedAs>>;
  /** Moves occurrences to another series (the second half of a split). */
  reassignSeries(ids: string[], seriesId: string): Promise<void>;
  readonly series: SeriesRepository;
  readonly invitees: InviteeRepository;
}

/** Someone the booker invited by e-mail, to one booking or to a whole series. */
/** `cohost`: enters the meeting as host (signed in with the invited address), as the booker does. */
export type MailSettings = { reminders: boolean; timeZone: string | null; requestMails: boolean };
/** Each choice absent stays as it is. */
export type MailSettingsChange = { [K in keyof MailSettings]?: MailSettings[K] | undefined };
/**
 * `reply`: what they answered from the link in their mails (null: nothing yet); `muted`: they asked for
 * no more mail about this meeting. `replyToken`: that link's secret, written into their mails only.
 */
export type Invitee = {
  id: string;
  bookingId: string | null;
  seriesId: string | null;
  email: string;
  locale: 'it' | 'en';
  timeZone: string | null;
  cohost: boolean;
  reply: InviteeReply | null;
  repliedAt: Date | null;
  muted: boolean;
  replyToken: string;
  createdAt: Date;
};
export type InviteeReply = 'yes' | 'no';
/** How someone is invited to a meeting: as a co-host, and what they answered (the date's own invitation before its series'). */
export type InvitedAs = { cohost: boolean; reply: InviteeReply | null };
export type InviteeTarget = { bookingId: string } | { seriesId: string };
export interface InviteeRepository {
  list(target: InviteeTarget): Promise<Invitee[]>;
  /** null when this address is already invited. */
  add(target: InviteeTarget, input: { email: string; locale: 'it' | 'en'; timeZone: string | null; cohost?: boolean; muted?: boolean }): Promise<Invitee | null>;
  remove(target: InviteeTarget, id: string): Promise<Invitee | null>;
  /** null when there is no such invitee on the target. */
  setCohost(target: InviteeTarget, id: string, cohost: boolean): Promise<Invitee | null>;
  /** The invitee whose mails carry this link; null when there is none (never was, or removed). */
  findByReplyToken(token: string): Promise<Invitee | null>;
  /** Their answer and their choice about mail; each absent stays as it is. */
  setReply(id: string, change: { reply?: InviteeReply; muted?: boolean }, at: Date): Promise<Invitee | null>;
}

export type SeriesStatus = 'active' | 'cancelled';
export type Series = {
  id: string;
  roomId: string;
  roomName: string;
  title: string;
  description: string;
  seats: number;
  bookerId: string;
  bookerName: string;
  /** Who made the series for its owner (issue #17), or null. */
  bookedById: string | null;
  bookedByName: string | null;
  institutionId: string | null;
  timeZone: string;
  /** RFC 5545 RRULE text without DTSTART, evaluated in timeZone from firstStart. */
  rrule: string;
  firstStart: Date;
  durationMinutes: number;
  exdates: Date[];
  sequence: number;
  sharedAccess: boolean;
  splitFrom: string | null;
  status: SeriesStatus;
  createdAt: Date;
  updatedAt: Date;
};
export type NewSeries = Omit<Series, 'id' | 'roomName' | 'bookerName' | 'bookedById' | 'bookedByName' | 'sequence' | 'status' | 'createdAt' | 'updatedAt' | 'exdates'> & {
  exdates?: Date[];
  bookedById?: string | null | undefined;
};
export type SeriesChange = Partial<Pick<Series, 'roomId' | 'title' | 'description' | 'seats' | 'rrule' | 'firstStart' | 'durationMinutes' | 'exdates' | 'status' | 'sharedAccess'>>;

export interface SeriesRepository {
  insert(s: NewSeries): Promise<string>;
  findById(id: string, opts?: { forUpdate?: boolean }): Promise<Series | null>;
  /** Applies a change and raises SEQUENCE by one (unless `keepSequence`, for a series not yet sent). */
  update(id: string, change: SeriesChange, opts?: { keepSequence?: boolean }): Promise<void>;
  /** Adds EXDATEs (kept once each, sorted) and raises SEQUENCE by one. */
  addExdates(id: string, dates: Date[]): Promise<void>;
  list(filter: { bookerId?: string | undefined; limit: number }, visibleTo: Actor): Promise<Series[]>;
}

export interface RoomRepository {
  list(opts?: { includeInactive?: boolean }): Promise<Room[]>;
  findById(id: string): Promise<Room | null>;
  create(input: RoomInput): Promise<Room>;
  update(id: string, change: Partial<RoomInput>): Promise<Room | null>;
  count(): Promise<number>;
}

export interface InstitutionRepository {
  list(): Promise<Institution[]>;
  findById(id: string, opts?: { forUpdate?: boolean }): Promise<Institution | null>;
  create(input: InstitutionInput): Promise<Institution>;
  update(id: string, change: Partial<InstitutionInput>): Promise<Institution | null>;
}

export type UserWithSecret = User & { passwordHash: string | null };
/** The Users list's filter; `id` narrows it to one person (found only where the list would show them). */
export interface UserFilter {
  id?: string | undefined;
  institutionId?: string | undefined;
  role?: Role | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}
/** A person as the Users list shows them: how they can sign in, and when they last did. */
export type ListedUser = User & { hasPassword: boolean; federated: boolean; lastSignInAt: Date | null };
export interface UserRepository {
  list(filter: UserFilter): Promise<ListedUser[]>;
  findById(id: string): Promise<User | null>;
  /** Names by id, for the people asked that exist. */
  namesOf(ids: readonly string[]): Promise<Map<string, string>>;
  /** One person as the Users list shows them (for GET /me: whether they have a password). */
  findListed(id: string): Promise<ListedUser | null>;
  findByEmail(email: string): Promise<UserWithSecret | null>;
  /** With the password's hash: for checking the signed-in person's current password. */
  findByIdWithSecret(id: string): Promise<UserWithSecret | null>;
  create(input: UserInput): Promise<User>;
  update(id: string, change: Partial<Omit<UserInput, 'email'>>): Promise<User | null>;
  touchLogin(id: string): Promise<void>;
  countAdmins(): Promise<number>;
  /** The active administrators who want new booking requests mailed to them, by name, at most `limit`. */
  requestDeciders(limit: number): Promise<Array<Pick<User, 'email' | 'name' | 'locale'>>>;
  /**
   * What a person chose for the mails they get: reminders before their meetings, the zone their
   * times are shown in besides the room's (null: the room's alone), and (administrators) each new
   * booking request; null: no such person.
   */
  mailSettings(id: string): Promise<MailSettings | null>;
  setMailSettings(id: string, change: MailSettingsChange): Promise<boolean>;
  /**
   * Disables (a date) or enables (null) an account. Disabling ends its sessions and API tokens in
   * the same transaction and announces it on `auth_changes`, so every instance forgets them.
   */
  setDisabled(id: string, at: Date | null): Promise<User | null>;
}

export type PasswordLinkPurpose = 'invitation' | 'reset';
/** What a password link opens, while it is unused and unexpired (the secret itself is never stored). */
export type PasswordLinkTarget = { linkId: string; userId: string; email: string; name: string; locale: Locale | null; purpose: PasswordLinkPurpose; expiresAt: Date };
export interface PasswordLinkRepository {
  create(link: { userId: string; tokenHash: string; purpose: PasswordLinkPurpose; createdBy: string | null; createdAt: Date; expiresAt: Date }): Promise<{ id: string }>;
  /** The link by its secret's hash, when unused, unexpired at `now`, and its account enabled. */
  find(tokenHash: string, now: Date): Promise<PasswordLinkTarget | null>;
  /** Why a link does not open: used, expired, or unknown (also for a disabled account). */
  state(tokenHash: string, now: Date): Promise<'used' | 'expired' | 'unknown'>;
  /** Marks the link used, once: the row is locked, so of two concurrent uses one gets the target. */
  consume(tokenHash: string, now: Date): Promise<PasswordLinkTarget | null>;
  /** Unused links of an account stop working (a password was set, the account was disabled). */
  revokeAll(userId: string, now: Date): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * Ends the account's sessions (a new password ends what an old one opened), but the one whose id
   * hashes to `keep` (the browser that changed its own password); says how many ended.
   */
  endSessions(userId: string, keep?: string): Promise<number>;
  /** How many of the account's sessions are open at `now`, leaving out the one whose id hashes to `except`. */
  countSessions(userId: string, now: Date, except?: string): Promise<number>;
  /**
   * Records a "forgot password" request when the asked account and the client address each made
   * fewer than their limit since `since` (counted under a lock, so parallel requests cannot pass it
   * together); otherwise records nothing and says when the oldest counted request leaves the window.
   */
  recordResetRequest(
    request: { account: string; address: string; now: Date; since: Date },
    limits: { perAccount: number; perAddress: number },
  ): Promise<{ accepted: true } | { accepted: false; oldest: Date }>;
  /** Whether the account signs in through an IdP (then it gets no local password by itself). */
  isFederated(userId: string): Promise<boolean>;
}

export type AuditEntry = {
  actorId: string | null;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId?: string | undefined;
};
export type AuditRecord = AuditEntry & { id: string; at: Date; actorName: string | null; entityUserName?: string | null };
export type AuditFilter = {
  entity?: string | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  beforeId?: string | undefined;
};
export interface AuditRepository {
  record(entry: AuditEntry): Promise<void>;
  /** Several entries in one statement (the bookings of a series or of a group commit). */
  recordMany(entries: readonly AuditEntry[]): Promise<void>;
  list(filter: AuditFilter): Promise<AuditRecord[]>;
}

export type JobOptions = { startAfter?: Date; singletonKey?: string; retryLimit?: number; retryDelaySeconds?: number };
/** Enqueues durable jobs; inside a transaction they commit or roll back with it. */
export interface JobScheduler {
  enqueue(name: string, data: object, options?: JobOptions): Promise<void>;
}

/** A booking's audio conference as stored: its PINs, switches and dial window. */
export type AudioConference = {
  bookingId: string;
  ownerId: string;
  enabled: boolean;
  /** The booking was cancelled: its PINs are retired and nothing shows them (whatever `enabled` says). */
  cancelled: boolean;
  locked: boolean;
  window: DialWindow;
  pin: string | null;
  hostPin: string | null;
};

export type PhoneParticipant = { channelId: string; bookingId: string; role: PinRole | 'room'; caller: string; muted: boolean; joinedAt: Date };

/**
 * The dial-in PINs and phone participants (issue #7). PIN uniqueness among overlapping windows is a
 * database constraint; `assign` draws again when it loses a race for a PIN.
 */
export interface AudioRepository {
  /** Gives a booking its conference: the PINs of its series (when it shares access) or new ones. */
  assign(input: { bookingId: string; seriesId: string | null; window: DialWindow; draw: (role: PinRole) => string; hostPin: boolean; enabled: boolean }): Promise<AudioConference>;
  /** The same for many bookings (a series' occurrences) in a handful of statements. */
  assignMany(items: { bookingId: string; seriesId: string | null; window: DialWindow; enabled: boolean }[], draw: (role: PinRole) => string, hostPin: boolean): Promise<void>;
  /** The booking was cancelled: its PINs stop opening anything (and may serve other bookings). */
  retire(bookingId: string): Promise<void>;
  /** The booking moved: its window moves; a PIN now taken in the new window is drawn again. */
  reschedule(bookingId: string, window: DialWindow, draw: (role: PinRole) => string): Promise<AudioConference | null>;
  /** Turns the conference on or off (cancel = off); a PIN taken meanwhile is drawn again on re-enable. */
  setEnabled(bookingId: string, enabled: boolean, draw: (role: PinRole) => string): Promise<AudioConference | null>;
  setLocked(bookingId: string, locked: boolean): Promise<AudioConference | null>;
  get(bookingId: string): Promise<AudioConference | null>;
  /** What a PIN dialled at `now` leads to: the conference open now, else the nearest one (within a day). */
  resolve(pin: string, now: Date): Promise<Conference | null>;
  /** Booking status and window of conferences, for the end-of-meeting sweep. */
  states(bookingIds: string[]): Promise<Map<string, { status: 'confirmed' | 'cancelled'; enabled: boolean; closes: Date }>>;
  participants(bookingId: string): Promise<PhoneParticipant[]>;
  participant(channelId: string): Promise<PhoneParticipant | null>;
  /** Inserts or updates one; true when something changed. */
  saveParticipant(p: PhoneParticipant): Promise<void>;
  removeParticipant(channelId: string): Promise<PhoneParticipant | null>;
  setMuted(channelId: string, muted: boolean): Promise<void>;
  /** After adopting Asterisk's state: keeps exactly these channels; returns the bookings whose list changed. */
  replaceParticipants(current: PhoneParticipant[]): Promise<string[]>;
  /**
   * NOTIFY AUDIO_CHANNEL for these bookings (after commit when inside a transaction). `switched`:
   * the conference was turned on or off (the telephony application must look at once).
   */
  notify(bookingIds: string[], o?: { switched?: boolean }): Promise<void>;
}

/**
 * What a person did in a window (new invitees from outside the portal per day, mails caused per
 * hour), counted in the transaction of the change it limits.
 */
export interface SenderCountRepository {
  /** Adds `n` to the person's count of `kind` in the window starting at `windowStart` and returns the new count; the row stays locked until the transaction ends. */
  add(userId: string, kind: 'new-invitees' | 'mails', windowStart: Date, n: number): Promise<number>;
}

/** A person's consent that a delegate books for them (issue #17): asked (pending), then accepted. */
export type DelegationStatus = 'pending' | 'accepted';
export type Delegation = {
  person: { id: string; name: string; email: string };
  delegate: { id: string; name: string; email: string };
  status: DelegationStatus;
  createdAt: Date;
  acceptedAt: Date | null;
};
export interface DelegationRepository {
  /** Names a delegate (pending); false when this delegation exists already. */
  add(personId: string, delegateId: string, at: Date): Promise<boolean>;
  find(personId: string, delegateId: string): Promise<Delegation | null>;
  /** Marks a pending delegation accepted; null when there is none. */
  accept(personId: string, delegateId: string, at: Date): Promise<Delegation | null>;
  /** Ends a delegation (pending or accepted); false when there was none. */
  remove(personId: string, delegateId: string): Promise<boolean>;
  /** The delegates a person named, and the people who named a delegate, by name. */
  ofPerson(personId: string): Promise<Delegation[]>;
  ofDelegate(delegateId: string): Promise<Delegation[]>;
}

/** A request that an administrator approves (app/requests.ts), with the names a queue shows. */
export type BookingRequest = {
  id: string;
  requester: { id: string; name: string; email: string; locale: Locale | null };
  institution: { id: string; name: string } | null;
  room: { id: string; name: string; timeZone: string } | null;
  title: string;
  description: string;
  seats: number;
  start: Date;
  end: Date;
  reason: string;
  askedFor: string;
  state: RequestState;
  decidedBy: { id: string; name: string } | null;
  decidedAt: Date | null;
  decisionNote: string;
  bookingId: string | null;
  createdAt: Date;
  updatedAt: Date;
};
export type BookingRequestInput = Pick<BookingRequest, 'title' | 'description' | 'seats' | 'start' | 'end' | 'reason' | 'askedFor'> & {
  requesterId: string;
  institutionId: string | null;
  roomId: string | null;
};
export type BookingRequestFilter = {
  state?: RequestState | undefined;
  requesterId?: string | undefined;
  institutionId?: string | undefined;
  roomId?: string | undefined;
  /** Requests whose asked-for time ends after `from` and starts before `to`. */
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  offset?: number | undefined;
};

export interface BookingRequestRepository {
  insert(input: BookingRequestInput): Promise<string>;
  findById(id: string, opts?: { forUpdate?: boolean }): Promise<BookingRequest | null>;
  list(filter: BookingRequestFilter): Promise<BookingRequest[]>;
  decide(id: string, d: { state: Exclude<RequestState, 'pending'>; decidedBy: string | null; at: Date; note: string; bookingId?: string | null }): Promise<void>;
  /** Marks the pending requests whose start has come as expired; their ids (each one exactly once, whichever instance runs it). */
  expireDue(now: Date): Promise<string[]>;
  /** `lock` (with a requester, inside a transaction): holds that person's new requests until it ends. */
  countPending(filter: { requesterId?: string | undefined; lock?: boolean }): Promise<number>;
}

export type Repositories = {
  waiting: WaitingListRepository;
  requests: BookingRequestRepository;
  audio: AudioRepository;
  delegations: DelegationRepository;
  senders: SenderCountRepository;
  bookings: BookingRepository;
  rooms: RoomRepository;
  institutions: InstitutionRepository;
  users: UserRepository;
  passwordLinks: PasswordLinkRepository;
  audit: AuditRepository;
  jobs: JobScheduler;
  meetings: MeetingSchedule;
};

/**
 * The provisioning state of new bookings, written in their own transaction (jobs/provisioning.ts):
 * a room prepared only shortly before its start needs no work when it is booked.
 */
export interface MeetingSchedule {
  /**
   * One `pending` row per booking, due at `dueAt` (the provisioning tick prepares it then), with the
   * provider of its room or `defaultProvider`; a booking that has a row keeps it.
   */
  pending(rows: readonly { bookingId: string; roomId: string; dueAt: Date }[], defaultProvider: string): Promise<void>;
}

export type BookingEvent = {
  action: 'created' | 'updated' | 'cancelled';
  before: Booking | null;
  after: Booking;
  ctx: CallContext;
  /**
   * Set when the change is one occurrence of a change to a whole series (created, edited or
   * cancelled together); a SeriesListener hears about the series once. Per-occurrence work
   * (provisioning) still reacts to each; mail waits for the series event.
   */
  partOfSeries?: boolean;
  /** A new booking whose booker asked for no audio conference (issue #7; audio is on by default). */
  withoutAudio?: boolean;
  /** What the person changing or cancelling wrote to those the mail goes to (the booker, the invitees); blank: none. */
  message?: string | undefined;
};
/**
 * Reacts to a booking change inside the booking's own transaction (provisioning, mail, audio
 * enqueue their jobs here), so the reaction exists exactly when the change does.
 */
export type BookingListener = (repos: Repositories, event: BookingEvent) => Promise<void>;
/**
 * The same for all the changes of one transaction at once (a series books its occurrences
 * together): a reaction that costs statements per booking can batch them.
 */
export type BookingBatchListener = (repos: Repositories, events: BookingEvent[]) => Promise<void>;

export type SeriesEvent = {
  action: 'created' | 'updated' | 'cancelled';
  series: Series;
  /** Set when only this occurrence was cancelled (iCalendar CANCEL with RECURRENCE-ID). */
  occurrence?: Booking | undefined;
  ctx: CallContext;
  /** As BookingEvent's: the words of the person changing or cancelling, mailed with the change. */
  message?: string | undefined;
  /**
   * A change of the whole series: its next date before and after it. Where the change moved that
   * date (its time, its room), the mail says where it was, as for one booking.
   */
  next?: { before: Booking; after: Booking } | undefined;
};
/** Reacts to a series change inside its transaction, like BookingListener. */
export type SeriesListener = (repos: Repositories, event: SeriesEvent) => Promise<void>;

/** A request's Idempotency-Key as the unit of work keeps it; nothing else looks inside. */
export type RequestKey = { readonly requestKey: true };

/** Runs `work` in one database transaction; retried as a whole on deadlock or serialisation failure. */
export interface UnitOfWork {
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /** The current request's Idempotency-Key, opaque here (db/idempotency.ts), to carry into a group. */
  currentKey(): RequestKey | null;
  /**
   * One transaction for the work of several requests (app/group-commit.ts). Each request's key is
   * written in it, as `transaction` writes the current one's: a key already used leaves its request
   * out (answered as a replay), and `work` gets the indexes of the others; a request the work
   * refused (an Error in its place) keeps no key, as if its transaction had rolled back alone.
   */
  transactionForEach<T>(keys: readonly (RequestKey | null)[], work: (repos: Repositories, live: readonly number[]) => Promise<(T | Error)[]>): Promise<(T | Error)[]>;
  /** The same repositories outside a transaction, for reads. */
  readonly repos: Repositories;
}

/** Who is calling, for audit records and authorisation. */
export type CallContext = {
  actor: Actor;
  requestId?: string | undefined;
  /**
   * The person a new booking or series is for when the actor books on their behalf (issue #17);
   * set only by app/delegation.ts `onBehalf`, after the rule allowed it.
   */
  onBehalfOf?: Actor | undefined;
};

/** A person's place in a waiting list (issue #17, migration 019): waiting, then maybe held, then booked. */
export type WaitingState = 'waiting' | 'held' | 'booked' | 'expired' | 'withdrawn';
export type WaitingEntry = {
  id: string;
  /** Order of joining: first come, first served. */
  position: number;
  userId: string;
  institutionId: string | null;
  /** Null: any room that fits the seats. */
  roomId: string | null;
  start: Date;
  end: Date;
  seats: number;
  title: string;
  description: string;
  state: WaitingState;
  heldRoomId: string | null;
  holdExpiresAt: Date | null;
  bookingId: string | null;
  createdAt: Date;
};
export type NewWaitingEntry = Pick<WaitingEntry, 'userId' | 'institutionId' | 'roomId' | 'seats' | 'title' | 'description'> & { slot: Slot };

export interface WaitingListRepository {
  /**
   * Joins, or answers the person's open entry for the same room choice and slot; null when the
   * person has `most` entries open already (counted under their lock: exact under concurrency).
   */
  join(e: NewWaitingEntry, most: number): Promise<WaitingEntry | null>;
  findById(id: string, opts?: { forUpdate?: boolean }): Promise<WaitingEntry | null>;
  /** The person's entries whose slot has not ended, in joining order. */
  ofUser(userId: string, now: Date): Promise<WaitingEntry[]>;
  /** Waiting entries whose slot meets `range` and starts after `now`, locked, in joining order. */
  lockWaiting(range: Slot, now: Date): Promise<WaitingEntry[]>;
  anyWaiting(range: Slot): Promise<boolean>;
  hold(id: string, roomId: string, occupied: Slot, expiresAt: Date): Promise<void>;
  setState(id: string, state: 'booked' | 'expired' | 'withdrawn', bookingId?: string): Promise<void>;
  /** Holds due to end (or whose slot began), locked without waiting for another instance's, marked expired. */
  expireDueHolds(now: Date, limit: number): Promise<WaitingEntry[]>;
  /** Waiting entries whose slot began: expired. */
  expirePastWaiting(now: Date): Promise<number>;
}
