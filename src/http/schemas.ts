// Zod schemas: the single source for request validation, response shapes, TypeScript types and the
// OpenAPI document. Request objects are strict: an unknown field is an error, not silently dropped.
import { z } from 'zod';
import { ROLES } from '../domain/access.ts';
import { isValidTimeZone } from '../domain/time.ts';
import { SCHEMA_WORDS } from './schema-words.ts';

export const Id = z.uuid({ error: SCHEMA_WORDS.uuid.en });
export const IdParams = z.strictObject({ id: Id });
const Instant = z.string().describe('RFC 3339 date-time');
const DateOnly = z.iso.date({ error: SCHEMA_WORDS.date.en });

// Every string a request carries is built from these, so what no field may hold is said once:
// control characters (Unicode Cc: C0, DEL, C1; PostgreSQL refuses NUL in text with a 500, the
// others break mails, logs and calendar files) and unpaired UTF-16 surrogates (not Unicode: the
// driver would store U+FFFD). Only multi-line fields (descriptions) may hold a tab or a newline.
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_TAB_NEWLINE = /(?![\t\n])\p{Cc}/u;
// With the u flag a pair is one code point, so only a surrogate on its own matches.
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const clean = (s: z.ZodString, controls: RegExp) =>
  s
    .refine((v) => !controls.test(v), { error: SCHEMA_WORDS.noControls.en })
    .refine((v) => !LONE_SURROGATE.test(v), { error: SCHEMA_WORDS.wellFormed.en });
/** One line of text, possibly empty. */
export const Line = (max: number) => clean(z.string().max(max), CONTROL);
/** A name or title: one line, trimmed, not blank. */
export const Text = (max: number) => clean(z.string().trim().min(1).max(max), CONTROL);
/** Free text over several lines. */
export const MultiLine = (max: number) => clean(z.string().max(max), CONTROL_BUT_TAB_NEWLINE);

// RFC 3339 allows any offset; real zones are within -12:00..+14:00, and Luxon reads "+99:00" as 99 hours.
const OFFSET = /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|([+-])(\d{2}):?(\d{2})?)$/i;
const offsetInRange = (v: string) => {
  const m = OFFSET.exec(v);
  if (!m || !m[1]) return true;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return Number(m[3] ?? 0) < 60 && minutes <= 14 * 60;
};
const OFFSET_ERROR = { error: SCHEMA_WORDS.offset.en };
/** An instant with its offset (Z or ±hh:mm, at most 14 hours). */
export const OffsetDateTime = z.iso.datetime({ offset: true }).refine(offsetInRange, OFFSET_ERROR);

/**
 * A query over a time range: `to` before `from` (or equal, when `nonEmpty`) is refused with the
 * code RANGE_REVERSED rather than answered with an empty list.
 */
export const timeRange = <T extends z.ZodObject<{ from: z.ZodType<string | undefined>; to: z.ZodType<string | undefined> }>>(schema: T, nonEmpty = false) =>
  schema.superRefine((q, ctx) => {
    const { from, to } = q as { from?: string; to?: string };
    if (!from || !to) return;
    const span = Date.parse(to) - Date.parse(from);
    if (span < 0 || (nonEmpty && span === 0)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: SCHEMA_WORDS.afterFrom.en, params: { code: 'RANGE_REVERSED' } });
    }
  });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    askable: z.boolean().optional().describe('self-service refuses this but an administrator may grant it: POST /requests with `ask` and a reason'),
    ask: z.record(z.string(), z.unknown()).optional().describe('the refused booking’s input, to carry over into a request'),
  })
  .catchall(z.unknown())
  .describe('RFC 9457 problem details with a stable `code`');

export const errorResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
} as const;

// Rooms
export const Room = z.object({
  id: Id,
  name: z.string(),
  capacity: z.number().int(),
  timeZone: z.string(),
  provider: z.string().nullable(),
  active: z.boolean(),
  onApproval: z.boolean().describe('booked only on an administrator’s approval: people ask for it (POST /requests)'),
  createdAt: Instant,
  updatedAt: Instant,
});
export const RoomCreate = z.strictObject({
  name: Text(100),
  capacity: z.number().int().min(1).max(100_000),
  timeZone: Line(64).min(1).optional(),
  provider: Line(64).min(1).nullable().optional(),
  active: z.boolean().optional(),
  onApproval: z.boolean().optional(),
});
export const RoomPatch = RoomCreate.partial();

