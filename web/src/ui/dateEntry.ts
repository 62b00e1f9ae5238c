// A date typed by hand, read the same in every browser: the native <input type="date"> takes its
// order of day, month and year from the browser's own locale, not the page's (an Italian page in
// an American browser asked for mm/dd/yyyy). Both languages of the portal write dates day first
// (it-IT and en-GB: dd/mm/yyyy), so the entry does too; ISO dates (2026-12-08) are taken as well.

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function iso(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * "YYYY-MM-DD" for what a person may type — "8/12/2026", "08.12.2026", "8-12-26", "08122026",
 * "2026-12-08" — or null when it is not a date of the calendar.
 */
export function parseDate(text: string): string | null {
  const s = text.trim();
  const isoForm = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (isoForm) return iso(Number(isoForm[1]), Number(isoForm[2]), Number(isoForm[3]));
  const dayFirst = /^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})$/.exec(s) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(s);
  if (!dayFirst) return null;
  const y = Number(dayFirst[3]);
  return iso(dayFirst[3]!.length === 2 ? 2000 + y : y, Number(dayFirst[2]), Number(dayFirst[1]));
}

/** "08/12/2026" for "2026-12-08"; anything else as it is (a date still being typed). */
export function showDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}
