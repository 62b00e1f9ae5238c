// Whether a rule can ever give a date, decided before expanding it. The `rrule` library walks the
// calendar period by period until a date matches, so a rule that never matches (BYMONTH=2;
// BYMONTHDAY=30) walks to the year 9999. The calendar only has a few kinds of period: a year is
// leap or not and starts on one of 7 weekdays (14 kinds), a month has one of 4 lengths and starts
// on one of 7 weekdays, a week starts on WKST at one of ~366 dates, a day is one date with one
// weekday. Each kind occurs (the weekdays of a date cycle through all 7 over the years), so trying
// every kind once, with the rule's filters as RFC 5545, 3.3.10 defines them and as rrule applies
// them, tells exactly whether some period gives a date (about 5 000 day checks, well under a
// millisecond). INTERVAL may skip the only fitting kinds: where that is cheap to see (the months
// a MONTHLY rule visits, the weekday of a DAILY rule with a multiple of 7, leap years of a YEARLY
// rule) it is counted; elsewhere the expansion's own budget stops the search.
import type { Recurrence } from './recurrence.ts';

/** The first local date of the series: its fields are the defaults the RFC takes for a bare rule. */
export type LocalStart = { year: number; month: number; day: number; /** 0 = Monday ... 6 = Sunday */ weekday: number };

type Criteria = {
  freq: Recurrence['freq'];
  interval: number;
  months: number[] | null;
  monthdays: number[] | null;
  /** BYDAY without a number. */
  weekdays: number[] | null;
  /** BYDAY with a number: [weekday, n], the n-th such weekday of the month (or of the year). */
  nth: [number, number][] | null;
  setpos: number[] | null;
  wkst: number;
};
type Day = { month: number; day: number; length: number; weekday: number };
type Period = { days: Day[]; ranges: [number, number][] };

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const WEEKDAY_NAMES_IT = ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_NAMES_IT = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'];
const PERIOD = { YEARLY: 'year', MONTHLY: 'month', WEEKLY: 'week', DAILY: 'day' } as const;
/** The periods in Italian, with the article and the plural their gender asks for. */
const PERIOD_IT = {
  YEARLY: { one: 'un anno', some: 'alcuni anni', every: 'ogni anno' },
  MONTHLY: { one: 'un mese', some: 'alcuni mesi', every: 'ogni mese' },
  WEEKLY: { one: 'una settimana', some: 'alcune settimane', every: 'ogni settimana' },
  DAILY: { one: 'un giorno', some: 'alcuni giorni', every: 'ogni giorno' },
} as const;

/** A sentence for the person who wrote the rule, in English and Italian. */
export type Reason = { en: string; it: string };