// Bookings
export const Booking = z.object({
  id: Id,
  title: z.string(),
  description: z.string(),
  roomId: Id,
  roomName: z.string(),
  timeZone: z.string(),
  start: Instant,
  end: Instant,
  startLocal: Instant.describe('the start with the room zone’s offset'),
  endLocal: Instant,
  seats: z.number().int(),
  status: z.enum(['confirmed', 'cancelled']),
  booker: z.object({ id: Id, name: z.string() }).describe('the owner: invited, host, holder of the host PIN (the same as ownerId)'),
  ownerId: Id.describe('whom the booking is for; their institution’s quota counts it'),
  bookedBy: z.object({ id: Id, name: z.string() }).nullable().describe('who booked it for the owner (they may change and cancel it too); null when the owner booked it'),
  institutionId: Id.nullable(),
  joinUrl: z.string().describe('the join page of the virtual room (the booker and managers enter as host); its state and guest link: GET /bookings/{id}/room'),
  seriesId: Id.nullable().describe('the series this booking is an occurrence of'),
  recurrenceId: Instant.nullable().describe('the occurrence’s original start (iCalendar RECURRENCE-ID)'),
  isException: z.boolean().describe('the occurrence was changed apart from its series'),
  createdAt: Instant,
  updatedAt: Instant,
});
const TimeInput = Line(40)
  .refine(offsetInRange, OFFSET_ERROR)
  .describe('RFC 3339 instant (with Z or offset), or a local time without offset in the room’s zone, e.g. 2026-03-30T10:00');
