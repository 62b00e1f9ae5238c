// The conferencing port: what the provisioning pipeline and the join pages need from a web-conference
// service, kept small on purpose (see STYLE.md on Cal.com's VideoApiAdapter). Extra abilities are
// separate capability interfaces that an adapter implements or not, checked once in registry.ts.

export type GuestPolicy = 'open' | 'pin' | 'lobby';

/** What a booking asks of the service. `settings` is the room's provider_settings (never secrets). */
export type MeetingSpec = {
  bookingId: string;
  /**
   * The booking's secret meeting key (32 hex digits, migration 007): what its meeting is named after
   * on the service (`meetingName`). Never the booking id, which every member sees.
   */
  meetingKey: string;
  title: string;
  start: Date;
  end: Date;
  seats: number;
  timeZone: string;
  host: { userId: string; email: string; name: string };
  guestPolicy: GuestPolicy;
  settings: Record<string, unknown>;
  /** The booking's audio conference (issue #7), when it has one: what a room that dials in needs. */
  audio?: { numbers: string[]; pin: string; sipUri: string | null } | null | undefined;
};

/** The service's handle of a prepared meeting, stored by the pipeline as JSON. */
export type MeetingRef = { id: string; url?: string | undefined; data?: Record<string, string> | undefined };

/** `guest`: came through the guest link (no account); the guest policy's lobby applies to them. */
export type Participant = { id: string; email?: string | undefined; name: string; guest?: boolean | undefined };

export interface ConferenceProvider {
  readonly kind: string;
  /** Creates the meeting, or updates the one already there: calling it twice leaves one meeting. */
  prepare(spec: MeetingSpec): Promise<MeetingRef>;
  /** The booking moved, was resized or edited. */
  update(ref: MeetingRef, spec: MeetingSpec): Promise<MeetingRef>;
  /** Ends a meeting in progress (participants are sent out). Ending a meeting twice is fine. */
  end(ref: MeetingRef): Promise<void>;
  /** Gives the room back (deletes a per-booking meeting, resets a fixed room). Idempotent. */
  release(ref: MeetingRef, spec: MeetingSpec): Promise<void>;
  /** A URL that puts the signed-in user into the meeting as host, without a second login. */
  hostJoinUrl(ref: MeetingRef, user: Participant, spec: MeetingSpec): Promise<string>;
  /** A URL that puts a guest into the meeting as attendee under `guest.name`. */
  attendeeJoinUrl(ref: MeetingRef, guest: Participant, spec: MeetingSpec): Promise<string>;
  health(): Promise<{ ok: boolean; detail: string }>;
}

/** Live head count of a meeting (usage statistics, no-show release). */
export interface ParticipantCounter {
  participantCount(ref: MeetingRef): Promise<number>;
}

/** How many people came to a meeting so far, including those who already left (no-show release). */
export interface AttendanceReport {
  attendanceCount(ref: MeetingRef): Promise<number>;
}

/**
 * Someone the service lists in a meeting now. `id` is the user id the portal gave the service at
 * join (`Participant.id`: the account id, or `guest-…` for a guest) when the service keeps it,
 * else the service's own id for the person.
 */
export type MeetingAttendee = { id: string; name: string };

/** Who is in a meeting now, by person (attendance reports). */
export interface AttendeeLister {
  attendees(ref: MeetingRef): Promise<MeetingAttendee[]>;
}

/** A recording the service made of a meeting. `url`: where it plays (null while processing). */
export type MeetingRecording = { id: string; name: string; start: Date; end: Date | null; lengthMinutes: number | null; published: boolean; url: string | null };

/** The recordings a service makes of its meetings, and the booker's say over them. */
export interface RecordingStore {
  /** `window`: the booking's time, for rooms whose recordings are not per booking (fixed rooms). */
  recordings(ref: MeetingRef, window: { start: Date; end: Date }): Promise<MeetingRecording[]>;
  /** Published: anyone with its link may play it; unpublished: only the service's own users. */
  publishRecording(ref: MeetingRef, recordingId: string, published: boolean): Promise<void>;
  /** Deletes it on the service. Deleting one already gone is fine. */
  deleteRecording(ref: MeetingRef, recordingId: string): Promise<void>;
}

