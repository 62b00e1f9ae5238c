import { describe, expect, it } from 'vitest';
import { formatDayRange } from './day-range.ts';

const LONG: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' };
const noon = (day: string) => new Date(`${day}T11:00:00Z`);
// Intl puts thin spaces around the dash between two whole dates.
const range = (...a: Parameters<typeof formatDayRange>) => formatDayRange(...a).replace(/\s/g, ' ');

describe('formatDayRange', () => {
  it('writes Italian day numbers as a single date does, not padded as the CLDR range pattern has them', () => {
    expect(range('it-IT', 'Europe/Rome', noon('2026-12-01'), noon('2026-12-04'), LONG)).toBe('1–4 dicembre 2026');
    expect(range('it-IT', 'Europe/Rome', noon('2026-11-30'), noon('2026-12-04'), LONG)).toBe('30 novembre – 4 dicembre 2026');
    expect(range('it-IT', 'Europe/Rome', noon('2026-12-28'), noon('2027-01-03'), LONG)).toBe('28 dicembre 2026 – 3 gennaio 2027');
  });

  it('leaves English as Intl writes it', () => {
    const english = new Intl.DateTimeFormat('en-GB', { ...LONG, timeZone: 'Europe/Rome' }).formatRange(noon('2026-12-01'), noon('2026-12-04')).replace(/\s/g, ' ');
    expect(range('en-GB', 'Europe/Rome', noon('2026-12-01'), noon('2026-12-04'), LONG)).toBe(english);
    expect(english).toMatch(/^1\s?–\s?4 December 2026$/);
  });

  it('keeps a padded day where the options ask for two digits', () => {
    expect(range('it-IT', 'Europe/Rome', noon('2026-12-01'), noon('2026-12-04'), { ...LONG, day: '2-digit' })).toMatch(/^01\s?–\s?04 dicembre 2026$/);
  });
});