export const BookingCreate = z.strictObject({
  title: Text(200),
  description: MultiLine(5000).optional(),
  roomId: Id.optional(),
  seats: z.number().int().min(1).max(100_000).optional(),
  start: TimeInput,
  end: TimeInput,
  audio: z.boolean().optional().describe('false: no audio conference (telephone and SIP dial-in) for this booking; default true when the portal has telephony'),
  ownerId: Id.optional().describe('book for this person (default: yourself): someone who named you delegate and whose request you accepted; a member of your institution if you are its manager; anyone if you are an admin'),
});
/** Words for the people a change or cancellation is mailed to (the booker, the invitees); blank: none. */
const MailedMessage = clean(z.string().trim().max(1000), CONTROL_BUT_TAB_NEWLINE).describe(
  'A message mailed with the change or cancellation to the booker and the invitees, quoted under the name of the person making it',
);
export const BookingPatch = BookingCreate.omit({ audio: true, ownerId: true }).partial().extend({ message: MailedMessage.optional() });
export const BookingQuery = timeRange(
  z.strictObject({
    from: OffsetDateTime.optional(),
    to: OffsetDateTime.optional(),
    roomId: Id.optional(),
    userId: Id.optional().describe('this person’s bookings: those they own and those they made for someone else'),
    status: z.enum(['confirmed', 'cancelled']).optional(),
    q: Line(200).optional().describe('words that must all be in the title, in any order, case aside (the first six count)'),
    order: z.enum(['asc', 'desc']).default('asc').describe('by start: `asc`, the earliest first, or `desc`, the latest first (past meetings, the most recent first); the cursor follows it'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: Line(200).optional(),
  }),
);
export const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

// Availability
export const AvailabilityQuery = timeRange(
  z.strictObject({
    from: OffsetDateTime,
    to: OffsetDateTime,
    seats: z.coerce.number().int().min(1).optional(),
  }),
  true,
);
export const Availability = z.object({
  from: Instant,
  to: Instant,
  seatPool: z.number().int(),
  rooms: z.array(
    z.object({
      roomId: Id,
      name: z.string(),
      capacity: z.number().int(),
      timeZone: z.string(),
      fits: z.boolean(),
      busy: z.array(
        z.object({
          start: Instant,
          end: Instant,
          blockedUntil: Instant,
          bookingId: Id.nullable(),
          title: z.string().nullable(),
          seats: z.number().int(),
          booker: z.object({ id: Id, name: z.string() }).nullable().describe('who the booking is for; null, as bookingId and title, where you may not manage it'),
          seriesId: Id.nullable().describe('the series the booking is an occurrence of; null for a single booking, and where you may not manage it'),
        }),
      ),
    }),
  ),
  pool: z.array(z.object({ start: Instant, end: Instant, seatsUsed: z.number().int(), seatsLeft: z.number().int() })),
});

// Institutions
export const Institution = z.object({
  id: Id,
  name: z.string(),
  scopes: z.array(z.string()),
  subscriptionStart: z.string().nullable(),
  subscriptionEnd: z.string().nullable(),
  monthlyQuotaHours: z.number().nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const InstitutionCreate = z.strictObject({
  name: Text(200),
  scopes: z.array(Text(253).regex(/^@?[a-z0-9.-]+$/i, SCHEMA_WORDS.domain.en)).max(100).default([]),
  subscriptionStart: DateOnly.nullable().default(null),
  subscriptionEnd: DateOnly.nullable().default(null),
  monthlyQuotaHours: z.number().min(0).max(100_000).nullable().default(null),
});
export const InstitutionPatch = z.strictObject({
  name: Text(200).optional(),
  scopes: InstitutionCreate.shape.scopes.unwrap().optional(),
  subscriptionStart: DateOnly.nullable().optional(),
  subscriptionEnd: DateOnly.nullable().optional(),
  monthlyQuotaHours: z.number().min(0).max(100_000).nullable().optional(),
});

// Users
const Role = z.enum(ROLES);
export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  institutionId: Id.nullable(),
  locale: z.enum(['it', 'en']).nullable().describe('Language of the person’s mails; null: the portal’s default'),
  disabled: z.boolean(),
  disabledAt: Instant.nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const ListedUser = User.extend({
  signIn: z
    .object({
      password: z.boolean().describe('Has a password of this portal'),
      institution: z.boolean().describe('Has signed in through their institution (SAML or OpenID Connect) at least once'),
      lastAt: Instant.nullable().describe('Their last sign-in; null: never'),
    })
    .describe('How the person can sign in, and when they last did'),
});
const Locale = z.enum(['it', 'en']);
const Email = z.email({ error: SCHEMA_WORDS.email.en }).max(320);
const Password = Line(256).min(12, SCHEMA_WORDS.password.en);
export const UserCreate = z.strictObject({
  email: Email,
  name: Text(200),
  role: Role.default('member'),
  institutionId: Id.nullable().default(null).describe('A manager’s invitation: their own institution (the default) only'),
  locale: Locale.nullable().default(null),
  password: Password.optional().describe('Administrators only; better: send a password link (POST /api/v1/users/{id}/password-link)'),
});
export const UserPatch = z.strictObject({
  name: Text(200).optional(),
  role: Role.optional(),
  institutionId: Id.nullable().optional(),
  locale: Locale.nullable().optional(),
  disabled: z.boolean().optional().describe('Administrators: true ends the person’s sessions and API tokens at once and refuses sign-in'),
});
export const PasswordLinkIssued = z.object({
  delivery: z.enum(['mail', 'shown']).describe('`mail`: sent to the person; `shown`: no mail server, so the link is in this answer, once'),
  url: z.string().optional(),
  expiresAt: Instant,
});
const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, SCHEMA_WORDS.linkToken.en);
export const PasswordForgot = z.strictObject({ email: Line(320).min(3) });
export const PasswordLinkQuery = z.strictObject({ token: LinkToken });
export const PasswordLinkInfo = z.object({ email: z.string(), name: z.string(), purpose: z.enum(['invitation', 'reset']), expiresAt: Instant });
export const PasswordSet = z.strictObject({ token: LinkToken, password: Line(1000).min(1) });
export const UserQuery = z.strictObject({
  institutionId: Id.optional(),
  role: z.enum(['admin', 'institution-manager', 'member']).optional().describe('Only people with this role'),
  q: Line(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

// Session, me, tokens
export const SignIn = z.strictObject({
  email: Line(320).min(1),
  password: Line(256).min(1),
  // Not Line(): a `next` with control characters comes from a crafted link, and the person should
  // still sign in; the one return-address check (identity/return-target.ts) turns it into "/".
  next: z.string().max(2000).optional().describe('Where the person was going (e.g. /join/…); answered back as `next` when it is a path of this portal'),
});
export const Me = User.extend({
  hasPassword: z.boolean().describe('Whether the person has a local password (false: they sign in through their institution only)'),
  institution: z.object({ id: Id, name: z.string() }).nullable(),
  canBook: z.boolean(),
  cannotBookReason: z.string().nullable(),
  requestMails: z.boolean().nullable().describe('Administrators: whether each new booking request is mailed to them; null for everyone else'),
  reminders: z.boolean().describe('Whether reminders before their meetings are mailed to them'),
  timeZone: z.string().nullable().describe('The IANA zone their mails show times in besides the room’s; null: the room’s alone'),
  csrfToken: z.string().nullable(),
});
export const SignedIn = z.object({
  user: Me,
  csrfToken: z.string(),
  next: z.string().describe('Where to go now: the `next` asked for when it is a same-origin path, otherwise "/"'),
});
export const MePatch = z.strictObject({
  locale: Locale.nullable().optional().describe('The language of the portal, mails and messages for this person; null: the browser’s and the portal’s default'),
  requestMails: z.boolean().optional().describe('Administrators only: mail me each new booking request'),
  reminders: z.boolean().optional().describe('Mail me reminders before my meetings (booked or invited to with my address)'),
  // Refused by the schema, before anything of the request is saved.
  timeZone: Line(64).refine(isValidTimeZone, SCHEMA_WORDS.timeZone.en).nullable().optional().describe('The IANA zone my mails show times in besides the room’s (Europe/London); null: the room’s alone'),
});
export const TokenCreate = z.strictObject({ name: Text(100) });
export const PasswordChange = z.strictObject({ currentPassword: Line(1000).min(1), password: Line(1000).min(1) });
export const Token = z.object({ id: Id, name: z.string(), createdAt: Instant, lastUsedAt: Instant.nullable() });

// Audit
export const AuditQuery = timeRange(
  z.strictObject({
    entity: Line(50).optional(),
    entityId: Line(100).optional(),
    actorId: Id.optional(),
    action: Line(100).optional(),
    from: OffsetDateTime.optional(),
    to: OffsetDateTime.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    // An entry's id (bigint): at most 18 digits, so a made-up one is a 400, not a 500.
    cursor: z.string().regex(/^\d{1,18}$/).optional(),
  }),
);
export const AuditEntry = z.object({
  id: z.string(),
  at: Instant,
  actor: z.object({ id: Id, name: z.string().nullable() }).nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  entityName: z.string().nullable().describe('The item’s title or name as the change left it (null when it has none)'),
  before: z.unknown(),
  after: z.unknown(),
});

export const BookingHistory = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: Instant,
      actor: z.object({ id: Id, name: z.string().nullable() }).nullable(),
      action: z.string(),
      message: z.string().nullable().describe('what the person changing or cancelling wrote to those told, else null'),
      about: z.string().nullable().describe('whom the entry concerns: the address made or no longer a co-host, else null'),
    }),
  ),
});