/**
 * The service holds guests of a booking whose guest policy is 'lobby' at a door until a host lets
 * them in (BigBlueButton's ASK_MODERATOR, Adobe Connect's room without public access, the portal's
 * own room for Janus). A service without one would let them straight in, so the portal refuses
 * that policy for its rooms rather than promise a door that is not there.
 */
export interface GuestLobby {
  readonly guestLobby: true;
}

/** Who a room ticket lets in: what the join pages decided, signed by the adapter. */
export type RoomTicket = { bookingId: string; role: 'host' | 'attendee'; name: string; userId: string; lobby: boolean };
/** What a browser needs to enter a room the portal serves itself (never the room's secret). */
export type RoomEntry = {
  server: string;
  room: number;
  pin: string;
  participantId: number;
  display: string;
  /** The AudioBridge group browsers join (the phone leg hears this group's mix). */
  audioGroup: string;
};
export type RoomParticipant = { id: number; display: string; publishing: boolean; audioMuted: boolean | null };

/**
 * A meeting room the portal serves on its own page (/room/<booking>, issue #14): the join URLs carry
 * a signed ticket, the page exchanges it for an entry, and the host's controls act through the
 * portal, which holds the room's secret.
 */
export interface BrowserRoom {
  /** The ticket of a join URL, or null when it is not one this adapter signed (or expired). */
  admit(ticket: string): RoomTicket | null;
  enter(ref: MeetingRef, who: RoomTicket): Promise<RoomEntry>;
  participants(ref: MeetingRef): Promise<RoomParticipant[]>;
  mute(ref: MeetingRef, participantId: number, muted: boolean): Promise<void>;
  remove(ref: MeetingRef, participantId: number): Promise<void>;
}

/**
 * A meeting the portal made on the service, with the booking it was made for: by the booking id
 * where the service keeps it (or a name from before migration 007), or by the meeting key in its
 * name, which reconcile looks up.
 */
export type ListedMeeting = { ref: MeetingRef; bookingId: string } | { ref: MeetingRef; meetingKey: string };

/** Lists the meetings this portal made on the service, for reconcile. */
export interface MeetingLister {
  listMeetings(): Promise<ListedMeeting[]>;
}

/** A meeting on the service that the portal did not make (no portal name, key or handle), as the service describes it. */
export type OutsideMeeting = { ref: MeetingRef; name: string; start: Date | null; end: Date | null };

/**
 * Lists the service's meetings the portal did not make (issue #17), so administrators can adopt or
 * remove them; removal is the adapter's own end + release. Only where the protocol lists them all.
 */
export interface OutsideMeetingLister {
  listOutsideMeetings(): Promise<OutsideMeeting[]>;
}

/**
 * How a meeting's room takes phone audio (issue #7). The telephony application (src/telephony/) asks
 * the adapter once a caller is in the booking's audio conference and connects the room's leg:
 * - `originate`: Asterisk calls the room (BigBlueButton's FreeSWITCH voice bridge, Jitsi's Jigasi
 *   gateway). `endpoint` is an ARI originate endpoint such as `PJSIP/70757@bigbluebutton`;
 *   `variables` are channel variables for the originate body, e.g. the SIP header Jigasi reads
 *   (`PJSIP_HEADER(add,Jitsi-Conference-Room)`).
 * - `dials-in`: the room calls our dial-in number itself with the booking's PIN (Adobe Connect's
 *   Universal Voice, configured in `prepare` from `MeetingSpec.audio`); nothing to originate.
 * - `external-media`: the room takes plain RTP (Janus' AudioBridge): Asterisk makes an ARI
 *   `externalMedia` channel in `format` towards the peer the adapter opens (`ExternalMediaRoom`).
 */
export type RoomAudio =
  | { mode: 'originate'; endpoint: string; variables?: Record<string, string> | undefined; callerId?: string | undefined }
  | { mode: 'dials-in' }
  | { mode: 'external-media'; format: string };

