import { describe, expect, it } from 'vitest';
import { parseTimeOfDay, timeOfDayError } from './timeEntry.ts';

describe('typing a time of day', () => {
  it('reads digits alone as hours, or hours and minutes', () => {
    expect(parseTimeOfDay('0930')).toBe('09:30');
    expect(parseTimeOfDay('930')).toBe('09:30');
    expect(parseTimeOfDay('9')).toBe('09:00');
    expect(parseTimeOfDay('21')).toBe('21:00');
    expect(parseTimeOfDay('2105')).toBe('21:05');
  });
  it('takes a colon, a dot or an h between hours and minutes', () => {
    expect(parseTimeOfDay('9:30')).toBe('09:30');
    expect(parseTimeOfDay('09.30')).toBe('09:30');
    expect(parseTimeOfDay('9h30')).toBe('09:30');
    expect(parseTimeOfDay(' 17:45 ')).toBe('17:45');
  });
  it('is 24-hour whatever the time of day: no AM/PM carried over', () => {
    expect(parseTimeOfDay('0930')).toBe('09:30');
    expect(parseTimeOfDay('00:00')).toBe('00:00');
    expect(parseTimeOfDay('23:59')).toBe('23:59');
  });
  it('refuses what is not a time', () => {
    for (const bad of ['', '24:00', '12:60', '093', '9:3', 'ab', '9:30 pm', '12345']) expect(parseTimeOfDay(bad), bad).toBeNull();
  });
});

describe('checking a time field', () => {
  it('accepts a time of day from 00:00 to 23:59', () => {
    for (const good of ['00:00', '09:30', '23:59']) expect(timeOfDayError(good), good).toBeNull();
  });
  it('asks for a time when there is none', () => {
    expect(timeOfDayError('')).toBe('form.errors.timeRequired');
    expect(timeOfDayError('  ')).toBe('form.errors.timeRequired');
  });
  it('refuses an hour or minute out of range, and what is not a time, with the range', () => {
    for (const bad of ['25:00', '24:00', '09:60', '99:99', 'ab', '9:3']) expect(timeOfDayError(bad), bad).toBe('form.errors.timeOutOfRange');
  });
});