export const Settings = z.object({
  seatPool: z.number().int(),
  turnaroundMinutes: z.number().int(),
  minDurationMinutes: z.number().int(),
  maxDurationMinutes: z.number().int(),
  maxDaysAhead: z.number().int(),
  granularityMinutes: z.number().int(),
  defaultTimeZone: z.string(),
  telephony: z.boolean().describe('The portal offers telephone and SIP dial-in (forms show the audio-conference choice only then)'),
  defaultService: z
    .object({
      provider: z.string(),
      host: z.string(),
      public: z.boolean().describe('Anyone who knows a room’s name can enter (Jitsi without tokens)'),
      setting: z.string().describe('The setting that chose it: PROVIDER_DEFAULT, or the first service configured (ADOBE_CONNECT_URL, BBB_URL, JANUS_URL, JITSI_URL)'),
    })
    .optional()
    .describe('The service of rooms that name none'),
});

// Series (recurring bookings), invitees and calendar feeds
const Rrule = Line(500).trim().min(6).describe('RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=12 (needs COUNT or UNTIL)');
export const SeriesCreate = z.strictObject({
  title: Text(200),
  description: MultiLine(5000).optional(),
  roomId: Id.optional().describe('leave out, and give seats, for the smallest room that fits and is free at every date (else at the most dates)'),
  seats: z.number().int().min(1).max(100_000).optional(),
  start: TimeInput.describe('the first meeting’s start; later ones keep its wall-clock time in the room’s zone'),
  end: TimeInput,
  rrule: Rrule,
  mode: z.enum(['all-or-nothing', 'book-free']).default('all-or-nothing').describe('all-or-nothing: any conflict → 409 and nothing booked; book-free: book the free dates, list the skipped'),
  sharedAccess: z.boolean().optional().describe('one guest link and one PIN for all occurrences (default) or one per occurrence'),
  audio: z.boolean().optional().describe('false: no audio conference (telephone and SIP dial-in) for the occurrences'),
  ownerId: Id.optional().describe('book for this person (default: yourself): someone who named you delegate and whose request you accepted; a member of your institution if you are its manager; anyone if you are an admin'),
  leaveOut: z
    .array(DateOnly)
    .max(200)
    .optional()
    .describe('dates (YYYY-MM-DD, in the room’s time zone) the rule gives but not to book, e.g. holidays: they become the series’ EXDATEs. Each must be a date of the rule other than the first'),
});
const Alternative = z.object({ roomId: Id, roomName: z.string(), start: Instant, end: Instant });
export const SeriesRefusal = z.object({
  start: Instant,
  end: Instant,
  startLocal: Instant.optional(),
  endLocal: Instant.optional(),
  code: z.string(),
  reason: z.string(),
  alternative: Alternative.nullable(),
});
export const Series = z.object({
  id: Id,
  title: z.string(),
  description: z.string(),
  roomId: Id,
  roomName: z.string(),
  timeZone: z.string(),
  seats: z.number().int(),
  rrule: z.string(),
  firstStart: Instant,
  firstStartLocal: Instant,
  durationMinutes: z.number().int(),
  exdates: z.array(Instant),
  sequence: z.number().int(),
  sharedAccess: z.boolean(),
  splitFrom: Id.nullable(),
  status: z.enum(['active', 'cancelled']),
  booker: z.object({ id: Id, name: z.string() }).describe('the owner'),
  bookedBy: z.object({ id: Id, name: z.string() }).nullable().describe('who booked the series for its owner, or null'),
  institutionId: Id.nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
export const Occurrence = Booking.extend({ seriesId: Id.nullable(), recurrenceId: Instant.nullable(), isException: z.boolean(), sequence: z.number().int() });
export const SeriesOutcome = z.object({ series: Series, booked: z.array(Occurrence), skipped: z.array(SeriesRefusal) });
export const SeriesDetail = z.object({ series: Series, occurrences: z.array(Occurrence) });
export const SeriesPreview = z.object({
  room: z.object({ id: Id, name: z.string() }).describe('the room the dates were checked in: the one given, or the one the series would get'),
  occurrences: z.array(
    z.object({
      start: Instant,
      end: Instant,
      startLocal: Instant,
      endLocal: Instant,
      free: z.boolean().describe('the date would be booked now (false when taken or left out)'),
      leftOut: z.boolean().describe('one of the leaveOut dates: not checked, not booked'),
      refusal: SeriesRefusal.nullable(),
    }),
  ),
});
export const SeriesScopeQuery = z.strictObject({ scope: z.enum(['one', 'following', 'all']).default('one') });
export const InvitationsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50) });
export const InvitedMeeting = z.object({
  id: Id,
  title: z.string(),
  description: z.string(),
  roomName: z.string(),
  timeZone: z.string(),
  start: Instant,
  end: Instant,
  startLocal: Instant,
  endLocal: Instant,
  booker: z.object({ name: z.string() }),
  seriesId: Id.nullable(),
  joinUrl: z.string().describe('the way in with the account: as an attendee, or as host for a co-host'),
  cohost: z.boolean().describe('invited as a co-host: they enter as host'),
  reply: z.enum(['yes', 'no']).nullable().describe('what they answered: will they come (for a date of a series, the series’ answer unless the date has its own invitation)'),
});
export const Invitations = z.object({ items: z.array(InvitedMeeting) });
export const InvitationReply = z.strictObject({ reply: z.enum(['yes', 'no']).describe('yes: they will come; no: they cannot (no reminders then)') });
export const InvitationQuery = z.strictObject({
  locale: z.enum(['it', 'en']).describe('the language of the text'),
  withGuestPin: z.enum(['true', 'false']).default('true').describe('with the guests’ PIN, where they need one (false: for a place where the link should not be enough)'),
});
export const InvitationText = z.object({
  subject: z.string().describe('a subject line, should the text go out by mail'),
  text: z.string().describe('the invitation as the invitees’ mails word it: when, room, the two ways in, dial-in; a series’ dates to come'),
});
/** A body with only the words mailed with what the request does (a cancellation, an invitation sent again). */
export const MessageBody = z.strictObject({ message: MailedMessage.optional() });
export const SeriesCancelBody = z.strictObject({ scope: SeriesScopeQuery.shape.scope, message: MailedMessage.optional() });
export const SeriesOccurrenceParams = z.strictObject({ id: Id, bookingId: Id });
export const SeriesChange = z.strictObject({
  scope: z.enum(['one', 'following', 'all']).describe('one: this occurrence (becomes an exception); following: this and later ones (splits the series); all'),
  message: MailedMessage.optional(),
  title: Text(200).optional(),
  description: MultiLine(5000).optional(),
  roomId: Id.optional(),
  seats: z.number().int().min(1).max(100_000).optional(),
  start: TimeInput.optional().describe('scope "one" only'),
  end: TimeInput.optional().describe('scope "one" only'),
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 09:30').optional().describe('following/all: new wall-clock start in the room’s zone'),
  durationMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  rrule: Rrule.optional().describe('following/all: a new rule from this occurrence on'),
});
export const SeriesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });

