import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { AppError } from './errors.ts';
import { endBefore, EXPANSION_BUDGET, expandRecurrence, formatRecurrence, parseRecurrence, remainder, type ExpandRequest } from './recurrence.ts';

const ROME = 'Europe/Rome';
const far = new Date('2027-12-31T00:00:00Z');
const local = (d: Date, zone = ROME) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ZZ");
const rome = (text: string) => DateTime.fromISO(text, { zone: ROME }).toJSDate();
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as AppError).code;
  }
  return null;
};
const refusal = (req: ExpandRequest) => {
  try {
    expandRecurrence(req);
  } catch (e) {
    return { code: (e as AppError).code, message: (e as AppError).message, it: (e as AppError).translations.it };
  }
  return null;
};

describe('expanding a rule in the room time zone', () => {
  it('keeps a weekly 10:00 Europe/Rome at 10:00 across the spring and the autumn change', () => {
    const spring = expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY;COUNT=3'), start: rome('2026-03-22T10:00'), zone: ROME, notAfter: far });
    expect(spring.map((d) => local(d))).toEqual(['2026-03-22T10:00 +01:00', '2026-03-29T10:00 +02:00', '2026-04-05T10:00 +02:00']);
    expect(spring.map((d) => d.toISOString())).toEqual(['2026-03-22T09:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-04-05T08:00:00.000Z']);
    const autumn = expandRecurrence({ rule: parseRecurrence('RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=3'), start: rome('2026-10-18T10:00'), zone: ROME, notAfter: far });
    expect(autumn.map((d) => local(d))).toEqual(['2026-10-18T10:00 +02:00', '2026-10-25T10:00 +01:00', '2026-11-01T10:00 +01:00']);
  });

  it('takes the first of the autumn’s repeated hour, as a single booking does (parseTime)', () => {
    const daily = expandRecurrence({ rule: parseRecurrence('FREQ=DAILY;COUNT=3'), start: rome('2026-10-24T02:30'), zone: ROME, notAfter: far });
    expect(daily.map((d) => local(d))).toEqual(['2026-10-24T02:30 +02:00', '2026-10-25T02:30 +02:00', '2026-10-26T02:30 +01:00']);
    expect(daily[1]!.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    const ny = 'America/New_York';
    const start = DateTime.fromISO('2026-10-31T01:30', { zone: ny }).toJSDate();
    expect(expandRecurrence({ rule: parseRecurrence('FREQ=DAILY;COUNT=2'), start, zone: ny, notAfter: far }).map((d) => local(d, ny))).toEqual([
      '2026-10-31T01:30 -04:00',
      '2026-11-01T01:30 -04:00',
    ]);
  });

  it('keeps local time in another zone too (America/New_York changes on other dates)', () => {
    const ny = 'America/New_York';
    const start = DateTime.fromISO('2026-03-01T09:30', { zone: ny }).toJSDate();
    const got = expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY;COUNT=3'), start, zone: ny, notAfter: far });
    expect(got.map((d) => local(d, ny))).toEqual(['2026-03-01T09:30 -05:00', '2026-03-08T09:30 -04:00', '2026-03-15T09:30 -04:00']);
  });

  it('finds the last Friday of each month', () => {
    const got = expandRecurrence({ rule: parseRecurrence('FREQ=MONTHLY;BYDAY=-1FR;COUNT=4'), start: rome('2026-03-02T15:00'), zone: ROME, notAfter: far });
    expect(got.map((d) => local(d))).toEqual(['2026-03-27T15:00 +01:00', '2026-04-24T15:00 +02:00', '2026-05-29T15:00 +02:00', '2026-06-26T15:00 +02:00']);
  });

  it('finds the second Tuesday, with BYSETPOS or an ordinal BYDAY', () => {
    const a = expandRecurrence({ rule: parseRecurrence('FREQ=MONTHLY;BYDAY=2TU;COUNT=3'), start: rome('2026-04-01T09:00'), zone: ROME, notAfter: far });
    const b = expandRecurrence({ rule: parseRecurrence('FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;COUNT=3'), start: rome('2026-04-01T09:00'), zone: ROME, notAfter: far });
    expect(a.map((d) => local(d))).toEqual(['2026-04-14T09:00 +02:00', '2026-05-12T09:00 +02:00', '2026-06-09T09:00 +02:00']);
    expect(b).toEqual(a);
  });

  it('repeats monthly by date, every other week on chosen days, and daily until a date (inclusive)', () => {
    const monthly = expandRecurrence({ rule: parseRecurrence('FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2'), start: rome('2026-04-15T11:00'), zone: ROME, notAfter: far });
    expect(monthly.map((d) => local(d))).toEqual(['2026-04-15T11:00 +02:00', '2026-05-15T11:00 +02:00']);
    const fortnightly = expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4'), start: rome('2026-04-06T08:00'), zone: ROME, notAfter: far });
    expect(fortnightly.map((d) => local(d).slice(0, 10))).toEqual(['2026-04-06', '2026-04-08', '2026-04-20', '2026-04-22']);
    const daily = expandRecurrence({ rule: parseRecurrence('FREQ=DAILY;UNTIL=20260410'), start: rome('2026-04-08T18:00'), zone: ROME, notAfter: far });
    expect(daily.map((d) => local(d))).toEqual(['2026-04-08T18:00 +02:00', '2026-04-09T18:00 +02:00', '2026-04-10T18:00 +02:00']);
  });

  it('leaves out EXDATEs', () => {
    const all = expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY;COUNT=4'), start: rome('2026-04-06T10:00'), zone: ROME, notAfter: far });
    const some = expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY;COUNT=4'), start: rome('2026-04-06T10:00'), zone: ROME, notAfter: far, exdates: [all[1]!] });
    expect(some).toEqual([all[0], all[2], all[3]]);
  });

  it('refuses more than 200 occurrences, a rule past the horizon and a rule without an end', () => {
    expect(codeOf(() => expandRecurrence({ rule: parseRecurrence('FREQ=DAILY;COUNT=201'), start: rome('2026-04-06T10:00'), zone: ROME, notAfter: far }))).toBe('TOO_MANY_OCCURRENCES');
    expect(expandRecurrence({ rule: parseRecurrence('FREQ=DAILY;COUNT=200'), start: rome('2026-04-06T10:00'), zone: ROME, notAfter: far })).toHaveLength(200);
    expect(codeOf(() => expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY;COUNT=30'), start: rome('2026-04-06T10:00'), zone: ROME, notAfter: rome('2026-06-30T23:00') }))).toBe(
      'SERIES_BEYOND_HORIZON',
    );
    expect(codeOf(() => expandRecurrence({ rule: parseRecurrence('FREQ=WEEKLY'), start: rome('2026-04-06T10:00'), zone: ROME, notAfter: far }))).toBe('RULE_UNBOUNDED');
  });

  it('moves a start in the spring-forward gap forward by the gap (RFC 5545, 3.3.5)', () => {
    const got = expandRecurrence({ rule: parseRecurrence('FREQ=DAILY;COUNT=3'), start: rome('2026-03-28T02:30'), zone: ROME, notAfter: far });
    expect(got.map((d) => local(d))).toEqual(['2026-03-28T02:30 +01:00', '2026-03-29T03:30 +02:00', '2026-03-30T02:30 +02:00']);
  });
});

describe('bounding the work of a rule', () => {
  const start = rome('2026-03-20T10:00');
  const horizon = rome('2026-09-16T10:00'); // 180 days ahead
  const meter = { examined: 0 };
  const expand = (text: string, extra: Partial<ExpandRequest> = {}) => refusal({ rule: parseRecurrence(text), start, zone: ROME, notAfter: horizon, meter, ...extra });

  it.each([
    // The rule of the report: it never matches, and rrule walked to the year 9999 (15-22 s).
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1', 'No month in February has day 30'],
    ['FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1', 'No month in February has day 30'],
    ['FREQ=YEARLY;BYMONTH=4,6,9,11;BYMONTHDAY=31;COUNT=1', 'April, June, September or November has day 31'],
    ['FREQ=MONTHLY;BYMONTHDAY=-30;BYMONTH=2;COUNT=1', 'day -30'],
    ['FREQ=MONTHLY;BYDAY=6MO;COUNT=2', 'at most 5 of each weekday'],
    ['FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=15;COUNT=2', 'BYMONTHDAY=15 and BYDAY=1MO'],
    ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;COUNT=2', 'a month has at most 5 dates'],
    ['FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3;COUNT=2', 'a week has at most 2 dates'],
    ['FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3', 'every date it reaches is a Friday'],
    ['FREQ=MONTHLY;INTERVAL=12;BYMONTH=2;COUNT=3', 'it only reaches March'],
    ['FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29;COUNT=1', 'never reaches a leap year'],
  ])('refuses %s with RULE_NEVER_MATCHES before expanding it', (text, words) => {
    const got = expand(text);
    expect(got?.code).toBe('RULE_NEVER_MATCHES');
    expect(got?.message).toContain(words);
    expect(meter.examined).toBe(0);
  });

  it('says why a rule never matches in Italian too, with the Italian names of months and weekdays', () => {
    expect(expand('FREQ=YEARLY;BYMONTH=4,6,9,11;BYMONTHDAY=31;COUNT=1')?.it).toBe(
      'Questa regola non dà mai una riunione: In aprile, giugno, settembre e novembre non c’è il giorno 31. Cambia la regola.',
    );
    expect(expand('FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3')?.it).toContain('la regola raggiunge solo date che cadono di venerdì');
    expect(expand('FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3;COUNT=2')?.it).toContain('una settimana ha al massimo 2 date adatte alle altre parti');
  });

  it('refuses a COUNT or an UNTIL past the horizon, and too many meetings, before expanding', () => {
    expect(expand('FREQ=DAILY;COUNT=181')).toBeNull();
    expect(expand('FREQ=DAILY;COUNT=182')?.code).toBe('SERIES_BEYOND_HORIZON');
    expect(meter.examined).toBe(0);
    expect(expand('FREQ=YEARLY;UNTIL=99991231')?.code).toBe('SERIES_BEYOND_HORIZON');
    expect(meter.examined).toBe(0);
    expect(expand('FREQ=DAILY;COUNT=9999')?.code).toBe('TOO_MANY_OCCURRENCES');
    expect(meter.examined).toBe(0);
    expect(expand('FREQ=DAILY;UNTIL=20260916')).toBeNull();
  });

  it('stops a rare rule one period past the horizon instead of walking to its next date', () => {
    // The next Monday 29 February is in 2044: rrule would examine about 6 500 days to find it.
    expect(expand('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=2')?.code).toBe('NO_OCCURRENCES');
    expect(meter.examined).toBeLessThanOrEqual(181 + 2 * 366 + 7);
    // A COUNT rule with dates before the horizon still owes the rest after it.
    expect(expand('FREQ=YEARLY;BYMONTH=4,2;BYMONTHDAY=29;COUNT=3')?.code).toBe('SERIES_BEYOND_HORIZON');
    // An UNTIL rule is complete at its end, however rare its dates.
    expect(expand('FREQ=YEARLY;BYMONTH=4,2;BYMONTHDAY=29;UNTIL=20260901')).toBeNull();
    expect(meter.examined).toBeLessThanOrEqual(181 + 2 * 366 + 7);
  });

  it('refuses with RULE_TOO_COSTLY a rule that needs more candidate days than the budget', () => {
    const got = expand('FREQ=MONTHLY;BYDAY=-1FR;COUNT=5', { budget: 100 });
    expect(got?.code).toBe('RULE_TOO_COSTLY');
    expect(meter.examined).toBe(100);
    expect(expand('FREQ=MONTHLY;BYDAY=-1FR;COUNT=5')).toBeNull();
    expect(meter.examined).toBeGreaterThan(100);
    expect(meter.examined).toBeLessThan(EXPANSION_BUDGET);
  });

  it('refuses a negative BYSETPOS that some periods do not reach (rrule would take their first date)', () => {
    const got = expand('FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-5;COUNT=2');
    expect(got?.code).toBe('RRULE_INVALID');
    expect(got?.message).toContain('only 4 dates');
    expect(expand('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=2')).toBeNull();
  });
});

describe('reading and writing rules', () => {
  it.each([
    ['', 'empty'],
    ['FREQ=HOURLY;COUNT=3', 'HOURLY'],
    ['FREQ=WEEKLY;BYDAY=XX;COUNT=3', 'BYDAY'],
    ['FREQ=WEEKLY;BYHOUR=10;COUNT=3', 'BYHOUR'],
    ['FREQ=WEEKLY;COUNT=3;UNTIL=20260101', 'COUNT or UNTIL'],
    ['FREQ=WEEKLY;COUNT=0', 'COUNT'],
    ['FREQ=WEEKLY;UNTIL=20261341', 'UNTIL'],
    ['COUNT=3', 'FREQ'],
    ['FREQ=WEEKLY;FREQ=DAILY', 'twice'],
    ['FREQ=WEEKLY;BYDAY=1MO;COUNT=3', 'only a MONTHLY or YEARLY'],
    ['FREQ=MONTHLY;BYDAY=0MO;COUNT=3', 'outside 1..53'],
    ['FREQ=YEARLY;BYDAY=-54MO;COUNT=3', 'outside 1..53'],
    ['FREQ=MONTHLY;BYDAY=MO,1TU;COUNT=3', 'mixes'],
    ['garbage', 'garbage'],
  ])('refuses %j with RRULE_INVALID and a message naming the problem', (text, word) => {
    try {
      parseRecurrence(text);
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe('RRULE_INVALID');
      expect((e as AppError).message).toContain(word);
    }
  });

  it('writes UNTIL in UTC and splits a rule into an end and a remainder', () => {
    const rule = parseRecurrence('freq=weekly;byday=mo;until=20260511');
    expect(formatRecurrence(rule, rome('2026-04-06T10:00'), ROME)).toBe('FREQ=WEEKLY;UNTIL=20260511T080000Z;BYDAY=MO');
    const counted = parseRecurrence('FREQ=WEEKLY;COUNT=10');
    const head = endBefore(counted, rome('2026-04-20T10:00'));
    expect(formatRecurrence(head, rome('2026-04-06T10:00'), ROME)).toBe('FREQ=WEEKLY;UNTIL=20260420T075959Z');
    expect(expandRecurrence({ rule: head, start: rome('2026-04-06T10:00'), zone: ROME, notAfter: far })).toHaveLength(2);
    expect(formatRecurrence(remainder(counted, 2), rome('2026-04-20T10:00'), ROME)).toBe('FREQ=WEEKLY;COUNT=8');
  });
});
