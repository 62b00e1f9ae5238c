// The files `import-bookings` reads, turned into ImportLines (app/booking-import.ts judges them).
// CSV: header room,start,end,owner,title[,seats][,rrule][,exdates][,description]; times ISO 8601,
// local to the room unless they carry an offset; exdates separated by spaces.
// iCalendar (RFC 5545): one line per VEVENT. LOCATION (or X-WM-ROOM) names the room, ORGANIZER's
// mailto (or X-WM-OWNER) the owner, SUMMARY the title, X-WM-SEATS the seats; RRULE and EXDATE make a
// series; DTSTART/DTEND (or DURATION) in UTC, with a TZID (an IANA zone) or floating (the room's).
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { ImportLine } from '../app/booking-import.ts';
import { MAX_IMPORT_LINES } from '../app/booking-import.ts';
import { isValidTimeZone } from '../domain/time.ts';
import { MultiLine, Text } from '../http/schemas.ts';
import { CliError } from './commands.ts';
import { parseCsv } from './import-rooms.ts';

const CsvLine = z.strictObject({
  room: Text(100),
  start: Text(40),
  end: Text(40),
  owner: Text(254),
  title: Text(200),
  seats: z.coerce.number().int().min(1).max(100_000).optional(),
  rrule: Text(500).optional(),
  exdates: Text(5000).optional(),
  description: MultiLine(5000).optional(),
});

const tooMany = (n: number) => new CliError(`The file has ${n} bookings; import at most ${MAX_IMPORT_LINES} at a time (split the file).`);

