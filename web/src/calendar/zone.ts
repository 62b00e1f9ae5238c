// Wall-clock times in an IANA zone <-> instants, with nothing but Intl.
// The calendar component only knows fixed offsets, so it is fed floating wall-clock
// strings ("2026-03-02T09:00:00") in the display zone and we convert at the edges.

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function wallClockByIntl(ms: number, zone: string): string {
  const p: Record<string, string> = {};
  for (const part of partsFormatter(zone).formatToParts(new Date(ms))) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

// Intl is slow (a week of 300 bookings needs 1200 conversions), and a zone's offset changes at
// most once a day, on a quarter hour. So: one lookup at each end of the UTC day; when they agree
// the whole day has that offset, otherwise the quarter hour is looked up on its own.
const QUARTER = 15 * 60_000;
const DAY = 24 * 60 * 60_000;
const offsetCache = new Map<string, number>();

function offsetAt(at: number, zone: string): number {
  const key = `${zone}|${at}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = Math.round((Date.parse(`${wallClockByIntl(at, zone)}Z`) - at) / 60_000);
    if (offsetCache.size > 20_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** Minutes to add to UTC to get the wall clock of `zone` at `instant`. */
export function offsetMinutes(instant: Date | number, zone: string): number {
  const ms = instant instanceof Date ? instant.getTime() : instant;
  const dayStart = Math.floor(ms / DAY) * DAY;
  const first = offsetAt(dayStart, zone);
  if (first === offsetAt(dayStart + DAY - QUARTER, zone)) return first;
  return offsetAt(Math.floor(ms / QUARTER) * QUARTER, zone);
}

/** "YYYY-MM-DDTHH:mm:ss" of an instant as read on a clock in `zone`. */
export function wallClock(instant: Date | string | number, zone: string): string {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  return new Date(ms + offsetMinutes(ms, zone) * 60_000).toISOString().slice(0, 19);
}

/** The instant at which a clock in `zone` shows `wall` ("YYYY-MM-DDTHH:mm[:ss]"). */
export function zonedToInstant(wall: string, zone: string): Date {
  const asUtc = Date.parse(`${wall.length === 16 ? `${wall}:00` : wall}Z`);
  let guess = asUtc - offsetMinutes(asUtc, zone) * 60_000;
  // A second pass settles instants near a DST change.
  guess = asUtc - offsetMinutes(guess, zone) * 60_000;
  return new Date(guess);
}

/** "+01:00" style offset of `zone` at `instant` (what the calendar's timeZone option takes). */
export function offsetString(instant: Date | number, zone: string): string {
  const minutes = offsetMinutes(instant, zone);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Wall-clock string of a Date whose local fields carry the wall clock (how the calendar hands dates back). */
export function localFields(date: Date): string {
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** Adds whole days to a "YYYY-MM-DD" date. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
