// The "Repeat" section of the booking form as an RFC 5545 RRULE (without DTSTART: the API takes
// the first meeting's start for that). Pure, so the rule each choice gives is unit-tested.

export type RepeatPreset = 'daily' | 'weekly' | 'monthlyDate' | 'monthlyNth' | 'custom';
export type RepeatEnd = 'count' | 'until';

export interface RepeatValues {
  enabled: boolean;
  preset: RepeatPreset;
  interval: string;
  /** RFC 5545 two-letter days, for "weekly". */
  byDays: string[];
  end: RepeatEnd;
  count: string;
  /** YYYY-MM-DD, the last date a meeting may fall on. */
  until: string;
  custom: string;
}

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export const initialRepeat = (): RepeatValues => ({
  enabled: false,
  preset: 'weekly',
  interval: '1',
  byDays: [],
  end: 'count',
  count: '10',
  until: '',
  custom: '',
});

/** The weekday (MO…SU) of a calendar date. */
export function weekdayOf(date: string): (typeof WEEKDAYS)[number] {
  const day = new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  return WEEKDAYS[(day + 6) % 7]!;
}

/** Which weekday of its month a date is: 1…4, or -1 for a 5th (then "the last" of every month). */
export function nthOfMonth(date: string): number {
  const nth = Math.ceil(Number(date.slice(8, 10)) / 7);
  return nth === 5 ? -1 : nth;
}

export type RepeatErrorKey = 'interval' | 'byDays' | 'count' | 'until' | 'custom';
export type RepeatErrors = Partial<Record<RepeatErrorKey, string>>;

/** Checks the choices; the keys name the i18n messages in `repeat.errors`. */
export function validateRepeat(r: RepeatValues, firstDate: string): Partial<Record<RepeatErrorKey, string>> {
  const errors: Partial<Record<RepeatErrorKey, string>> = {};
  if (!r.enabled) return errors;
  if (r.preset === 'custom') {
    const text = r.custom.trim().replace(/^RRULE:/i, '');
    if (!/^FREQ=/i.test(text)) errors.custom = 'customFreq';
    else if (!/(^|;)(COUNT|UNTIL)=/i.test(text)) errors.custom = 'customEnd';
    return errors;
  }
  const interval = Number(r.interval);
  if (!Number.isInteger(interval) || interval < 1 || interval > 99) errors.interval = 'interval';
  if (r.preset === 'weekly' && r.byDays.length === 0) errors.byDays = 'byDays';
  if (r.end === 'count') {
    const count = Number(r.count);
    if (!r.count.trim() || !Number.isInteger(count) || count < 1 || count > 200) errors.count = 'count';
  } else if (!/^\d{4}-\d{2}-\d{2}$/.test(r.until) || r.until < firstDate) errors.until = 'until';
  return errors;
}

/** The RRULE the choices give, for a first meeting on `firstDate` (YYYY-MM-DD). */
export function buildRrule(r: RepeatValues, firstDate: string): string {
  if (r.preset === 'custom') return r.custom.trim().replace(/^RRULE:/i, '').toUpperCase();
  const parts: string[] = [];
  const interval = Number(r.interval) > 1 ? [`INTERVAL=${Number(r.interval)}`] : [];
  switch (r.preset) {
    case 'daily':
      parts.push('FREQ=DAILY', ...interval);
      break;
    case 'weekly': {
      const days = WEEKDAYS.filter((d) => r.byDays.includes(d));
      parts.push('FREQ=WEEKLY', ...interval, `BYDAY=${(days.length ? days : [weekdayOf(firstDate)]).join(',')}`);
      break;
    }
    case 'monthlyDate':
      parts.push('FREQ=MONTHLY', ...interval, `BYMONTHDAY=${Number(firstDate.slice(8, 10))}`);
      break;
    case 'monthlyNth':
      parts.push('FREQ=MONTHLY', ...interval, `BYDAY=${nthOfMonth(firstDate)}${weekdayOf(firstDate)}`);
      break;
  }
  // A date-only UNTIL: the API reads it as the last day (inclusive) in the room's zone.
  parts.push(r.end === 'count' ? `COUNT=${Number(r.count)}` : `UNTIL=${r.until.replaceAll('-', '')}`);
  return parts.join(';');
}
