/**
 * "1–4 dicembre 2026", "28 dicembre 2026 – 4 gennaio 2027": a range of days as `Intl` writes it,
 * with the day numbers as the language writes a single date. CLDR's Italian range patterns pad the
 * day ("01–04 dicembre 2026") where the date alone reads "4 dicembre"; English ranges are unpadded
 * already and pass unchanged.
 */
export function formatDayRange(locale: string, zone: string, first: Date, last: Date, options: Intl.DateTimeFormatOptions): string {
  const f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
  if (options.day !== 'numeric') return f.formatRange(first, last);
  return f
    .formatRangeToParts(first, last)
    .map((p) => (p.type === 'day' ? String(Number(p.value)) : p.value))
    .join('');
}
