// Turns a booking or series change into one mail per recipient (text + HTML in their language,
// with the iCalendar part), from the state in the database when the job runs, so a later change
// is never overtaken by an earlier one's mail.
import type { PgBookingRepository } from '../db/booking-repository.ts';
import type { Booking, Invitee } from '../ports.ts';
import type { PgMailRepository } from '../db/mail-repository.ts';
import { buildCalendar, type CalendarEvent, type CalendarMethod } from './calendar.ts';
import type { OutgoingMail } from './mailer.ts';
import type { MeetingDetails, MeetingDetailsSource } from './meeting-details.ts';
import { MAX_LISTED_DATES, renderMail, type Locale, type MailKind, type SaidMessage } from './messages.ts';
import type { MailConfig } from './settings.ts';

export type Recipient = {
  email: string;
  name?: string | null;
  locale: Locale;
  timeZone: string | null;
  /** Invited by e-mail: the booking's page is not theirs, and their mail names the two ways in (messages.ts). */
  invitee?: boolean | undefined;
  /** The person who booked for the owner (issue #17) gets a short note, without the calendar entry: the owner's name. */
  bookedFor?: string | undefined;
  /** An invitee's own link: they answer whether they come, or stop the mails about this meeting. */
  replyUrl?: string | undefined;
};
export type MailAction = 'created' | 'updated' | 'cancelled';
/** The words the person changing or cancelling wrote, and who they are (their name is read when the mail is written). */
export type MailMessage = { text: string; from: string };
/** What an update moved: the time (ISO instants) and the room before it; each absent where it stayed. */
export type MailWas = { slot?: { start: string; end: string }; roomName?: string };

export type ComposeJob =
  | {
      kind: 'booking';
      id: string;
      sequence: number;
      action: MailAction;
      method: 'REQUEST' | 'CANCEL';
      to?: Recipient;
      message?: MailMessage;
      was?: MailWas;
      /** For the booker alone: see listeners.ts, `bookerOnly`. */
      bookerOnly?: boolean;
      /** The invitation sent again to an invitee, with the links as they are now. */
      resent?: boolean;
      /** The invitee was made a co-host, by this person (their name is read when the mail is written). */
      cohostBy?: string;
      /** The invitees when the change was made (listeners.ts, `invitedAtChange`); absent in jobs from before it: all. */
      inviteeIds?: string[];
    }
  | {
      kind: 'series';
      id: string;
      sequence: number;
      action: MailAction;
      method: 'REQUEST' | 'CANCEL';
      recurrenceId?: string;
      /** An update of one date alone: which, and what it moved. */
      changedDate?: { bookingId: string; was?: MailWas };
      /** An update of the whole series that moved its next date: which date, and where it was (shown when the mail's date is that one). */
      nextWas?: { bookingId: string } & MailWas;
      bookerOnly?: boolean;
      to?: Recipient;
      message?: MailMessage;
      resent?: boolean;
      cohostBy?: string;
      inviteeIds?: string[];
    }
  | { kind: 'reminder'; id: string; minutesBefore: number; startsAt: string };

const KIND: Record<MailAction, MailKind> = { created: 'invitation', updated: 'update', cancelled: 'cancellation' };

/** UIDs stay the same for the life of a booking or series: clients match updates by them (RFC 5545, 3.8.4.7). */
export const bookingUid = (id: string, publicUrl: string) => `booking-${id}@${new URL(publicUrl).hostname}`;
export const seriesUid = (id: string, publicUrl: string) => `series-${id}@${new URL(publicUrl).hostname}`;

