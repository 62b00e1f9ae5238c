// iCalendar objects (RFC 5545) for invitations, updates and cancellations (iTIP, RFC 5546) and for
// calendar feeds, built with ical-generator. Times are written in the room's zone with its
// VTIMEZONE, so a recurring 10:00 stays 10:00 in every client across daylight-saving changes.
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';

export type CalendarMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

export type CalendarEvent = {
  uid: string;
  /** RFC 5546, 2.1.4: a client replaces its copy only when SEQUENCE is higher (or equal and DTSTAMP later). */
  sequence: number;
  start: Date;
  end: Date;
  zone: string;
  summary: string;
  description: string;
  location: string | null;
  url: string | null;
  cancelled?: boolean;
  /** RRULE text without the "RRULE:" prefix, for the master of a series. */
  rrule?: string | undefined;
  exdates?: Date[] | undefined;
  /** The original start of the occurrence this event overrides (RFC 5545, 3.8.4.4). */
  recurrenceId?: Date | undefined;
  stamp: Date;
  busyOnly?: boolean;
};

export type CalendarPerson = { email: string; name?: string | null | undefined };

const METHODS: Record<CalendarMethod, ICalCalendarMethod> = {
  REQUEST: ICalCalendarMethod.REQUEST,
  CANCEL: ICalCalendarMethod.CANCEL,
  PUBLISH: ICalCalendarMethod.PUBLISH,
};

/**
 * VTIMEZONE blocks from the IANA database (timezones-ical-library), as Outlook and Google expect.
 * Each zone's block is built once: it is the same text for every mail, and building it was a
 * third of composing an invitation (bench/RESULTS.md, issue #13). Zones are the rooms' few.
 */
const vtimezones = new Map<string, string | null>();
const vtimezone = (zone: string): string | null => {
  let text = vtimezones.get(zone);
  if (text === undefined) {
    const block = tzlib_get_ical_block(zone);
    text = Array.isArray(block) && block[0] ? block[0] : null;
    if (vtimezones.size < 1000) vtimezones.set(zone, text);
  }
  return text;
};

const inZone = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone });
const localStamp = (d: Date, zone: string) => inZone(d, zone).toFormat("yyyyMMdd'T'HHmmss");

export function buildCalendar(opts: {
  method: CalendarMethod;
  events: CalendarEvent[];
  name?: string;
  organizer?: CalendarPerson | undefined;
  attendees?: CalendarPerson[] | undefined;
}): string {
  const calendar = ical({
    prodId: { company: 'WebMeetings', product: 'Booking portal', language: 'EN' },
    method: METHODS[opts.method],
    ...(opts.name && { name: opts.name }),
  });
  calendar.timezone({ name: null, generator: vtimezone });
  for (const e of opts.events) {
    const event = calendar.createEvent({
      id: e.uid,
      sequence: e.sequence,
      stamp: e.stamp,
      start: inZone(e.start, e.zone),
      end: inZone(e.end, e.zone),
      timezone: e.zone,
      summary: e.summary,
      description: e.description || null,
      location: e.location,
      url: e.url,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      ...(e.busyOnly && { transparency: ICalEventTransparency.OPAQUE }),
      ...(e.recurrenceId && { recurrenceId: inZone(e.recurrenceId, e.zone) }),
    });
    if (e.rrule) {
      // EXDATE in the same zone and form as DTSTART (RFC 5545, 3.8.5.1).
      const ex = (e.exdates ?? []).map((d) => localStamp(d, e.zone));
      event.repeating(`RRULE:${e.rrule}${ex.length ? `\nEXDATE;TZID=${e.zone}:${ex.join(',')}` : ''}`);
    }
    if (opts.organizer) event.organizer({ name: opts.organizer.name ?? opts.organizer.email, email: opts.organizer.email });
    for (const a of opts.attendees ?? []) {
      event.createAttendee({
        email: a.email,
        ...(a.name && { name: a.name }),
        role: ICalAttendeeRole.REQ,
        status: opts.method === 'CANCEL' ? ICalAttendeeStatus.DECLINED : ICalAttendeeStatus.NEEDSACTION,
        rsvp: false,
      });
    }
  }
  return calendar.toString();
}
