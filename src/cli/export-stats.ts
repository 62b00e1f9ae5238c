// `webmeetings export-stats`: booked meetings, hours and seat-hours per month, room and
// institution, as CSV (for a spreadsheet) or JSON, on standard output or into a file.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { monthlyUsage, type UsageRow } from '../db/stats-repository.ts';
import { CliError } from './commands.ts';
import { toCsv as csv } from '../domain/csv.ts';

export function toCsv(rows: UsageRow[]): string {
  return csv(
    [
      ['month', (r) => r.month],
      ['room', (r) => r.room],
      ['institution', (r) => r.institution],
      ['meetings', (r) => r.meetings],
      ['hours', (r) => r.hours],
      ['seat_hours', (r) => r.seatHours],
    ],
    rows,
  );
}

export async function run(args: string[], now = new Date()): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string', default: 'csv' }, out: { type: 'string' } } });
  const config = loadConfig();
  const zone = config.booking.defaultTimeZone;
  const month = (v: string, name: string) => {
    const d = DateTime.fromFormat(v, 'yyyy-MM', { zone });
    if (!d.isValid) throw new CliError(`--${name} ${v}: expected a month such as 2026-01`);
    return d;
  };
  const thisMonth = DateTime.fromJSDate(now, { zone }).startOf('month');
  const to = values.to ? month(values.to, 'to') : thisMonth;
  const from = values.from ? month(values.from, 'from') : to.minus({ months: 11 });
  if (from > to) throw new CliError('--from is after --to.');
  if (to.diff(from, 'months').months > 120) throw new CliError('At most ten years at a time.');
  if (values.format !== 'csv' && values.format !== 'json') throw new CliError('--format is csv or json.');
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const rows = await monthlyUsage(database.db, { from: from.toJSDate(), to: to.plus({ months: 1 }).toJSDate(), timeZone: zone });
    const text = values.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : toCsv(rows);
    if (values.out) {
      writeFileSync(values.out, text);
      console.error(`${rows.length} rows written to ${values.out} (${from.toFormat('yyyy-MM')} to ${to.toFormat('yyyy-MM')}, ${zone}).`);
    } else process.stdout.write(text);
  } finally {
    await database.close();
  }
}