const monthLength = (month: number, leap: boolean) => (month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const names = (list: string[], or = 'or') => (list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} ${or} ${list[list.length - 1]}`);
const dates = (n: number) => ({ en: `${n} date${n === 1 ? '' : 's'}`, it: `${n} ${n === 1 ? 'data adatta' : 'date adatte'}` });

function criteria(rule: Recurrence, start: LocalStart): Criteria {
  const part = (key: string) => rule.parts.find(([k]) => k === key)?.[1];
  const ints = (key: string) => part(key)?.split(',').map(Number) ?? null;
  const byday = part('BYDAY')
    ?.split(',')
    .map((d) => [WEEKDAYS.indexOf(d.slice(-2)), d.length > 2 ? Number(d.slice(0, -2)) : 0] as const);
  const plain = byday?.filter(([, n]) => n === 0).map(([w]) => w) ?? [];
  const nth = byday?.filter(([, n]) => n !== 0).map(([w, n]) => [w, n] as [number, number]) ?? [];
  const c: Criteria = {
    freq: rule.freq,
    interval: Number(part('INTERVAL') ?? 1),
    months: ints('BYMONTH'),
    monthdays: ints('BYMONTHDAY'),
    weekdays: plain.length ? plain : null,
    nth: nth.length ? nth : null,
    setpos: ints('BYSETPOS'),
    wkst: WEEKDAYS.indexOf(part('WKST') ?? 'MO'),
  };
  // RFC 5545, 3.3.10: parts a rule leaves out are taken from DTSTART (rrule's parseOptions does the same).
  if (!c.monthdays && !byday) {
    if (c.freq === 'YEARLY') {
      c.months ??= [start.month];
      c.monthdays = [start.day];
    } else if (c.freq === 'MONTHLY') c.monthdays = [start.day];
    else if (c.freq === 'WEEKLY') c.weekdays = [start.weekday];
  }
  return c;
}

/** Where INTERVAL keeps the rule: months of a MONTHLY rule, weekdays of a DAILY one, leap years of a YEARLY one. */
function reach(c: Criteria, start: LocalStart) {
  const months = c.freq !== 'MONTHLY' ? null : [...new Set(Array.from({ length: 12 }, (_, k) => ((start.month - 1 + k * c.interval) % 12) + 1))].sort((a, b) => a - b);
  const weekday = c.freq === 'DAILY' && c.interval % 7 === 0 ? start.weekday : null;
  // The years start + k*INTERVAL include a multiple of 4 only when gcd(INTERVAL, 4) divides start.
  const leap = c.freq !== 'YEARLY' || start.year % gcd(c.interval, 4) === 0;
  return { months, weekday, leap };
}

function* periods(c: Criteria, r: ReturnType<typeof reach>): Generator<Period> {
  const month = (m: number, length: number, first: number, offset = 0): Day[] =>
    Array.from({ length }, (_, i) => ({ month: m, day: i + 1, length, weekday: (first + offset + i) % 7 }));
  if (c.freq === 'YEARLY') {
    for (const leap of r.leap ? [false, true] : [false]) {
      for (let jan1 = 0; jan1 < 7; jan1++) {
        const days: Day[] = [];
        const ranges: [number, number][] = [];
        for (let m = 1; m <= 12; m++) {
          const from = days.length;
          days.push(...month(m, monthLength(m, leap), jan1, from));
          if (c.months?.includes(m)) ranges.push([from, days.length]);
        }
        // RFC 5545: a numbered BYDAY counts within the month when BYMONTH is given, else within the year.
        yield { days, ranges: c.months ? ranges : [[0, days.length]] };
      }
    }
  } else if (c.freq === 'MONTHLY') {
    for (const m of r.months!) {
      for (const length of new Set([monthLength(m, false), monthLength(m, true)])) {
        for (let first = 0; first < 7; first++) yield { days: month(m, length, first), ranges: [[0, length]] };
      }
    }
  } else if (c.freq === 'WEEKLY') {
    for (const leap of [false, true]) {
      for (let m = 1; m <= 12; m++) {
        const length = monthLength(m, leap);
        const both = [...month(m, length, 0), ...month((m % 12) + 1, monthLength((m % 12) + 1, leap), 0)];
        for (let d = 0; d < length; d++) {
          yield { days: both.slice(d, d + 7).map((day, i) => ({ ...day, weekday: (c.wkst + i) % 7 })), ranges: [] };
        }
      }
    }
  } else {
    for (let m = 1; m <= 12; m++) {
      for (const length of new Set([monthLength(m, false), monthLength(m, true)])) {
        for (let d = 1; d <= length; d++) {
          for (let w = 0; w < 7; w++) if (r.weekday === null || r.weekday === w) yield { days: [{ month: m, day: d, length, weekday: w }], ranges: [] };
        }
      }
    }
  }
}

/** How many dates the rule takes from one period (before BYSETPOS when `setpos` is false). */
function taken(c: Criteria, p: Period, setpos: boolean): number {
  const fits = p.days.map(
    (d) =>
      (!c.months || c.months.includes(d.month)) &&
      (!c.weekdays || c.weekdays.includes(d.weekday)) &&
      (!c.monthdays || c.monthdays.some((n) => (n > 0 ? n === d.day : d.length + 1 + n === d.day))),
  );
  if (c.nth) {
    const marked = new Set<number>();
    for (const [from, to] of p.ranges) {
      for (const [weekday, n] of c.nth) {
        const at: number[] = [];
        for (let i = from; i < to; i++) if (p.days[i]!.weekday === weekday) at.push(i);
        const pick = n > 0 ? at[n - 1] : at[at.length + n];
        if (pick !== undefined) marked.add(pick);
      }
    }
    fits.forEach((f, i) => (fits[i] = f && marked.has(i)));
  }
  const size = fits.filter(Boolean).length;
  return setpos && c.setpos ? c.setpos.filter((n) => Math.abs(n) <= size).length : size;
}

const anyPeriod = (c: Criteria, r: ReturnType<typeof reach>, setpos = true) => {
  for (const p of periods(c, r)) if (taken(c, p, setpos) > 0) return true;
  return false;
};

/**
 * rrule 2.8 (src/iter/poslist.ts) reads a negative BYSETPOS with Array.slice, so a position before
 * the first date of a period picks that first date, where RFC 5545 (and every calendar reading the
 * rule) picks none: BYSETPOS=-5 of the Mondays gives the first Monday of a month with four. Such a
 * rule would be booked on other dates than calendars show, so it is refused. The first period of a
 * WEEKLY rule starts at DTSTART (rrule's wdayset), so its shorter weeks count too.
 */
function unsupportedSetpos(c: Criteria, r: ReturnType<typeof reach>, rule: Recurrence): Reason | null {
  const deepest = Math.max(0, ...(c.setpos ?? []).map((n) => -n));
  if (deepest < 2) return null;
  let fewest = Infinity;
  for (const p of periods(c, r)) {
    const shorter = c.freq === 'WEEKLY' ? p.days.map((_, i) => ({ days: p.days.slice(i), ranges: [] })) : [p];
    for (const q of shorter) {
      const size = taken(c, q, false);
      if (size > 0) fewest = Math.min(fewest, size);
    }
  }
  if (fewest >= deepest) return null;
  const period = PERIOD[c.freq];
  const it = PERIOD_IT[c.freq];
  const setpos = `BYSETPOS=${rule.parts.find(([k]) => k === 'BYSETPOS')![1]}`;
  return {
    en: `${setpos} counts back past the first date of some ${period}s (a ${period} may have only ${dates(fewest).en} that fit); use positions every ${period} has.`,
    it: `${setpos} conta all’indietro oltre la prima data di ${it.some} (${it.one} può avere solo ${dates(fewest).it}); usa posizioni che esistono in ${it.every}.`,
  };
}

export type RuleProblem = { code: 'RULE_NEVER_MATCHES' | 'RRULE_INVALID'; reason: Reason };

/** Null when the rule can be expanded as RFC 5545 means it and gives a date; else what is wrong. */
export function ruleProblem(rule: Recurrence, start: LocalStart): RuleProblem | null {
  const c = criteria(rule, start);
  const r = reach(c, start);
  const setpos = unsupportedSetpos(c, r, rule);
  if (setpos) return { code: 'RRULE_INVALID', reason: setpos };
  const never = whyNeverMatches(rule, start, c, r);
  return never ? { code: 'RULE_NEVER_MATCHES', reason: never } : null;
}

/** Null when the rule gives a date in some period it reaches; else a sentence saying why it never does. */
function whyNeverMatches(rule: Recurrence, start: LocalStart, c: Criteria, r: ReturnType<typeof reach>): Reason | null {
  if (anyPeriod(c, r)) return null;
  const anywhere = { months: c.freq === 'MONTHLY' ? Array.from({ length: 12 }, (_, i) => i + 1) : null, weekday: null, leap: true };
  const part = (key: string) => `${key}=${rule.parts.find(([k]) => k === key)?.[1] ?? ''}`;
  if (anyPeriod(c, anywhere)) {
    const tail =
      c.freq === 'MONTHLY'
        ? { en: `it only reaches ${names(r.months!.map((m) => MONTH_NAMES[m - 1]!))}`, it: `raggiunge solo ${names(r.months!.map((m) => MONTH_NAMES_IT[m - 1]!), 'o')}` }
        : c.freq === 'DAILY'
          ? { en: `every date it reaches is a ${WEEKDAY_NAMES[start.weekday]}`, it: `raggiunge solo date che cadono di ${WEEKDAY_NAMES_IT[start.weekday]}` }
          : c.freq === 'YEARLY'
            ? { en: 'it never reaches a leap year', it: 'non raggiunge mai un anno bisestile' }
            : { en: 'it never reaches a date that fits its other parts', it: 'non raggiunge mai una data adatta alle altre parti' };
    const from = `${start.year}-${String(start.month).padStart(2, '0')}-${String(start.day).padStart(2, '0')}`;
    return {
      en: `With INTERVAL=${c.interval} from ${from}, ${tail.en}, and the other parts allow none of those.`,
      it: `Con INTERVAL=${c.interval} a partire dal ${from} la regola ${tail.it}, e le altre parti non ammettono nessuna delle date raggiunte.`,
    };
  }
  if (c.setpos && anyPeriod(c, anywhere, false)) {
    let most = 0;
    for (const p of periods(c, anywhere)) most = Math.max(most, taken(c, p, false));
    return {
      en: `${part('BYSETPOS')} asks for a position that never exists: a ${PERIOD[c.freq]} has at most ${dates(most).en} that fit the other parts.`,
      it: `${part('BYSETPOS')} chiede una posizione che non esiste mai: ${PERIOD_IT[c.freq].one} ha al massimo ${dates(most).it} alle altre parti.`,
    };
  }
  if (c.monthdays && !anyPeriod({ ...c, weekdays: null, nth: null, setpos: null }, anywhere)) {
    const days = c.monthdays.join(', ');
    return c.months
      ? { en: `No month in ${names(c.months.map((m) => MONTH_NAMES[m - 1]!))} has day ${days}.`, it: `In ${names(c.months.map((m) => MONTH_NAMES_IT[m - 1]!), 'e')} non c’è il giorno ${days}.` }
      : { en: `No month has day ${days}.`, it: `Nessun mese ha il giorno ${days}.` };
  }
  const limit = c.freq === 'YEARLY' && !c.months ? 53 : 5;
  if (c.nth && c.nth.every(([, n]) => Math.abs(n) > limit)) {
    return {
      en: `${part('BYDAY')} asks for a weekday that never exists: a ${limit === 53 ? 'year' : 'month'} has at most ${limit} of each weekday.`,
      it: `${part('BYDAY')} chiede un giorno della settimana che non esiste mai: ${limit === 53 ? 'un anno' : 'un mese'} ha al massimo ${limit} volte lo stesso giorno della settimana.`,
    };
  }
  const present = ['BYMONTH', 'BYMONTHDAY', 'BYDAY', 'BYSETPOS'].filter((k) => rule.parts.some(([key]) => key === k)).map(part);
  return {
    en: `No date fits ${present.length ? present.join(' and ') : 'all its parts'} together.`,
    it: `Nessuna data soddisfa insieme ${present.length ? present.join(' e ') : 'tutte le sue parti'}.`,
  };
}
