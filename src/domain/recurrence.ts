// Recurring bookings: an RFC 5545 RRULE evaluated in the room's time zone. The `rrule` library
// computes dates on "floating" wall-clock times (its documented way to stay clear of the host's
// zone: UTC fields that mean local fields); each result is then placed in the room's zone with
// Luxon. So a weekly 10:00 Europe/Rome stays 10:00 on both sides of a daylight-saving change.
import rrulePackage, { type Options } from 'rrule';
import { DateTime } from 'luxon';
import { AppError, fieldErrors, unprocessable } from './errors.ts';
import { ruleProblem } from './recurrence-feasibility.ts';
import { firstOfRepeated } from './time.ts';

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

/** What is wrong with the rule, said on its field in both languages. */
const ruleField = (en: string, it: string) => fieldErrors([{ path: 'rrule', en, it }]);

const invalid = (en: string, it: string) => {
  const field = ruleField(en, it);
  return new AppError(
    'invalid',
    'RRULE_INVALID',
    `${en} Write the rule as in RFC 5545, for example FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10.`,
    field.en,
    { it: `${it} Scrivi la regola come indica la RFC 5545, per esempio FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10.`, details: field.it },
  );
};

/** Reads `FREQ=...;...` (with or without the `RRULE:` prefix) and checks every part. */
export function parseRecurrence(text: string): Recurrence {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) throw invalid('The rule is empty.', 'La regola è vuota.');
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const [rawKey, value, ...rest] = part.split('=');
    const key = (rawKey ?? '').trim().toUpperCase();
    if (!key || value === undefined || rest.length > 0 || value.trim() === '') throw invalid(`"${part}" is not a NAME=value part.`, `"${part}" non è una parte NOME=valore.`);
    if (!ALLOWED.has(key)) throw invalid(`${key} is not supported in a booking rule.`, `${key} non è ammesso in una regola di prenotazione.`);
    if (seen.has(key)) throw invalid(`${key} appears twice.`, `${key} compare due volte.`);
    seen.set(key, value.trim().toUpperCase());
  }
  const freq = seen.get('FREQ');
  if (!freq) throw invalid('FREQ is missing.', 'Manca FREQ.');
  if (!(FREQS as readonly string[]).includes(freq)) throw invalid(`FREQ=${freq} is not one of DAILY, WEEKLY, MONTHLY, YEARLY.`, `FREQ=${freq} non è uno tra DAILY, WEEKLY, MONTHLY, YEARLY.`);
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
    if (key !== 'FREQ' && !checks[key]!(value)) throw invalid(`${key}=${value} is not a valid value.`, `${key}=${value} non è un valore valido.`);
  }
  const byday = seen.get('BYDAY')?.split(',') ?? [];
  const numbered = byday.filter((d) => d.length > 2);
  // RFC 5545, 3.3.10: a numbered BYDAY only with MONTHLY or YEARLY, the number within -53..53.
  const byDay = `BYDAY=${seen.get('BYDAY')}`;
  if (numbered.length > 0 && (freq === 'DAILY' || freq === 'WEEKLY')) {
    throw invalid(`${byDay} numbers a weekday, which only a MONTHLY or YEARLY rule may do.`, `${byDay} numera un giorno della settimana, cosa che solo una regola MONTHLY o YEARLY può fare.`);
  }
  if (numbered.some((d) => Number(d.slice(0, -2)) === 0 || Math.abs(Number(d.slice(0, -2))) > 53)) {
    throw invalid(`${byDay} numbers a weekday outside 1..53 (or -53..-1).`, `${byDay} numera un giorno della settimana fuori da 1..53 (o -53..-1).`);
  }
  // The RFC takes "MO,1TU" as every Monday and the first Tuesday; rrule would ask for days that are
  // both, which none is: such a rule is refused rather than booked differently than calendars show it.
  if (numbered.length > 0 && numbered.length < byday.length) {
    throw invalid(`${byDay} mixes weekdays with numbered weekdays; write either kind, not both.`, `${byDay} mescola giorni della settimana semplici e numerati; usa l’uno o l’altro tipo, non entrambi.`);
  }
  if (seen.has('COUNT') && seen.has('UNTIL')) throw invalid('Give COUNT or UNTIL, not both.', 'Indica COUNT o UNTIL, non entrambi.');
  const untilText = seen.get('UNTIL');
  let until: Recurrence['until'] = null;
  if (untilText) {
    const date = `${untilText.slice(0, 4)}-${untilText.slice(4, 6)}-${untilText.slice(6, 8)}`;
    if (!DateTime.fromISO(date).isValid) throw invalid(`UNTIL=${untilText} is not a real date.`, `UNTIL=${untilText} non è una data esistente.`);
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
  // One repeated in autumn is its first instant, as for a single booking (parseTime).
  firstOfRepeated(
    DateTime.fromObject(
      { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() },
      { zone },
    ),
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
  /** Candidate days the expansion may examine (default EXPANSION_BUDGET). */
  budget?: number;
  /** Receives the number of candidate days examined, also when the expansion refuses the rule. */
  meter?: { examined: number };
};

/**
 * Candidate days one expansion may examine. Within the booking horizon a rule examines at most one
 * candidate per day (the time of day is fixed), plus one period on each side: 3 650 days ahead (the
 * largest MAX_DAYS_AHEAD) and two years of slack stay well below it. Past it the rule is refused.
 */
export const EXPANSION_BUDGET = 10_000;
const SLACK_DAYS = 2 * 366 + 7;

class Stop extends Error {}

/**
 * Gives the rule's dates in order to `onDate` (until it returns false) and examines at most `limit`
 * candidate days; false when it stopped at the limit. The one place `rrule` iterates.
 */
export function walkRule(rule: Partial<Options>, limit: number, meter: { examined: number }, onDate: (floating: Date) => boolean): boolean {
  const iterator = new RRule(rule, true);
  // rrule 2.8 (src/iter/index.ts, isFiltered) reads `options.byyearday` once for every candidate
  // day it examines, matching or not; its callback only sees matches. Counting those reads counts
  // the work, and throwing from one is the only way to stop a walk in which nothing ever matches.
  const { byyearday, ...options } = iterator.options;
  (iterator as { options: Options }).options = Object.defineProperty(options, 'byyearday', {
    get() {
      if (++meter.examined > limit) throw new Stop();
      return byyearday;
    },
  }) as Options;
  try {
    // The callback stops as soon as a limit is passed: an unbounded DAILY rule costs max + 1 steps.
    iterator.all((d) => onDate(d));
    return true;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    meter.examined = limit;
    return false;
  }
}

/**
 * The occurrence starts, in order. Refuses a rule without an end, one that never gives a date, one
 * that yields more than `max` occurrences, and one that runs past the booking horizon, naming the
 * limit; the work is bounded by the horizon and by `budget` candidate days, whatever the rule.
 */
export function expandRecurrence(req: ExpandRequest): Date[] {
  const max = req.max ?? MAX_OCCURRENCES;
  const { rule, zone } = req;
  const meter = req.meter ?? { examined: 0 };
  meter.examined = 0;
  if (rule.count === null && rule.until === null) {
    throw unprocessable('RULE_UNBOUNDED', 'A repeating booking needs an end: add COUNT (a number of meetings) or UNTIL (a last date).', {
      it: 'Una prenotazione ricorrente ha bisogno di una fine: aggiungi COUNT (un numero di riunioni) o UNTIL (un’ultima data).',
    });
  }
  const localStart = DateTime.fromJSDate(req.start, { zone });
  const lastDay = DateTime.fromJSDate(req.notAfter, { zone }).startOf('day');
  // Every occurrence falls on its own day: the days from the start to the horizon bound them all.
  const daysOpen = Math.floor(lastDay.diff(localStart.startOf('day'), 'days').days) + 1;
  const until = untilInstant(rule, req.start, zone);
  const tooMany = () =>
    unprocessable(
      'TOO_MANY_OCCURRENCES',
      `A repeating booking has at most ${max} meetings; this rule makes more. Lower COUNT or bring UNTIL closer.`,
      { it: `Una prenotazione ricorrente ha al massimo ${max} riunioni; questa regola ne crea di più. Riduci COUNT o anticipa UNTIL.` },
      { maxOccurrences: max },
    );
  const beyondHorizon = () =>
    unprocessable(
      'SERIES_BEYOND_HORIZON',
      `Bookings open only until ${lastDay.toISODate()}; this rule continues past that date. End it on ${lastDay.toISODate()} or earlier.`,
      { it: `Si può prenotare solo fino al ${lastDay.toISODate()}; questa regola va oltre quella data. Falla terminare il ${lastDay.toISODate()} o prima.` },
      { lastBookableDate: lastDay.toISODate() },
    );
  // What can be known before expanding, cheaply and exactly.
  const problem = ruleProblem(rule, { year: localStart.year, month: localStart.month, day: localStart.day, weekday: localStart.weekday - 1 });
  if (problem?.code === 'RRULE_INVALID') throw invalid(problem.reason.en, problem.reason.it);
  if (problem) {
    const field = ruleField(problem.reason.en, problem.reason.it);
    throw unprocessable(
      problem.code,
      `This rule never gives a meeting: ${problem.reason.en} Change the rule.`,
      { it: `Questa regola non dà mai una riunione: ${problem.reason.it} Cambia la regola.`, details: field.it },
      field.en,
    );
  }
  if (rule.count !== null && rule.count - (req.exdates?.length ?? 0) > max) throw tooMany();
  if (rule.count !== null && rule.count > daysOpen) throw beyondHorizon();
  if (until && DateTime.fromJSDate(until, { zone }).startOf('day') > lastDay) throw beyondHorizon();

  const options: Partial<Options> = {
    ...RRule.parseString(rule.parts.map(([k, v]) => `${k}=${v}`).join(';')),
    dtstart: toFloating(localStart),
    ...(until && { until: toFloating(DateTime.fromJSDate(until, { zone })) }),
  };
  const excluded = new Set((req.exdates ?? []).map((d) => d.getTime()));
  const starts: Date[] = [];
  let overflow: 'count' | Date | null = null;
  // Past this many candidates the walk is surely a whole period beyond the horizon (candidates are
  // days, in order, and a period starts at most a year before DTSTART): every date up to the
  // horizon has been seen.
  const pastHorizon = Math.max(daysOpen, 0) + SLACK_DAYS;
  const budget = req.budget ?? EXPANSION_BUDGET;
  const limit = Math.min(pastHorizon, budget);
  const complete = walkRule(options, limit, meter, (floating) => {
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
  if (!complete) {
    if (limit < pastHorizon) {
      throw unprocessable(
        'RULE_TOO_COSTLY',
        `Working out the dates of this rule takes more than ${budget} steps; write a simpler rule (fewer BY... parts) or one with dates closer together.`,
        { it: `Calcolare le date di questa regola richiede più di ${budget} passi; scrivi una regola più semplice (meno parti BY...) o con date più vicine tra loro.` },
        { budget },
      );
    }
    // Beyond the horizon with no further date: an UNTIL rule is complete; a COUNT rule still owes
    // dates, which can only come after the horizon.
    if (rule.count !== null && starts.length > 0) throw beyondHorizon();
  }
  if (overflow === 'count') throw tooMany();
  if (overflow && starts.length > 0) throw beyondHorizon();
  // Nothing up to the horizon: the same answer whether the next date was seen or not looked for.
  if (starts.length === 0) {
    const ends = until && DateTime.fromJSDate(until, { zone }) < lastDay ? DateTime.fromJSDate(until, { zone }).toISODate() : null;
    const end = ends
      ? { en: `its end, ${ends}`, it: `la sua fine, il ${ends}` }
      : { en: `${lastDay.toISODate()}, the last day open for booking`, it: `il ${lastDay.toISODate()}, l’ultimo giorno prenotabile` };
    throw unprocessable('NO_OCCURRENCES', `This rule makes no meeting between ${localStart.toISODate()} and ${end.en}; check the days and the end.`, {
      it: `Questa regola non crea alcuna riunione tra il ${localStart.toISODate()} e ${end.it}; controlla i giorni e la fine.`,
    });
  }
  return starts;
}

/** The local calendar date of an instant in a zone, the key that matches an occurrence across edits. */
export const occurrenceDay = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).toISODate()!;

/**
 * The dates a booker leaves out of a new series (holidays, a week away), as local dates in the
 * series' zone: they become its EXDATEs, so the calendar invitation and later edits of the series
 * skip them too. Each must be a date the rule gives after the first (the first is the series'
 * DTSTART: start the series later instead); a date the rule does not give is refused rather than
 * ignored, as it means the booker meant another rule or another day.
 */
export function leaveOut(starts: readonly Date[], days: readonly string[], zone: string): { kept: Date[]; leftOut: Date[] } {
  if (days.length === 0) return { kept: [...starts], leftOut: [] }; // the usual case costs no date arithmetic
  const wanted = new Set(days);
  const dayOf = starts.map((s) => occurrenceDay(s, zone));
  const ruleDays = new Set(dayOf);
  const first = dayOf[0] ?? null;
  const problems = days.flatMap((day, i) => {
    if (day === first) return [{ path: `leaveOut.${i}`, en: `${day} is the first meeting: start the series on its next date instead.`, it: `${day} è la prima riunione: fai iniziare la serie dalla data successiva.` }];
    if (!ruleDays.has(day)) return [{ path: `leaveOut.${i}`, en: `${day} is not one of the dates this rule books.`, it: `${day} non è una delle date che questa regola prenota.` }];
    return [];
  });
  if (problems.length > 0) {
    const { en, it } = fieldErrors(problems);
    throw new AppError('invalid', 'VALIDATION_FAILED', problems.map((p) => p.en).join(' '), en, { it: problems.map((p) => p.it).join(' '), details: it });
  }
  return { kept: starts.filter((_, i) => !wanted.has(dayOf[i]!)), leftOut: starts.filter((_, i) => wanted.has(dayOf[i]!)) };
}

/** Moves an instant to the same wall-clock time of day as `time` on its own local date. */
export function atTimeOf(day: Date, time: Date, zone: string): Date {
  const t = DateTime.fromJSDate(time, { zone });
  const d = DateTime.fromJSDate(day, { zone });
  return fromFloating(new Date(Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute, t.second)), zone);
}
