// The provisioning pipeline's port and records: what the use-cases in provisioning.ts and
// joining.ts need from storage (db/provisioning-repository.ts implements it), and the shapes they
// pass around.
import type { AuditEntry } from '../ports.ts';
import type { GuestPolicy, MeetingRef } from '../providers/port.ts';

export type { GuestPolicy };
export type RoomState = 'pending' | 'ready' | 'failed' | 'ended';
/** What the meeting was last prepared with; `audioPin` is the dial-in PIN a room that dials in (Adobe) uses. */
export type PreparedFacts = { title: string; start: string; end: string; seats: number; guestPolicy: GuestPolicy; audioPin: string | null };

export type ProvisioningRow = {
  bookingId: string;
  provider: string;
  state: RoomState;
  meetingRef: MeetingRef | null;
  prepared: PreparedFacts | null;
  usedFallback: boolean;
  attempts: number;
  dueAt: Date | null;
  lastError: string | null;
  lastErrorCode: string | null;
  firstJoinedAt: Date | null;
  noShowChecked: boolean;
  updatedAt: Date;
};
export type RowPatch = Partial<Pick<ProvisioningRow, 'provider' | 'state' | 'meetingRef' | 'prepared' | 'usedFallback' | 'attempts' | 'dueAt' | 'lastError' | 'lastErrorCode' | 'noShowChecked'>>;

export type BookingFacts = {
  bookingId: string;
  /** The secret its meeting is named after on the services (MeetingSpec.meetingKey). */
  meetingKey: string;
  title: string;
  start: Date;
  end: Date;
  seats: number;
  status: 'confirmed' | 'cancelled';
  timeZone: string;
  bookerId: string;
  bookerEmail: string;
  bookerName: string;
  institutionId: string | null;
  roomId: string;
  /** The series it is an occurrence of, if any (a series-wide guest link moves along it). */
  seriesId: string | null;
  roomProvider: string | null;
  roomSettings: Record<string, unknown>;
};

export type GuestLink = { bookingId: string; token: string; policy: GuestPolicy; pin: string | null };
export type Attempt = { id: string; bookingId: string | null; provider: string; action: string; ok: boolean; errorCode: string | null; error: string | null; durationMs: number; at: Date };
/** An attempt as the administrators' page lists it: with its booking's title (null once the booking is gone). */
export type ListedAttempt = Attempt & { bookingTitle: string | null };
/** A room that could not be prepared, with what an administrator needs to judge how urgent it is and whom it concerns. */
export type FailedMeeting = ProvisioningRow & {
  booking: { title: string; start: Date; end: Date; cancelled: boolean; roomName: string; timeZone: string; bookerName: string };
};

/** A booking's facts with its room's state and guest policy, read in one go for joins. */
export type JoinView = {
  facts: BookingFacts;
  provider: string | null;
  state: RoomState | null;
  meetingRef: MeetingRef | null;
  firstJoinedAt: Date | null;
  guestPolicy: GuestPolicy;
  /** The signed-in person asking to join, when one was named; `invited`: their e-mail is among the booking's (or its series') invitees. */
  /** `cohost`: invited as a co-host, who enters as host. */
  viewer: { name: string; email?: string | undefined; invited: boolean; cohost: boolean } | null;
};

export interface ProvisioningStore {
  facts(bookingId: string): Promise<BookingFacts | null>;
  joinView(bookingId: string, viewerId?: string): Promise<JoinView | null>;
  ensure(bookingId: string, provider: string, dueAt: Date): Promise<void>;
  claim(bookingId: string, leaseSeconds: number): Promise<ProvisioningRow | null>;
  markDirty(bookingId: string): Promise<void>;
  /** Saves the outcome and drops the lease; true when the booking changed meanwhile. */
  finish(bookingId: string, patch: RowPatch): Promise<boolean>;
  get(bookingId: string): Promise<ProvisioningRow | null>;
  getMany(ids: string[]): Promise<Map<string, ProvisioningRow>>;
  due(now: Date, limit: number): Promise<string[]>;
  recordAttempt(a: Omit<Attempt, 'id' | 'at'>): Promise<void>;
  attempts(f: { limit: number; failedOnly: boolean; bookingId?: string | undefined }): Promise<ListedAttempt[]>;
  /** The rooms parked as failed: meetings still to come (or under way) first, soonest first; then the ended ones, latest first. */
  failed(limit: number, now: Date): Promise<FailedMeeting[]>;
  bookingsWithoutState(from: Date, to: Date): Promise<string[]>;
  withMeeting(provider: string): Promise<ProvisioningRow[]>;
  isLeased(bookingId: string): Promise<boolean>;
  guestLink(bookingId: string): Promise<GuestLink>;
  peekGuestLink(bookingId: string): Promise<GuestLink | null>;
  guestLinkByToken(token: string): Promise<GuestLink | null>;
  /** The booking a guest link opens now (a series-wide link moves from occurrence to occurrence). */
  guestTarget(ownerId: string, now: Date, graceMinutes: number): Promise<string>;
  currentOccurrence(bookingId: string, now: Date): Promise<string | null>;
  /** Whether the booking is a date of a series whose dates share one guest link (shared_access). */
  sharesSeriesLink(bookingId: string): Promise<boolean>;
  /** `audit`: who did it, recorded in the change's own transaction (the booking's history shows it). */
  rotateGuestLink(bookingId: string, audit: AuditEntry): Promise<GuestLink>;
  setGuestPolicy(bookingId: string, policy: GuestPolicy, pin: string | null, audit: AuditEntry): Promise<GuestLink>;
  tryRun(name: string, everySeconds: number): Promise<boolean>;
  markJoined(bookingId: string, at: Date): Promise<void>;
  bookingIdByPrefix(hex12: string): Promise<string | null>;
  /** The booking whose secret meeting key this is (a Jitsi room, a listed meeting's name). */
  bookingIdByMeetingKey(key: string): Promise<string | null>;
  roomProviderSettings(roomId: string): Promise<{ provider: string | null; settings: Record<string, unknown> } | null>;
  setRoomProviderSettings(roomId: string, settings: Record<string, unknown>): Promise<void>;
}

/** What a room may say about its provider (no secrets: those come from configuration only). */
export type RoomProviderSettings = {
  /** Adobe Connect: the room's own meeting (sco-id), reassigned to each booking; unset = a fresh meeting per booking. */
  scoId?: string | undefined;
  /** Adobe Connect: the folder fresh meetings go into, instead of the configured one. */
  folderId?: string | undefined;
  /** Release the rest of the slot when nobody joined within NO_SHOW_MINUTES of the start. */
  noShowRelease?: boolean | undefined;
};

export type NoShowHandler = (facts: BookingFacts) => Promise<void>;
/** Tells the booker what the pipeline did to their booking on its own (e-mail). */
export type BookerNotice = (facts: BookingFacts, notice: { kind: 'fallback'; from: string; to: string; reason: string }) => Promise<void>;
