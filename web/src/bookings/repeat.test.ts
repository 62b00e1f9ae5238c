import { describe, expect, it } from 'vitest';
import { buildRrule, initialRepeat, nthOfMonth, validateRepeat, weekdayOf } from './repeat.ts';

const base = { ...initialRepeat(), enabled: true };

describe('repeat rule', () => {
  it('names the weekday and its place in the month', () => {
    expect(weekdayOf('2026-12-08')).toBe('TU');
    expect(nthOfMonth('2026-12-08')).toBe(2);
    expect(nthOfMonth('2026-12-29')).toBe(-1);
  });

  it('writes each preset as an RRULE', () => {
    expect(buildRrule({ ...base, preset: 'daily', count: '5' }, '2026-12-08')).toBe('FREQ=DAILY;COUNT=5');
    expect(buildRrule({ ...base, preset: 'weekly', interval: '2', byDays: ['WE', 'MO'], count: '4' }, '2026-12-07')).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4');
    expect(buildRrule({ ...base, preset: 'monthlyDate', end: 'until', until: '2027-06-30' }, '2026-12-15')).toBe('FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20270630');
    expect(buildRrule({ ...base, preset: 'monthlyNth', count: '6' }, '2026-12-08')).toBe('FREQ=MONTHLY;BYDAY=2TU;COUNT=6');
    expect(buildRrule({ ...base, preset: 'custom', custom: 'rrule:freq=weekly;count=3' }, '2026-12-08')).toBe('FREQ=WEEKLY;COUNT=3');
  });

  it('asks for an end, a day and a sane interval', () => {
    expect(validateRepeat({ ...base, preset: 'weekly', byDays: [] }, '2026-12-08')).toMatchObject({ byDays: 'byDays' });
    expect(validateRepeat({ ...base, preset: 'daily', interval: '0' }, '2026-12-08')).toMatchObject({ interval: 'interval' });
    expect(validateRepeat({ ...base, preset: 'daily', end: 'until', until: '2026-12-01' }, '2026-12-08')).toMatchObject({ until: 'until' });
    expect(validateRepeat({ ...base, preset: 'custom', custom: 'FREQ=DAILY' }, '2026-12-08')).toMatchObject({ custom: 'customEnd' });
    expect(validateRepeat({ ...base, preset: 'daily' }, '2026-12-08')).toEqual({});
  });
});
