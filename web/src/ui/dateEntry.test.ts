import { describe, expect, it } from 'vitest';
import { parseDate, showDate } from './dateEntry.ts';

describe('typing a date', () => {
  it('reads day, month and year in that order, whatever the browser', () => {
    expect(parseDate('8/12/2026')).toBe('2026-12-08');
    expect(parseDate('08/12/2026')).toBe('2026-12-08');
    expect(parseDate('08.12.2026')).toBe('2026-12-08');
    expect(parseDate('8-12-26')).toBe('2026-12-08');
    expect(parseDate('08122026')).toBe('2026-12-08');
    expect(parseDate(' 1/2/2027 ')).toBe('2027-02-01');
  });
  it('takes ISO dates as they are', () => {
    expect(parseDate('2026-12-08')).toBe('2026-12-08');
  });
  it('refuses what is not a day of the calendar', () => {
    expect(parseDate('31/11/2026')).toBeNull();
    expect(parseDate('29/02/2026')).toBeNull();
    expect(parseDate('29/02/2028')).toBe('2028-02-29');
    expect(parseDate('12/31/2026')).toBeNull();
    expect(parseDate('domani')).toBeNull();
    expect(parseDate('')).toBeNull();
  });
  it('shows a date day first', () => {
    expect(showDate('2026-12-08')).toBe('08/12/2026');
    expect(showDate('8/12')).toBe('8/12');
  });
});
