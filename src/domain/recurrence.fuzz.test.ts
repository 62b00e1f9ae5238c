// Generated rules (fast-check, fixed seed): every expansion answers within its budget of candidate
// days, and the check made before expanding refuses exactly the rules that never give a date.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import rrulePackage from 'rrule';
import { DateTime } from 'luxon';
import { AppError } from './errors.ts';
import { EXPANSION_BUDGET, expandRecurrence, parseRecurrence, walkRule, type Recurrence } from './recurrence.ts';
import { ruleProblem } from './recurrence-feasibility.ts';

const { RRule } = rrulePackage;
const ZONE = 'Europe/Rome';
const NOW = DateTime.fromISO('2026-03-20T10:00', { zone: ZONE });
const HORIZON_DAYS = 180;
const SLACK_DAYS = 2 * 366 + 7;

const weekday = fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU');
const signed = (max: number) => fc.integer({ min: 1, max }).chain((n) => fc.constantFrom(n, -n));
const list = <T,>(item: fc.Arbitrary<T>, max = 3) => fc.uniqueArray(item, { minLength: 1, maxLength: max }).map((a) => a.join(','));

/** A rule as a client could write it: any mix of the parts a booking rule may have. */
export const ruleText = fc
  .record(
    {
      freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
      interval: fc.constantFrom(1, 1, 2, 3, 4, 5, 7, 12, 14, 24, 48),
      byday: fc.oneof(list(weekday, 4), list(fc.tuple(signed(6), weekday).map(([n, d]) => `${n}${d}`), 2), list(fc.tuple(signed(54), weekday).map(([n, d]) => `${n}${d}`), 1)),
      bymonthday: list(signed(31)),
      bymonth: list(fc.integer({ min: 1, max: 12 })),
      bysetpos: list(fc.oneof(signed(8), signed(366)), 2),
      end: fc.oneof(fc.integer({ min: 1, max: 250 }).map((n) => `COUNT=${n}`), fc.integer({ min: 0, max: 900 }).map((d) => `UNTIL=${NOW.plus({ days: d }).toFormat('yyyyMMdd')}`)),
    },
    { requiredKeys: ['freq', 'interval', 'end'] },
  )
  .map((r) =>
    [`FREQ=${r.freq}`, r.interval > 1 && `INTERVAL=${r.interval}`, r.byday && `BYDAY=${r.byday}`, r.bymonthday && `BYMONTHDAY=${r.bymonthday}`, r.bymonth && `BYMONTH=${r.bymonth}`, r.bysetpos && `BYSETPOS=${r.bysetpos}`, r.end]
      .filter(Boolean)
      .join(';'),
  );
const startDay = fc.integer({ min: 0, max: 170 });

const parsed = (text: string): Recurrence | null => {
  try {
    return parseRecurrence(text);
  } catch (e) {
    expect((e as AppError).code).toBe('RRULE_INVALID');
    return null;
  }
};
const local = (dt: DateTime) => ({ year: dt.year, month: dt.month, day: dt.day, weekday: dt.weekday - 1 });

/** Whether rrule finds any date of the rule (without its end) within 29 years: every kind of year, month and week occurs in 28. */
function rruleFindsADate(rule: Recurrence, start: DateTime): boolean {
  const parts = rule.parts.filter(([k]) => k !== 'COUNT').map(([k, v]) => `${k}=${v}`);
  const options = { ...RRule.parseString(parts.join(';')), dtstart: new Date(Date.UTC(start.year, start.month - 1, start.day, 10)) };
  let found = false;
  walkRule(options, 29 * 366 + 7 * 29, { examined: 0 }, () => ((found = true), false));
  return found;
}

describe('expanding generated rules', () => {
  it('answers every rule (dates or a 4xx code) after examining at most the budget, bounded by the horizon', () => {
    const codes = new Set(['RRULE_INVALID', 'RULE_NEVER_MATCHES', 'TOO_MANY_OCCURRENCES', 'SERIES_BEYOND_HORIZON', 'NO_OCCURRENCES', 'RULE_TOO_COSTLY']);
    fc.assert(
      fc.property(ruleText, startDay, (text, offset) => {
        const rule = parsed(text);
        if (!rule) return;
        const start = NOW.plus({ days: offset });
        const meter = { examined: 0 };
        try {
          const dates = expandRecurrence({ rule, start: start.toJSDate(), zone: ZONE, notAfter: NOW.plus({ days: HORIZON_DAYS }).toJSDate(), meter });
          expect(dates.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect(codes).toContain((e as AppError).code);
        }
        expect(meter.examined).toBeLessThanOrEqual(Math.min(EXPANSION_BUDGET, HORIZON_DAYS - offset + 1 + SLACK_DAYS));
      }),
      { seed: 20260320, numRuns: 400 },
    );
  });

  it('refuses before expanding exactly the rules that never give a date (INTERVAL=1), and never a rule that does', () => {
    fc.assert(
      fc.property(ruleText, startDay, (text, offset) => {
        const rule = parsed(text);
        if (!rule) return;
        const start = NOW.plus({ days: offset });
        const problem = ruleProblem(rule, local(start));
        if (problem?.code === 'RRULE_INVALID') return;
        const found = rruleFindsADate(rule, start);
        if (problem) expect(found, `${text}: ${problem.reason}`).toBe(false);
        else if (!rule.parts.some(([k]) => k === 'INTERVAL')) expect(found, text).toBe(true);
      }),
      { seed: 5545, numRuns: 150 },
    );
  });
});
