// CSV for spreadsheets (RFC 4180: comma, CRLF-free lines here, quotes doubled). A text cell that a
// spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe: names and titles
// come from people, and an export must not become a way to run a formula on an administrator's
// machine.
export type CsvValue = string | number | boolean | null | undefined;

export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A header line of `columns` and one line per row, each ending in a newline. */
export function toCsv<R>(columns: readonly (readonly [string, (row: R) => CsvValue])[], rows: readonly R[]): string {
  const header = columns.map(([name]) => csvCell(name)).join(',');
  return [header, ...rows.map((r) => columns.map(([, get]) => csvCell(get(r))).join(','))].map((l) => `${l}\n`).join('');
}
