// Generated rules (fast-check, fixed seed): every expansion answers within its budget of candidate
// days, and the check made before expanding refuses exactly the rules that never give a date.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import rrulePackage from 'rrule';
import { DateTime } from 'luxon';
import { AppError } from './errors.ts';
import { EXPANSION_BUDGET, expandRecurrence, parseRecurrence, walkRule, type Recurrence } from './recurrence.ts';
import { ruleProblem } from './recurrence-feasibility.ts';
import { ruleText as rules } from '../../test/support/rule-arbitrary.ts';

const { RRule } = rrulePackage;
const ZONE = 'Europe/Rome';
const NOW = DateTime.fromISO('2026-03-20T10:00', { zone: ZONE });
const HORIZON_DAYS = 180;
const SLACK_DAYS = 2 * 366 + 7;
const ruleText = rules(NOW);

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
        if (problem) expect(found, `${text}: ${problem.reason.en}`).toBe(false);
        else if (!rule.parts.some(([k]) => k === 'INTERVAL')) expect(found, text).toBe(true);
      }),
      { seed: 5545, numRuns: 150 },
    );
  });
});
