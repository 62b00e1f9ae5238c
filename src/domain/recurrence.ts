// Recurring bookings: an RFC 5545 RRULE evaluated in the room's time zone. The `rrule` library
// computes dates on "floating" wall-clock times (its documented way to stay clear of the host's
// zone: UTC fields that mean local fields); each result is then placed in the room's zone with
// Luxon. So a weekly 10:00 Europe/Rome stays 10:00 on both sides of a daylight-saving change.
import rrulePackage, { type Options } from 'rrule';
import { DateTime } from 'luxon';
import { AppError, unprocessable } from './errors.ts';

const { RRule } = rrulePackage;

export const MAX_OCCURRENCES = 200;

/** A validated rule. `until` is kept apart: its meaning depends on the zone (RFC 5545, 3.3.10). */
export type Recurrence = {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  /** The rule's parts other than UNTIL, as written in canonical order. */
  parts: [string, string][];
  count: number | null;
  /** A calendar date (inclusive, in the room's zone), or an instant. */
  until: { date: string } | { instant: Date } | null;
};

const FREQS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
// Parts that change the time of day (BYHOUR...) are refused: the time comes from the first
// occurrence, as the booking form sets it.
const ALLOWED = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST']);
const ORDER = ['FREQ', 'INTERVAL', 'COUNT', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST'];
const WEEKDAY = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;
const INT_LIST = (min: number, max: number) => (v: string) =>
  v.split(',').every((n) => /^[+-]?\d{1,3}$/.test(n) && Math.abs(Number(n)) >= min && Math.abs(Number(n)) <= max && Number(n) !== 0);

const invalid = (message: string) =>
  new AppError('invalid', 'RRULE_INVALID', `${message} Write the rule as in RFC 5545, for example FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10.`, {
    errors: [{ path: 'rrule', message }],
  });

/** Reads `FREQ=...;...` (with or without the `RRULE:` prefix) and checks every part. */
export function parseRecurrence(text: string): Recurrence {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) throw invalid('The rule is empty.');
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const [rawKey, value, ...rest] = part.split('=');
    const key = (rawKey ?? '').trim().toUpperCase();
    if (!key || value === undefined || rest.length > 0 || value.trim() === '') throw invalid(`"${part}" is not a NAME=value part.`);
    if (!ALLOWED.has(key)) throw invalid(`${key} is not supported in a booking rule.`);
    if (seen.has(key)) throw invalid(`${key} appears twice.`);
    seen.set(key, value.trim().toUpperCase());
  }
  const freq = seen.get('FREQ');
  if (!freq) throw invalid('FREQ is missing.');
  if (!(FREQS as readonly string[]).includes(freq)) throw invalid(`FREQ=${freq} is not one of DAILY, WEEKLY, MONTHLY, YEARLY.`);
  const checks: Record<string, (v: string) => boolean> = {
    INTERVAL: (v) => /^\d{1,3}$/.test(v) && Number(v) >= 1,
    COUNT: (v) => /^\d{1,4}$/.test(v) && Number(v) >= 1,
    BYDAY: (v) => v.split(',').every((d) => WEEKDAY.test(d)),
    BYMONTHDAY: INT_LIST(1, 31),
    BYMONTH: (v) => v.split(',').every((m) => /^\d{1,2}$/.test(m) && Number(m) >= 1 && Number(m) <= 12),
    BYSETPOS: INT_LIST(1, 366),
    WKST: (v) => /^(MO|TU|WE|TH|FR|SA|SU)$/.test(v),
    UNTIL: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v),
  };
  for (const [key, value] of seen) {
    if (key !== 'FREQ' && !checks[key]!(value)) throw invalid(`${key}=${value} is not a valid value.`);
  }
  if (seen.has('COUNT') && seen.has('UNTIL')) throw invalid('Give COUNT or UNTIL, not both.');
  const untilText = seen.get('UNTIL');
  let until: Recurrence['until'] = null;
  if (untilText) {
    const date = `${untilText.slice(0, 4)}-${untilText.slice(4, 6)}-${untilText.slice(6, 8)}`;
    if (!DateTime.fromISO(date).isValid) throw invalid(`UNTIL=${untilText} is not a real date.`);
    if (untilText.length === 8) until = { date };
    else {
      const t = `${date}T${untilText.slice(9, 11)}:${untilText.slice(11, 13)}:${untilText.slice(13, 15)}`;
      // A local UNTIL without Z is read as UTC: RFC 5545 requires UTC when DTSTART has a TZID.
      until = { instant: DateTime.fromISO(t, { zone: 'utc' }).toJSDate() };
    }
  }
  const parts = ORDER.filter((k) => seen.has(k)).map((k) => [k, seen.get(k)!] as [string, string]);
  return { freq: freq as Recurrence['freq'], parts, count: seen.has('COUNT') ? Number(seen.get('COUNT')) : null, until };
}

