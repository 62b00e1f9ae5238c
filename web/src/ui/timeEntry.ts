// Time of day typed by hand, read the same in every browser: the native <input type="time"> takes
// its 12- or 24-hour boxes from the browser's own UI language, not the page's, and keeps the AM/PM
// box of a pre-filled value (typing "0930" over an evening time gave 21:30). Both languages of the
// portal write the time of day on 24 hours (it-IT and en-GB), so the entry does too.

/**
 * "HH:mm" for what a person may type — "9", "930", "0930", "9:30", "9.30", "09h30", "21:05" — or
 * null when it is not a time of day.
 */
export function parseTimeOfDay(text: string): string | null {
  const s = text.trim().toLowerCase();
  let h: number;
  let m: number;
  const sep = /^(\d{1,2})\s*[:.h]\s*(\d{2})$/.exec(s);
  if (sep) {
    h = Number(sep[1]);
    m = Number(sep[2]);
  } else if (/^\d{1,4}$/.test(s)) {
    // Digits only: one or two are the hour, three or four are hour and minutes ("930", "0930").
    h = Number(s.length <= 2 ? s : s.slice(0, s.length - 2));
    m = s.length <= 2 ? 0 : Number(s.slice(-2));
  } else {
    return null;
  }
  if (h > 23 || m > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * What is wrong with a time field's value (the entry gives up "HH:mm" when the text reads as a time,
 * else the text as typed), as a message key; null when it is a time of day. "25:00" or "24:00" has
 * the shape of one but no instant, so it must be refused here, before it reaches the time zone.
 */
export function timeOfDayError(value: string): 'form.errors.timeRequired' | 'form.errors.timeOutOfRange' | null {
  if (!value.trim()) return 'form.errors.timeRequired';
  return parseTimeOfDay(value) === value ? null : 'form.errors.timeOutOfRange';
}