export const InviteeCreate = z.strictObject({
  email: z.email({ error: SCHEMA_WORDS.email.en }).max(320),
  locale: z.enum(['it', 'en']).default('it'),
  timeZone: Line(64).min(1).optional(),
  message: MailedMessage.optional().describe('words of the inviter, quoted in the invitation under their name'),
});
export const InviteeBatch = InviteeCreate.omit({ email: true }).extend({
  emails: z.array(InviteeCreate.shape.email).min(1).max(50).describe('1 to 50 addresses; those already invited are named in the answer, not refused'),
});
export const Invitee = z.object({
  id: Id,
  email: z.string(),
  locale: z.enum(['it', 'en']),
  timeZone: z.string().nullable(),
  cohost: z.boolean().describe('enters the meeting as host when signed in with this address'),
  reply: z.enum(['yes', 'no']).nullable().describe('what they answered from the link in their mails: will they come (null: no answer yet)'),
  repliedAt: Instant.nullable(),
  muted: z.boolean().describe('they asked, from their mails, for no more mail about this meeting: changes, cancellation and reminders no longer reach them'),
  createdAt: Instant,
});
export const InviteeChange = z.strictObject({ cohost: z.boolean().describe('true: they enter the meeting as host, as the booker does') });
export const InviteeBatchResult = z.object({ added: z.array(Invitee), alreadyInvited: z.array(z.string()).describe('addresses that were invited already (nothing sent to them again)') });
export const InviteeParams = z.strictObject({ id: Id, inviteeId: Id });