/** The rule as RFC 5545 text (without DTSTART); UNTIL in UTC as the RFC requires with a TZID start. */
export function formatRecurrence(rule: Recurrence, start: Date, zone: string): string {
  const parts = rule.parts.map(([k, v]) => `${k}=${v}`);
  const until = untilInstant(rule, start, zone);
  if (until) {
    const at = rule.parts.findIndex(([k]) => k !== 'FREQ' && k !== 'INTERVAL');
    parts.splice(at === -1 ? parts.length : at, 0, `UNTIL=${DateTime.fromJSDate(until, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  }
  return parts.join(';');
}

/** The same rule ending with the occurrence that starts before `before` (for "this and following"). */
export function endBefore(rule: Recurrence, before: Date): Recurrence {
  return { ...rule, parts: rule.parts.filter(([k]) => k !== 'COUNT'), count: null, until: { instant: new Date(before.getTime() - 1000) } };
}

/** The same rule with COUNT reduced by the occurrences already used up (for the second half of a split). */
export function remainder(rule: Recurrence, used: number): Recurrence {
  if (rule.count === null) return rule;
  const count = Math.max(1, rule.count - used);
  return { ...rule, count, parts: rule.parts.map(([k, v]) => [k, k === 'COUNT' ? String(count) : v]) };
}

function untilInstant(rule: Recurrence, start: Date, zone: string): Date | null {
  if (!rule.until) return null;
  if ('instant' in rule.until) return rule.until.instant;
  // A date: the whole day counts, so the last occurrence is the one that starts that day.
  const local = DateTime.fromJSDate(start, { zone });
  return DateTime.fromISO(rule.until.date, { zone }).set({ hour: local.hour, minute: local.minute, second: local.second }).toJSDate();
}

const toFloating = (dt: DateTime) => new Date(Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.minute, dt.second));
const fromFloating = (d: Date, zone: string) =>
  // RFC 5545, 3.3.5: a local time that falls in a spring-forward gap is read with the offset before
  // the gap, i.e. it moves forward by the gap's length (02:30 → 03:30 in Europe/Rome): Luxon does so.
  DateTime.fromObject(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() },
    { zone },
  ).toJSDate();

export type ExpandRequest = {
  rule: Recurrence;
  /** The first occurrence's start (DTSTART). */
  start: Date;
  zone: string;
  /** Starts that are not occurrences (EXDATE), compared as instants. */
  exdates?: readonly Date[];
  /** No occurrence may start after this instant (the booking horizon). */
  notAfter: Date;
  max?: number;
};

/**
 * The occurrence starts, in order. Refuses a rule without an end, one that yields more than
 * `max` occurrences, and one that runs past the booking horizon, naming the limit.
 */
export function expandRecurrence(req: ExpandRequest): Date[] {
  const max = req.max ?? MAX_OCCURRENCES;
  const { rule, zone } = req;
  if (rule.count === null && rule.until === null) {
    throw unprocessable('RULE_UNBOUNDED', 'A repeating booking needs an end: add COUNT (a number of meetings) or UNTIL (a last date).');
  }
  const localStart = DateTime.fromJSDate(req.start, { zone });
  const until = untilInstant(rule, req.start, zone);
  const options: Partial<Options> = {
    ...RRule.parseString(rule.parts.map(([k, v]) => `${k}=${v}`).join(';')),
    dtstart: toFloating(localStart),
    ...(until && { until: toFloating(DateTime.fromJSDate(until, { zone })) }),
  };
  const excluded = new Set((req.exdates ?? []).map((d) => d.getTime()));
  const starts: Date[] = [];
  let overflow: 'count' | Date | null = null;
  // The iterator stops as soon as a limit is passed: an unbounded DAILY rule costs max + 1 steps.
  new RRule(options).all((floating) => {
    const start = fromFloating(floating, zone);
    if (start.getTime() > req.notAfter.getTime()) {
      overflow = start;
      return false;
    }
    if (excluded.has(start.getTime())) return true;
    if (starts.length >= max) {
      overflow = 'count';
      return false;
    }
    starts.push(start);
    return true;
  });
  if (overflow === 'count') {
    throw unprocessable('TOO_MANY_OCCURRENCES', `A repeating booking has at most ${max} meetings; this rule makes more. Lower COUNT or bring UNTIL closer.`, {
      maxOccurrences: max,
    });
  }
  if (overflow) {
    const last = DateTime.fromJSDate(req.notAfter, { zone }).toISODate();
    throw unprocessable('SERIES_BEYOND_HORIZON', `Bookings open only until ${last}; this rule continues past that date. End it on ${last} or earlier.`, {
      lastBookableDate: last,
    });
  }
  if (starts.length === 0) throw unprocessable('NO_OCCURRENCES', 'This rule makes no meeting at all from the chosen start; check the days and the end.');
  return starts;
}

/** The local calendar date of an instant in a zone, the key that matches an occurrence across edits. */
export const occurrenceDay = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).toISODate()!;

/** Moves an instant to the same wall-clock time of day as `time` on its own local date. */
export function atTimeOf(day: Date, time: Date, zone: string): Date {
  const t = DateTime.fromJSDate(time, { zone });
  const d = DateTime.fromJSDate(day, { zone });
  return fromFloating(new Date(Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute, t.second)), zone);
}
