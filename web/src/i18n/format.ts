import { currentLocale } from './index.ts';

type Instant = string | number | Date;
const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const locale = currentLocale();
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    cache.set(key, f);
  }
  return f;
}

const toDate = (v: Instant) => (v instanceof Date ? v : new Date(v));

export const DATE_LONG: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
export const DATE_SHORT: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };
export const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
export const DATE_TIME: Intl.DateTimeFormatOptions = { ...DATE_SHORT, ...TIME, year: 'numeric' };

export function formatInstant(value: Instant, zone: string, options: Intl.DateTimeFormatOptions = DATE_TIME): string {
  return formatter(zone, options).format(toDate(value));
}

/** "Mon 2 Mar, 09:00–10:30" in the room's zone, in the current language. */
export function formatSlot(start: Instant, end: Instant, zone: string, withYear = false): string {
  const dateOptions = withYear ? { ...DATE_SHORT, year: 'numeric' as const } : DATE_SHORT;
  const f = formatter(zone, { ...dateOptions, ...TIME });
  return f.formatRange(toDate(start), toDate(end));
}

/** The zone the browser runs in (the person's own, as far as the page can know). */
export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The same slot in the person's own zone, for someone abroad (a federation's member, a guest): null
 * where it reads the same as in the room's zone (the same offsets, e.g. Paris beside Rome).
 */
export function slotInOwnZone(start: Instant, end: Instant, zone: string, withYear = false): { zone: string; text: string } | null {
  const own = browserZone();
  if (!own || own === zone) return null;
  const text = formatSlot(start, end, own, withYear);
  return text === formatSlot(start, end, zone, withYear) ? null : { zone: own, text };
}

export function formatTimeRange(start: Instant, end: Instant, zone: string): string {
  return formatter(zone, TIME).formatRange(toDate(start), toDate(end));
}

/** "CET" / "CEST" style name of the zone at an instant, for labels like "times in Europe/Rome (CET)". */
export function zoneAbbreviation(zone: string, at: Instant = Date.now()): string {
  const part = formatter(zone, { timeZoneName: 'short' })
    .formatToParts(toDate(at))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(currentLocale()).format(n);
}