/** One plain-RTP participant of a room, for as long as Asterisk's externalMedia channel lives. */
export type ExternalMediaPeer = {
  /** `host:port` where the room takes RTP: the channel's `external_host`. */
  host: string;
  /** Tells the room where Asterisk's end listens (the channel's UNICASTRTP_LOCAL_ADDRESS and _PORT). */
  connect(asterisk: { address: string; port: number }): Promise<void>;
  /** Leaves the room. Idempotent. */
  close(): Promise<void>;
};

/** Rooms whose audio leg is an RTP peer the adapter opens (`RoomAudio` mode `external-media`). */
export interface ExternalMediaRoom {
  /** `onLost`: the room dropped the peer (server restarted, session expired): the leg should go. */
  openExternalMedia(ref: MeetingRef, onLost: () => void): Promise<ExternalMediaPeer>;
}

export interface AudioLeg {
  /** How this meeting's room hears phone callers, or null when the room has no phone audio configured. */
  roomAudio(ref: MeetingRef, spec: MeetingSpec): RoomAudio | null;
}

export const hasParticipantCounter = (p: object): p is ParticipantCounter => typeof (p as Partial<ParticipantCounter>).participantCount === 'function';
export const hasMeetingLister = (p: object): p is MeetingLister => typeof (p as Partial<MeetingLister>).listMeetings === 'function';
export const hasOutsideMeetingLister = (p: object): p is OutsideMeetingLister => typeof (p as Partial<OutsideMeetingLister>).listOutsideMeetings === 'function';
export const hasAttendanceReport = (p: object): p is AttendanceReport => typeof (p as Partial<AttendanceReport>).attendanceCount === 'function';
export const hasAudioLeg = (p: object): p is AudioLeg => typeof (p as Partial<AudioLeg>).roomAudio === 'function';
export const hasExternalMedia = (p: object): p is ExternalMediaRoom => typeof (p as Partial<ExternalMediaRoom>).openExternalMedia === 'function';
export const hasAttendeeLister = (p: object): p is AttendeeLister => typeof (p as Partial<AttendeeLister>).attendees === 'function';
export const hasRecordingStore = (p: object): p is RecordingStore => typeof (p as Partial<RecordingStore>).recordings === 'function';
export const hasGuestLobby = (p: object): p is GuestLobby => (p as Partial<GuestLobby>).guestLobby === true;
export const hasBrowserRoom = (p: object): p is BrowserRoom => typeof (p as Partial<BrowserRoom>).admit === 'function';

/**
 * Every adapter failure. `retryable`: timeouts, 5xx, refused connections (try again later);
 * otherwise permanent: bad credentials, a room that does not exist (an admin must act).
 */
export class ProviderError extends Error {
  readonly retryable: boolean;
  readonly code: string;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
    this.retryable = retryable;
  }
}

export const retryable = (code: string, message: string) => new ProviderError(code, message, true);
export const permanent = (code: string, message: string) => new ProviderError(code, message, false);

/**
 * The name a booking's meeting has on a service where the name lets people in or can be seen (a
 * Jitsi room, an Adobe Connect URL path, a BigBlueButton meeting id): `wm-<meeting key>`. It is
 * deterministic, which makes prepare idempotent, and secret, since booking ids are not.
 */
export const meetingName = (spec: Pick<MeetingSpec, 'meetingKey'>) => `wm-${spec.meetingKey}`;
/** The meeting key in a name made by `meetingName` (any case; a Jitsi MUC JID's domain dropped), or null. */
export const meetingKeyOfName = (name: string): string | null => /^wm-([0-9a-f]{32})$/.exec(name.split('@')[0]!.trim().toLowerCase())?.[1] ?? null;

/**
 * `wm-<booking id>`: the name of meetings prepared before migration 007 (kept until they are
 * released), and the portal's internal handle where the name shows nobody a way in (Janus room
 * descriptions behind the admin key, Adobe telephony profiles of the portal's account).
 */
export const bookingHandle = (bookingId: string) => `wm-${bookingId}`;
export const bookingIdOfHandle = (key: string): string | null => {
  const m = /^wm-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(key);
  return m ? m[1]!.toLowerCase() : null;
};