export function readCsvBookings(text: string): ImportLine[] {
  const raw = parseCsv(text);
  if (raw.length > MAX_IMPORT_LINES) throw tooMany(raw.length);
  const problems: string[] = [];
  const lines = raw.flatMap((r, i): ImportLine[] => {
    const parsed = CsvLine.safeParse(r);
    if (!parsed.success) {
      problems.push(`  row ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'row'} ${x.message}`).join('; ')}`);
      return [];
    }
    const l = parsed.data;
    return [{ label: `row ${i + 1}`, room: l.room, owner: l.owner, title: l.title, description: l.description ?? '', seats: l.seats, start: l.start, end: l.end, rrule: l.rrule, exdates: l.exdates?.split(/\s+/).filter(Boolean) ?? [] }];
  });
  if (problems.length) throw new CliError(`The file has mistakes; nothing was imported:\n${problems.join('\n')}\nColumns: room,start,end,owner,title and optionally seats,rrule,exdates,description.`);
  return lines;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An iCalendar DATE-TIME as ISO 8601: with Z, with the TZID zone's offset, or floating (the room's zone). */
function isoOf(t: ICAL.Time, tzid: string | null, what: string): string {
  if (t.isDate) throw new Error(`${what} is a whole day; the portal books times (give DTSTART with a time)`);
  const local = `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
  if (t.zone?.tzid === 'UTC') return `${local}Z`;
  if (!tzid) return local;
  if (!isValidTimeZone(tzid)) throw new Error(`${what} has TZID=${tzid}, which is not an IANA zone such as Europe/Rome`);
  return DateTime.fromISO(local, { zone: tzid }).toISO({ suppressMilliseconds: true })!;
}

/** DTSTART + DURATION, kept floating when DTSTART is. */
function plusSeconds(start: string, seconds: number): string {
  const withOffset = /(?:Z|[+-]\d\d:\d\d)$/i.test(start);
  return DateTime.fromISO(start, { zone: 'UTC', setZone: withOffset }).plus({ seconds }).toISO({ includeOffset: withOffset, suppressMilliseconds: true })!;
}

// As the API's Text and MultiLine fields (http/schemas.ts): no control characters in a title, only
// tabs and newlines in a description.
const oneLine = (v: string) => v.replace(/\p{Cc}+/gu, ' ').trim();
const multiLine = (v: string) => v.replace(/(?![\t\n])\p{Cc}/gu, '');

const textOf = (ev: ICAL.Component, name: string) => {
  const v = ev.getFirstPropertyValue(name);
  return typeof v === 'string' ? v.trim() : '';
};

export function readIcsBookings(text: string): ImportLine[] {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (e) {
    throw new CliError(`The file is not an iCalendar file (RFC 5545): ${(e as Error).message}`);
  }
  const events = calendar.getAllSubcomponents('vevent').filter((ev) => textOf(ev, 'status').toUpperCase() !== 'CANCELLED');
  if (events.length > MAX_IMPORT_LINES) throw tooMany(events.length);
  const problems: string[] = [];
  const byUid = new Map<string, ImportLine>();
  const changed: { uid: string; exdate: string }[] = [];
  const lines = events.flatMap((ev, i): ImportLine[] => {
    const uid = textOf(ev, 'uid');
    const label = `event ${i + 1}${uid ? ` (UID ${uid.slice(0, 60)})` : ''}`;
    try {
      const dtstart = ev.getFirstProperty('dtstart');
      if (!dtstart) throw new Error('DTSTART is missing');
      const start = isoOf(dtstart.getFirstValue() as ICAL.Time, dtstart.getParameter('tzid') as string | null, 'DTSTART');
      const dtend = ev.getFirstProperty('dtend');
      const duration = ev.getFirstPropertyValue('duration') as ICAL.Duration | null;
      let end: string;
      if (dtend) end = isoOf(dtend.getFirstValue() as ICAL.Time, dtend.getParameter('tzid') as string | null, 'DTEND');
      else if (duration) end = plusSeconds(start, duration.toSeconds());
      else throw new Error('DTEND or DURATION is missing');
      const organizer = textOf(ev, 'organizer').replace(/^mailto:/i, '');
      const seats = textOf(ev, 'x-wm-seats');
      const line: ImportLine = {
        label,
        room: textOf(ev, 'x-wm-room') || textOf(ev, 'location'),
        owner: textOf(ev, 'x-wm-owner') || organizer,
        title: (oneLine(textOf(ev, 'summary')) || 'Meeting').slice(0, 200),
        description: multiLine(textOf(ev, 'description')).slice(0, 5000),
        seats: seats ? Number(seats) : undefined,
        start,
        end,
        rrule: ev.getFirstProperty('rrule')?.toICALString().replace(/^RRULE:/i, ''),
        exdates: ev.getAllProperties('exdate').flatMap((p) => p.getValues().map((v) => isoOf(v as ICAL.Time, p.getParameter('tzid') as string | null, 'EXDATE'))),
      };
      if (!line.room) throw new Error('LOCATION (the room’s name) is missing');
      if (!line.owner) throw new Error('ORGANIZER (mailto: the owner’s e-mail) is missing');
      if (line.seats !== undefined && !(Number.isInteger(line.seats) && line.seats >= 1)) throw new Error(`X-WM-SEATS=${seats} is not a whole number of seats`);
      const recurrenceId = ev.getFirstProperty('recurrence-id');
      if (recurrenceId) {
        // A changed date of a series: the series leaves that date out and this one is booked on its own.
        changed.push({ uid, exdate: isoOf(recurrenceId.getFirstValue() as ICAL.Time, recurrenceId.getParameter('tzid') as string | null, 'RECURRENCE-ID') });
        return [{ ...line, rrule: undefined, exdates: [], label: `${label}, a changed date of its series` }];
      }
      if (uid && line.rrule) byUid.set(uid, line);
      return [line];
    } catch (e) {
      if (e instanceof CliError) throw e;
      problems.push(`  ${label}: ${(e as Error).message}`);
      return [];
    }
  });
  if (problems.length) throw new CliError(`The file has mistakes; nothing was imported:\n${problems.join('\n')}`);
  for (const c of changed) byUid.get(c.uid)?.exdates.push(c.exdate);
  return lines;
}