/** The calendar entry's DESCRIPTION; `portalUrl` null for an invitee, who may not open the booking's page. */
export function describe(details: MeetingDetails, portalUrl: string | null, description: string): string {
  return [
    description,
    details.joinUrl && `Join / Entra: ${details.joinUrl}`,
    details.guestUrl && `Guests / Ospiti: ${details.guestUrl}${details.guestPin ? ` PIN ${details.guestPin}` : ''}`,
    details.dialIn && `Dial-in / Accesso telefonico: ${details.dialIn.numbers.join(', ')}${details.dialIn.pin ? ` PIN ${details.dialIn.pin}` : ''}`,
    details.dialIn?.tel && `One-tap / Chiamata diretta: ${details.dialIn.tel}`,
    details.dialIn?.sipUri && `SIP: ${details.dialIn.sipUri}`,
    portalUrl,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * LOCATION of a virtual room: what a calendar shows under the title, so it says where the meeting
 * happens (online, in which room of the portal) and, when there is one, the link that gets you in.
 */
export const locationOf = (roomName: string, details: MeetingDetails) =>
  `WebMeetings – ${roomName} (online)${details.joinUrl ? ` – ${details.joinUrl}` : ''}`;

/** An invitee's reply link (http/routes/invitation-reply.ts): their answer, and their choice about mail. */
export const replyUrl = (token: string, publicUrl: string) => new URL(`/i/${token}`, publicUrl).toString();

/**
 * An invitee's mail says where to stop the mails (RFC 2369, 3.2), and, over HTTPS, that one POST
 * does it (RFC 8058, 3.1: List-Unsubscribe-Post; the URI must be HTTPS). Mail providers ask senders
 * for both before they deliver much mail; the link is the invitee's own, so it needs no other key.
 */
const listHeaders = (reply: string | undefined): { headers?: Record<string, string> } =>
  reply
    ? {
        headers: {
          'List-Unsubscribe': `<${reply}/mail-off>`,
          ...(reply.startsWith('https://') && { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
        },
      }
    : {};

/** The booking's own page in the portal: the stable address every mail, feed and file links to. */
export const bookingPageUrl = (id: string, publicUrl: string) => new URL(`/bookings/${id}`, publicUrl).toString();

/**
 * One booking as a calendar event for a download or a feed: the same UID, SEQUENCE, LOCATION and
 * DESCRIPTION (join link, guest link, dial-in, the booking's page) as the mailed invitation; URL is
 * the join link, or the booking's page while there is none. A date of a series is, downloaded
 * (`instance`), that date of the series' invitation (its UID and RECURRENCE-ID: a calendar holding
 * the series updates that date rather than showing it twice); in a feed, which has no series' master
 * event to belong to, an event of its own (RECURRENCE-ID alone would name an instance of nothing).
 */
export function bookingEvent(b: Booking, details: MeetingDetails, publicUrl: string, o: { instance: boolean }): CalendarEvent {
  const page = bookingPageUrl(b.id, publicUrl);
  const instance = o.instance && b.seriesId !== null && b.recurrenceId !== null;
  return {
    uid: instance ? seriesUid(b.seriesId!, publicUrl) : bookingUid(b.id, publicUrl),
    sequence: b.sequence,
    stamp: b.updatedAt,
    start: b.start,
    end: b.end,
    zone: b.timeZone,
    summary: b.title,
    description: describe(details, page, b.description),
    location: locationOf(b.roomName, details),
    url: details.joinUrl ?? page,
    cancelled: b.status === 'cancelled',
    ...(instance && { recurrenceId: b.recurrenceId! }),
  };
}

/**
 * The calendar entry's DESCRIPTION opens with the message: calendars show DESCRIPTION, and few show
 * COMMENT (RFC 5545, 3.8.1.4), which ical-generator does not write either.
 */
const withMessage = (m: SaidMessage | undefined, description: string) => (m ? `${m.text}\n— ${m.from ?? 'WebMeetings'}\n\n${description}` : description);

/**
 * A mailed calendar entry's DESCRIPTION and URL. `portalUrl` is null for an invitee: the booking's
 * page opens only for those who manage it, so an invitee's entry links to the meeting alone.
 */
const links = (details: MeetingDetails, portalUrl: string | null, description: string, message: SaidMessage | undefined) => ({
  description: withMessage(message, describe(details, portalUrl, description)),
  url: details.joinUrl ?? portalUrl,
});

/** What an update moved, from the job's stored form to the words' (messages.ts). */
const wasOf = (w: MailWas | undefined) => w && { slot: w.slot ? { start: new Date(w.slot.start), end: new Date(w.slot.end) } : null, roomName: w.roomName ?? null };

const organizerOf = (from: string) => {
  const m = /^(.*)<([^>]+)>\s*$/.exec(from);
  return m ? { name: m[1]!.trim().replace(/^"|"$/g, '') || m[2]!, email: m[2]!.trim() } : { name: from, email: from };
};

type Target = { bookingId: string } | { seriesId: string };
/** The reads of a batch of compose jobs, each made once per batch. */
type BatchReads = {
  booking(id: string): ReturnType<PgBookingRepository['findById']>;
  series(id: string): ReturnType<PgBookingRepository['series']['findById']>;
  ofSeries(id: string): ReturnType<PgBookingRepository['ofSeries']>;
  invitees(target: Target): ReturnType<PgBookingRepository['invitees']['list']>;
  person(userId: string): ReturnType<PgMailRepository['person']>;
  details(target: Parameters<MeetingDetailsSource>[0]): ReturnType<MeetingDetailsSource>;
};

export class MailComposer {
  private readonly bookings: PgBookingRepository;
  private readonly people: PgMailRepository;
  private readonly config: MailConfig;
  details: MeetingDetailsSource;
  private readonly now: () => Date;

  constructor(deps: { bookings: PgBookingRepository; people: PgMailRepository; config: MailConfig; details: MeetingDetailsSource; now: () => Date }) {
    this.now = deps.now;
    this.bookings = deps.bookings;
    this.people = deps.people;
    this.config = deps.config;
    this.details = deps.details;
  }

  /** The mails to send for a job; none when the job is stale (a newer change has its own job). */
  async compose(job: ComposeJob, reads = this.reads()): Promise<OutgoingMail[]> {
    if (job.kind === 'booking') return this.forBooking(job, reads);
    if (job.kind === 'series') return this.forSeries(job, reads);
    return this.forReminder(job, reads);
  }

  /**
   * The mails of many jobs, each job's own outcome. The jobs share their reads: the 100 invitations
   * of one booking's invitees read the booking, its meeting details and its people once.
   */
  composeMany(jobs: ComposeJob[]): Promise<PromiseSettledResult<OutgoingMail[]>[]> {
    const reads = this.reads();
    return Promise.allSettled(jobs.map((job) => this.compose(job, reads)));
  }

  private reads(): BatchReads {
    const memo = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) memo.set(key, (p = read()));
      return p;
    };
    const targetKey = (t: { bookingId: string } | { seriesId: string }) => ('bookingId' in t ? `b:${t.bookingId}` : `s:${t.seriesId}`);
    return {
      booking: (id) => once(`booking:${id}`, () => this.bookings.findById(id)),
      series: (id) => once(`series:${id}`, () => this.bookings.series.findById(id)),
      ofSeries: (id) => once(`of-series:${id}`, () => this.bookings.ofSeries(id)),
      invitees: (t) => once(`invitees:${targetKey(t)}`, () => this.bookings.invitees.list(t)),
      person: (id) => once(`person:${id}`, () => this.people.person(id)),
      details: (t) => once(`details:${t.bookingId}:${t.seriesId ?? ''}`, () => this.details(t)),
    };
  }

  private async forBooking(job: Extract<ComposeJob, { kind: 'booking' }>, reads: BatchReads): Promise<OutgoingMail[]> {
    const b = await reads.booking(job.id);
    if (!b || b.sequence > job.sequence) return [];
    const portalUrl = new URL(`/bookings/${b.id}`, this.config.publicUrl).toString();
    const details = await reads.details({ bookingId: b.id, seriesId: null });
    const method: CalendarMethod = job.method;
    const message = await this.message(reads, job.message);
    const eventsFor = (invitee: boolean): CalendarEvent[] => [
      {
        uid: bookingUid(b.id, this.config.publicUrl),
        sequence: b.sequence,
        start: b.start,
        end: b.end,
        zone: b.timeZone,
        summary: b.title,
        ...links(details, invitee ? null : portalUrl, b.description, message),
        location: locationOf(b.roomName, details),
        cancelled: method === 'CANCEL',
        stamp: b.updatedAt,
      },
    ];
    const recipients = job.to ? await this.invited(reads, { bookingId: b.id }, job.to) : await this.recipients(reads, b.bookerId, job.bookerOnly ? null : { bookingId: b.id }, b, job.inviteeIds);
    const replyTo = await this.replyTo(reads, b.bookerId);
    const cohostBy = await this.cohostBy(reads, job.cohostBy);
    return recipients.map((to) =>
      this.mail(to, method, eventsFor(to.invitee === true), replyTo(to), {
        kind: KIND[job.action],
        title: b.title,
        roomName: b.roomName,
        start: b.start,
        end: b.end,
        roomZone: b.timeZone,
        details,
        portalUrl,
        message,
        was: wasOf(job.was),
        resent: job.resent,
        ...cohostBy,
      }),
    );
  }

  private async forSeries(job: Extract<ComposeJob, { kind: 'series' }>, reads: BatchReads): Promise<OutgoingMail[]> {
    const s = await reads.series(job.id);
    if (!s || s.sequence > job.sequence) return [];
    const occurrences = await reads.ofSeries(s.id);
    const upcoming = occurrences.filter((o) => o.status === 'confirmed');
    // The series' links are those of its date that is next (else its last): that date's page, and
    // its join link, which leads on to the next date once it is over (app/joining.ts).
    const now = this.now().getTime();
    const current = upcoming.find((o) => o.end.getTime() > now) ?? upcoming.at(-1) ?? occurrences[0];
    const portalUrl = current ? bookingPageUrl(current.id, this.config.publicUrl) : this.config.publicUrl;
    const details = await reads.details({ bookingId: current?.id ?? s.id, seriesId: s.id });
    const uid = seriesUid(s.id, this.config.publicUrl);
    const message = await this.message(reads, job.message);
    const cohostBy = await this.cohostBy(reads, job.cohostBy);
    const firstEnd = new Date(s.firstStart.getTime() + s.durationMinutes * 60_000);
    // One date cancelled: CANCEL naming that instance by RECURRENCE-ID (RFC 5546, 3.2.5).
    const rid = job.recurrenceId ? new Date(job.recurrenceId) : null;
    const cancelledDate = rid && occurrences.find((x) => x.recurrenceId?.getTime() === rid.getTime());
    const changedDate = job.changedDate && occurrences.find((o) => o.id === job.changedDate!.bookingId);
    const occurrenceOnly = rid !== null || !!changedDate;
    const when = rid
      ? { start: cancelledDate?.start ?? rid, end: cancelledDate?.end ?? new Date(rid.getTime() + s.durationMinutes * 60_000) }
      : changedDate
        ? { start: changedDate.start, end: changedDate.end }
        : current?.status === 'confirmed'
          ? { start: current.start, end: current.end }
          : { start: s.firstStart, end: firstEnd };
    const eventsFor = (invitee: boolean): CalendarEvent[] => {
      const base = { uid, sequence: s.sequence, zone: s.timeZone, ...links(details, invitee ? null : portalUrl, s.description, message), location: locationOf(s.roomName, details), stamp: s.updatedAt };
      if (rid) return [{ ...base, ...when, summary: cancelledDate?.title ?? s.title, recurrenceId: rid, cancelled: true }];
      const master: CalendarEvent = { ...base, start: s.firstStart, end: firstEnd, summary: s.title, rrule: s.rrule, exdates: s.exdates, cancelled: job.method === 'CANCEL' };
      // With a REQUEST for the series go its exceptions, each with its RECURRENCE-ID (RFC 5546, 3.2.2).
      const exceptions: CalendarEvent[] =
        job.method === 'CANCEL'
          ? []
          : upcoming.filter((o) => o.isException).map((o) => ({ ...base, start: o.start, end: o.end, summary: o.title, recurrenceId: o.recurrenceId!, location: locationOf(o.roomName, details) }));
      return [master, ...exceptions];
    };
    const recipients = job.to ? await this.invited(reads, { seriesId: s.id }, job.to) : await this.recipients(reads, s.bookerId, job.bookerOnly ? null : { seriesId: s.id }, s, job.inviteeIds);
    const replyTo = await this.replyTo(reads, s.bookerId);
    return recipients.map((to) =>
      this.mail(to, job.method, eventsFor(to.invitee === true), replyTo(to), {
        kind: KIND[job.action],
        title: s.title,
        roomName: s.roomName,
        ...when,
        roomZone: s.timeZone,
        details,
        portalUrl,
        dates: upcoming.slice(0, MAX_LISTED_DATES).map((o) => o.start),
        occurrenceOnly,
        message,
        resent: job.resent,
        ...cohostBy,
        ...(changedDate && { roomName: changedDate.roomName, was: wasOf(job.changedDate!.was) }),
        ...(!changedDate && job.nextWas && job.nextWas.bookingId === current?.id && { was: wasOf(job.nextWas) }),
      }),
    );
  }

  private async forReminder(job: Extract<ComposeJob, { kind: 'reminder' }>, reads: BatchReads): Promise<OutgoingMail[]> {
    const b = await reads.booking(job.id);
    if (!b || b.status !== 'confirmed' || b.start.toISOString() !== new Date(job.startsAt).toISOString()) return [];
    const details = await reads.details({ bookingId: b.id, seriesId: b.seriesId });
    const portalUrl = new URL(`/bookings/${b.id}`, this.config.publicUrl).toString();
    // Nor are those who said they will not come reminded. Someone invited to this date on its own
    // as well answered for it there: that invitation decides, not the series'.
    const declined = (i: Invitee) => i.reply === 'no';
    const own = new Set((await reads.invitees({ bookingId: b.id })).map((i) => i.email.toLowerCase()));
    const seriesInvitees = b.seriesId
      ? (await reads.invitees({ seriesId: b.seriesId })).filter((i) => !own.has(i.email.toLowerCase()) && !i.muted && !declined(i)).map(this.asRecipient)
      : [];
    const recipients = [...(await this.recipients(reads, b.bookerId, { bookingId: b.id }, undefined, undefined, declined)), ...seriesInvitees];
    const everyone = [...new Map(recipients.map((r) => [r.email.toLowerCase(), r])).values()];
    // People with an account choose whether they get reminders (the account page), and are told where.
    const choices = await this.people.reminderChoices(everyone.map((r) => r.email));
    const unique = everyone.filter((r) => choices.get(r.email.toLowerCase()) !== false);
    const accountUrl = new URL('/account', this.config.publicUrl).toString();
    const replyTo = await this.replyTo(reads, b.bookerId);
    return unique.map((to) => {
      const rendered = renderMail({
        kind: 'reminder',
        locale: to.locale,
        title: b.title,
        roomName: b.roomName,
        start: b.start,
        end: b.end,
        roomZone: b.timeZone,
        recipientZone: to.timeZone,
        details,
        portalUrl,
        invitee: to.invitee,
        minutesBefore: job.minutesBefore,
        remindersOffUrl: choices.has(to.email.toLowerCase()) ? accountUrl : undefined,
        replyUrl: to.replyUrl,
      });
      return { to: to.email, ...rendered, replyTo: replyTo(to), ...listHeaders(to.replyUrl) };
    });
  }

  /** Who made the recipient a co-host, by their name as it is now (null: the person is gone). */
  private async cohostBy(reads: BatchReads, userId: string | undefined): Promise<{ madeCohostBy?: string | null }> {
    return userId ? { madeCohostBy: (await reads.person(userId))?.name ?? null } : {};
  }

  /** A job's message with its author's name as it is now (null: the person is gone). */
  private async message(reads: BatchReads, m: MailMessage | undefined): Promise<SaidMessage | undefined> {
    if (!m) return undefined;
    return { text: m.text, from: (await reads.person(m.from))?.name ?? null };
  }

  /**
   * Whom a recipient's reply should reach: the booker, for everyone else (an invitee's question
   * about the meeting is for the person who booked it, not for the portal's sender address).
   */
  private async replyTo(reads: BatchReads, bookerId: string): Promise<(to: Recipient) => string | undefined> {
    const booker = await reads.person(bookerId);
    return (to) => (booker && to.email.toLowerCase() !== booker.email.toLowerCase() ? booker.email : undefined);
  }

  private asRecipient = (i: Invitee): Recipient => ({ email: i.email, locale: i.locale, timeZone: i.timeZone, invitee: true, replyUrl: replyUrl(i.replyToken, this.config.publicUrl) });

  /**
   * The one invitee a job names (a new invitee, one removed, one sent the invitation again or made a
   * co-host): their link from their row as it is now; nobody when they have asked for no more mail.
   * A removed invitee has no row left: their cancellation goes, without a link.
   */
  private async invited(reads: BatchReads, target: Target, to: Recipient): Promise<Recipient[]> {
    const row = (await reads.invitees(target)).find((i) => i.email.toLowerCase() === to.email.toLowerCase());
    if (row?.muted) return [];
    return [{ ...to, invitee: true, ...(row && { replyUrl: replyUrl(row.replyToken, this.config.publicUrl) }) }];
  }

  private async recipients(
    reads: BatchReads,
    bookerId: string,
    /** Whose invitees are told too; null: none. */
    target: { bookingId: string } | { seriesId: string } | null,
    onBehalf?: { bookedById: string | null; bookerName: string },
    /** Only these of the invitees (those invited when the change was made); undefined: all. */
    inviteeIds?: readonly string[],
    /** Invitees left out besides those who asked for no more mail. */
    leaveOut?: (i: Invitee) => boolean,
  ): Promise<Recipient[]> {
    const [booker, listed, bookedBy] = await Promise.all([
      reads.person(bookerId),
      target ? reads.invitees(target) : Promise.resolve([]),
      onBehalf?.bookedById ? reads.person(onBehalf.bookedById) : Promise.resolve(null),
    ]);
    const known = inviteeIds && new Set(inviteeIds);
    const invitees = listed.filter((i) => (!known || known.has(i.id)) && !i.muted && !leaveOut?.(i)).map(this.asRecipient);
    const localeOf = (p: { locale: string | null }) => (p.locale?.startsWith('en') ? ('en' as const) : p.locale?.startsWith('it') ? ('it' as const) : this.config.defaultLocale);
    const all: Recipient[] = [...(booker ? [{ email: booker.email, name: booker.name, locale: localeOf(booker), timeZone: booker.timeZone }] : []), ...invitees];
    const unique = [...new Map(all.map((r) => [r.email.toLowerCase(), r])).values()];
    // Who booked it for the owner hears about it too, unless they get the invitation anyway.
    if (bookedBy && onBehalf && !unique.some((r) => r.email.toLowerCase() === bookedBy.email.toLowerCase())) {
      unique.push({ email: bookedBy.email, name: bookedBy.name, locale: localeOf(bookedBy), timeZone: bookedBy.timeZone, bookedFor: onBehalf.bookerName });
    }
    return unique;
  }

  private mail(
    to: Recipient,
    method: 'REQUEST' | 'CANCEL',
    events: CalendarEvent[],
    replyTo: string | undefined,
    content: Omit<Parameters<typeof renderMail>[0], 'locale' | 'recipientZone'>,
  ): OutgoingMail {
    // A cancellation asks nothing more of an invitee: no link to answer, nor to stop what has stopped.
    const link = method === 'CANCEL' ? undefined : to.replyUrl;
    const rendered = renderMail({ ...content, locale: to.locale, recipientZone: to.timeZone, bookedFor: to.bookedFor, invitee: to.invitee, replyUrl: link });
    if (to.bookedFor) return { to: to.email, ...rendered, replyTo };
    const calendar = buildCalendar({ method, events, organizer: organizerOf(this.config.from), attendees: [{ email: to.email, name: to.name ?? null }] });
    return { to: to.email, ...rendered, calendar: { method, content: calendar }, replyTo, ...listHeaders(link) };
  }
}

