import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../api/types.ts';
import { validateBooking, type BookingFormValues } from './bookingForm.ts';

const t = ((key: string) => key) as unknown as TFunction;
const settings: Settings = {
  seatPool: 100,
  turnaroundMinutes: 0,
  minDurationMinutes: 15,
  maxDurationMinutes: 480,
  maxDaysAhead: 365,
  granularityMinutes: 15,
  defaultTimeZone: 'Europe/Rome',
};
const now = new Date('2026-12-06T08:00:00Z');
const values = (startTime: string, endTime: string): BookingFormValues => ({
  roomId: '',
  date: '2026-12-09',
  startTime,
  endTime,
  seats: '10',
  title: 'Seminar',
  description: '',
});
const check = (startTime: string, endTime: string) => validateBooking(values(startTime, endTime), undefined, 'Europe/Rome', settings, t, now);

describe('checking the booking form', () => {
  it('takes a booking of whole quarters in the future', () => {
    expect(check('09:00', '10:00')).toEqual({});
  });

  it('says the range next to a start or end that is no time of day, without throwing', () => {
    expect(check('25:00', '26:00')).toEqual({ startTime: 'form.errors.timeOutOfRange', endTime: 'form.errors.timeOutOfRange' });
    expect(check('09:60', '10:00')).toEqual({ startTime: 'form.errors.timeOutOfRange' });
    // Midnight at the end is the next day's 00:00, which one day's form cannot say: not a duration rule.
    expect(check('23:00', '24:00')).toEqual({ endTime: 'form.errors.timeOutOfRange' });
  });

  it('asks for a time left empty', () => {
    expect(check('', '10:00')).toEqual({ startTime: 'form.errors.timeRequired' });
  });
});