export const FeedCreate = z.strictObject({ roomId: Id.optional().describe('a room’s busy times; without it, your own bookings') });
export const Feed = z.object({ id: Id, roomId: Id.nullable(), url: z.string().nullable().describe('shown only when created or regenerated'), createdAt: Instant });
export const MailStatus = z.object({ mailConfigured: z.boolean() });

// Booking on behalf (issue #17): delegates and the people one books for
const PersonRef = z.object({ id: Id, name: z.string(), email: z.string() });
export const Delegation = z.object({
  person: PersonRef.describe('who named the delegate (the bookings are theirs)'),
  delegate: PersonRef.describe('who may book for the person once they accepted'),
  status: z.enum(['pending', 'accepted']).describe('pending: the delegate has not answered yet'),
  createdAt: Instant,
  acceptedAt: Instant.nullable(),
});
export const DelegationList = z.object({ items: z.array(Delegation) });
export const DelegateAdd = z
  .strictObject({ email: Email.optional(), userId: Id.optional() })
  .refine((b) => (b.email === undefined) !== (b.userId === undefined), { message: SCHEMA_WORDS.emailOrUser.en });
export const BookFor = z.object({
  people: z.array(PersonRef).describe('people who named you delegate and whose request you accepted'),
  search: z.enum(['none', 'institution', 'anyone']).describe('whom else you may book for through the people search: your institution’s members (managers) or anyone (admins)'),
});
export const PersonParams = z.object({ personId: Id });
export const DelegateParams = z.object({ delegateId: Id });

