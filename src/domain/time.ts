// Instants are UTC `Date`s; a wall-clock time only means something with an IANA zone. Luxon does the
// zone arithmetic (tz database through Intl), so DST gaps and overlaps follow the system's tz data.
import { DateTime } from 'luxon';
import { AppError } from './errors.ts';

const HAS_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

const invalidTime = (field: string) =>
  new AppError('invalid', 'INVALID_TIME', `${field} is not a valid date-time.`, { field }, { it: `${field} non è una data e ora valida.` });

/**
 * Reads a time from a request. With an offset (`...Z`, `...+02:00`) it is an instant; without one it
 * is a wall-clock time in `zone` (the room's), which is what a person filling a form means.
 * A local time that does not exist (skipped by a spring-forward change) is refused rather than
 * silently moved; an ambiguous one (autumn) takes the earlier, summer-time instant.
 */
export function parseTime(text: string, zone: string, field: string): Date {
  if (!ISO_LIKE.test(text)) {
    throw new AppError('invalid', 'INVALID_TIME', `${field} must be an ISO 8601 date-time such as 2026-03-30T10:00 or 2026-03-30T08:00:00Z.`, { field }, {
      it: `${field} deve essere una data e ora ISO 8601 come 2026-03-30T10:00 o 2026-03-30T08:00:00Z.`,
    });
  }
  if (HAS_OFFSET.test(text)) {
    const dt = DateTime.fromISO(text, { setZone: true });
    if (!dt.isValid) throw invalidTime(field);
    return dt.toJSDate();
  }
  const dt = DateTime.fromISO(text, { zone });
  if (!dt.isValid) throw invalidTime(field);
  const asWritten = DateTime.fromISO(text, { zone: 'UTC' });
  if (dt.hour !== asWritten.hour || dt.minute !== asWritten.minute || dt.day !== asWritten.day) {
    throw new AppError(
      'unprocessable',
      'NONEXISTENT_LOCAL_TIME',
      `${field} ${text} does not exist in ${zone}: the clocks skip that hour for daylight saving time. Choose a time after the change.`,
      { field },
      { it: `${field} ${text} non esiste nel fuso ${zone}: gli orologi saltano quell’ora per il passaggio all’ora legale. Scegli un orario dopo il cambio.` },
    );
  }
  return firstOfRepeated(dt).toJSDate();
}

/**
 * The same text as `Date.prototype.toISOString` (2026-03-30T08:00:00.000Z), ten times faster: V8's
 * takes ~430 ns a date, and a week of the calendar writes ~4,000 of them (~1.7 ms of the answer,
 * bench/week-calendar.ts). The date part is kept per UTC day; the time is arithmetic. Years outside
 * 0000–9999 (written with a sign) and invalid dates are left to V8.
 */