// Requests that an administrator approves (issue #17)
export const RequestState = z.enum(['pending', 'approved', 'denied', 'expired', 'withdrawn']);
export const BookingRequest = z.object({
  id: Id,
  state: RequestState,
  title: z.string(),
  description: z.string(),
  seats: z.number().int(),
  start: Instant,
  end: Instant,
  timeZone: z.string().describe('the room’s zone, or the portal’s for "any room"'),
  reason: z.string(),
  askedFor: z.string().describe('the self-service rule the request asks to pass (a refusal code: DURATION_TOO_LONG, TOO_FAR_AHEAD, SEATS_OVER_CAPACITY, NO_ROOM_FITS, SEATS_OVER_SHARE, ROOM_ON_APPROVAL, NOT_ALLOWED_TO_BOOK, OUTSIDE_SUBSCRIPTION)'),
  requester: z.object({ id: Id, name: z.string(), email: z.string() }),
  institution: z.object({ id: Id, name: z.string() }).nullable(),
  room: z.object({ id: Id, name: z.string() }).nullable(),
  decidedBy: z.object({ id: Id, name: z.string() }).nullable(),
  decidedAt: Instant.nullable(),
  decisionNote: z.string().describe('the reason of a denial, or the administrator’s note on an approval'),
  bookingId: Id.nullable().describe('the booking an approval made'),
  createdAt: Instant,
});
export const RequestCreate = BookingCreate.omit({ audio: true }).extend({
  reason: Text(2000).describe('why this is needed (an event, a course...): an administrator reads it'),
});
export const RequestQuery = timeRange(
  z.strictObject({
    state: RequestState.optional(),
    institutionId: Id.optional(),
    roomId: Id.optional(),
    from: OffsetDateTime.optional(),
    to: OffsetDateTime.optional(),
    mine: z.enum(['true', 'false']).optional().describe('administrators: only their own requests'),
    limit: z.coerce.number().int().min(1).max(500).default(200),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('the next page: how many the pages before held'),
  }),
);
export const RequestApprove = z.strictObject({
  roomId: Id.optional().describe('the room to book (required when no room holds the seats); any size'),
  start: TimeInput.optional().describe('another start than asked: the approval proposes it'),
  end: TimeInput.optional(),
  seats: z.number().int().min(1).max(100_000).optional(),
  note: MultiLine(2000).optional(),
});
export const RequestDeny = z.strictObject({ reason: Text(2000).describe('why: the requester reads it') });
export const RequestApproved = z.object({ request: BookingRequest, booking: Booking });
export const RequestCounts = z.object({
  pending: z.number().int().nullable().describe('every pending request (administrators; null for others)'),
  minePending: z.number().int().describe('the caller’s own pending requests'),
});
export const RequestList = z.object({ items: z.array(BookingRequest) });