export function isoInstant(d: Date): string {
  const ms = d.getTime();
  const day = Math.floor(ms / DAY);
  let date = isoDays.get(day);
  if (date === undefined) {
    const text = Number.isFinite(ms) ? new Date(day * DAY).toISOString() : '';
    date = text.length === 24 ? text.slice(0, 11) : null;
    if (isoDays.size >= ISO_DAYS_KEPT) isoDays.clear();
    isoDays.set(day, date);
  }
  if (date === null) return d.toISOString();
  let t = ms - day * DAY;
  const h = Math.floor(t / HOUR);
  t -= h * HOUR;
  const m = Math.floor(t / MINUTE);
  t -= m * MINUTE;
  const sec = Math.floor(t / 1000);
  const milli = t - sec * 1000;
  return `${date}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
const ISO_DAYS_KEPT = 20_000;
const isoDays = new Map<number, string | null>();

/** The instant written with the zone's offset, e.g. 2026-03-30T10:00:00+02:00 (as Luxon writes it). */
export function toZonedIso(instant: Date, zone: string): string {
  const ms = instant.getTime();
  const offset = cachedOffset(ms, zone);
  if (offset === null) return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }) ?? instant.toISOString();
  const local = isoInstant(new Date(ms + offset * MINUTE));
  const abs = Math.abs(offset);
  return `${local.slice(0, ms % 1000 === 0 ? 19 : 23)}${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** The zone's offset from UTC at `instant`, in minutes (from the per-hour cache below when it can). */
export function zoneOffsetMinutes(instant: Date, zone: string): number {
  return cachedOffset(instant.getTime(), zone) ?? DateTime.fromJSDate(instant, { zone }).offset;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

// A week of the calendar writes ~1,300 local times; through Luxon each was a tenth of the answer's
// CPU (bench/RESULTS.md, issue #13). A zone's offset is worked out once per UTC day and kept when it
// is the same at the day's start, every six hours and its end (no two changes within six hours,
// which would undo each other unseen); a day with a change in it is looked at hour by hour the same
// way (changes are hours apart); an hour with a change in it, a fixed-offset zone (Luxon writes "Z"
// for UTC), an unknown zone or a year outside 0000–9999 goes through Luxon each time. By the day,
// not the hour: a week out of the calendar's years is 8 days to work out, where it was up to 168
// hours (bench/week-calendar.ts reads random weeks). Bounded: cleared when full.
const OFFSETS_KEPT = 50_000;
const offsets = new Map<string, number | null>();

function cachedOffset(ms: number, zone: string): number | null {
  const day = Math.floor(ms / DAY);
  const dayKey = `${zone} d${day}`;
  let offset = offsets.get(dayKey);
  if (offset === undefined) remember(dayKey, (offset = steadyOffset(day * DAY, DAY, 4, zone)));
  if (offset !== null) return offset;
  const hour = Math.floor(ms / HOUR);
  const hourKey = `${zone} ${hour}`;
  offset = offsets.get(hourKey);
  if (offset === undefined) remember(hourKey, (offset = steadyOffset(hour * HOUR, HOUR, 1, zone)));
  return offset;
}

/** The zone's offset over [from, from + length) when it is the same at `parts` + 1 points across it, else null. */
function steadyOffset(from: number, length: number, parts: number, zone: string): number | null {
  let offset: number | null = null;
  for (let i = 0; i <= parts; i++) {
    const at = DateTime.fromMillis(i === parts ? from + length - 1 : from + (i * length) / parts, { zone });
    if (!at.isValid || at.zone.isUniversal || at.year < 1 || at.year > 9999) return null;
    if (offset !== null && at.offset !== offset) return null;
    offset = at.offset;
  }
  return offset;
}

function remember(key: string, offset: number | null): void {
  if (offsets.size >= OFFSETS_KEPT) offsets.clear();
  offsets.set(key, offset);
}

export function wallClock(instant: Date, zone: string): { date: string; time: string } {
  const dt = DateTime.fromJSDate(instant, { zone });
  return { date: dt.toISODate() ?? '', time: dt.toFormat('HH:mm') };
}

/** Start of the calendar month (in `zone`) that contains `instant`, and the start of the next one. */
export function monthOf(instant: Date, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromJSDate(instant, { zone }).startOf('month');
  return { start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate() };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const addMinutes = (d: Date, minutes: number) => new Date(d.getTime() + minutes * MINUTE);

/**
 * In the autumn overlap the same wall time happens twice; the first (summer-time) instant, as RFC
 * 5545 and Temporal's "compatible" disambiguation take it (Luxon gives the second).
 */
export function firstOfRepeated(dt: DateTime): DateTime {
  const shift = dt.minus({ days: 1 }).offset - dt.offset;
  if (shift > 0) {
    const earlier = DateTime.fromMillis(dt.toMillis() - shift * 60_000, { zone: dt.zone });
    if (earlier.hour === dt.hour && earlier.minute === dt.minute && earlier.day === dt.day) return earlier;
  }
  return dt;
}
