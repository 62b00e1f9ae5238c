// `webmeetings import-bookings <file.csv|file.ics>`: existing bookings from the old channels come in
// under the portal's rules (app/booking-import.ts). A dry run by default: every line is printed with
// what would happen; --commit writes, in one transaction, only if no line is refused (or, with
// --skip-refused, the accepted lines alone). No mail is sent: the owners already know their meetings.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { BookingImport, lineRefused, type ImportLine, type LineOutcome } from '../app/booking-import.ts';
import { loadConfig } from '../config.ts';
import { buildServices, openPortalDatabase, systemClock } from '../portal.ts';
import { readCsvBookings, readIcsBookings } from './booking-files.ts';
import { CliError } from './commands.ts';

export const USAGE = 'Usage: webmeetings import-bookings <bookings.csv|bookings.ics> [--commit [--skip-refused]]';

export function readBookingFile(path: string): ImportLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  const lines = /\.(ics|ical|ifb|icalendar)$/i.test(path) || /^\s*BEGIN:VCALENDAR/i.test(text) ? readIcsBookings(text) : readCsvBookings(text);
  if (lines.length === 0) throw new CliError(`${path} has no bookings.`);
  return lines;
}

const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-LL-dd HH:mm');
const span = (start: Date, end: Date, zone: string) => `${local(start, zone)}–${DateTime.fromJSDate(end, { zone }).toFormat('HH:mm')} ${zone}`;

/** The report of one line: what it is, then what happened to it (and to each refused date). */
export function describe(o: LineOutcome, written: boolean): string[] {
  const l = o.line;
  const head = `${l.label}: "${l.title}", ${l.room}, ${l.owner}`;
  if (o.refusal) return [`${head}: refused: ${o.refusal.code}: ${o.refusal.reason}`];
  const refused = o.dates.filter((d) => d.refusal);
  const what = l.rrule ? `series of ${o.dates.length} meetings from ${span(o.dates[0]!.start, o.dates[0]!.end, o.zone)}${o.pastDates ? ` (${o.pastDates} earlier dates are over: left out)` : ''}` : span(o.dates[0]!.start, o.dates[0]!.end, o.zone);
  if (refused.length === 0) return [`${head}, ${what}: ${written ? 'booked' : 'would book'}`];
  if (!l.rrule) return [`${head}, ${what}: refused: ${refused[0]!.refusal!.code}: ${refused[0]!.refusal!.reason}`];
  return [`${head}, ${what}: refused (${refused.length} of ${o.dates.length} dates):`, ...refused.map((d) => `    ${local(d.start, o.zone)}: ${d.refusal!.code}: ${d.refusal!.reason}`)];
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { commit: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, 'skip-refused': { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new CliError(USAGE);
  if (values.commit && values['dry-run']) throw new CliError('Give --commit or --dry-run, not both.');
  if (values['skip-refused'] && !values.commit) throw new CliError('--skip-refused goes with --commit (a dry run already lists every refusal).');
  const path = positionals[0]!;
  const lines = readBookingFile(path);
  const config = loadConfig();
  const database = await openPortalDatabase(config);
  let result: { outcomes: LineOutcome[]; written: boolean };
  try {
    const { uow, policy, bookings } = buildServices(config, database, systemClock);
    result = await new BookingImport({ uow, clock: systemClock, policy, bookings }).run(lines, { source: basename(path), commit: values.commit, skipRefused: values['skip-refused'] });
  } finally {
    await database.close();
  }
  const { outcomes, written } = result;
  for (const o of outcomes) for (const text of describe(o, written && !lineRefused(o))) console.log(text);
  const refused = outcomes.filter(lineRefused).length;
  const accepted = outcomes.length - refused;
  const count = outcomes.filter((o) => !lineRefused(o)).reduce((n, o) => n + o.dates.length, 0);
  const meetings = `${count} meeting${count === 1 ? '' : 's'}`;
  if (!values.commit) {
    console.log(`Dry run: ${accepted} of ${outcomes.length} would be booked (${meetings}), ${refused} refused; nothing was written. Run again with --commit to import${refused ? ' (all must be accepted, or add --skip-refused)' : ''}.`);
  } else if (written) {
    console.log(`Imported ${accepted} of ${outcomes.length} (${meetings})${refused ? `; ${refused} refused were left out (--skip-refused)` : ''}.`);
  } else {
    console.log(`Nothing was imported: ${refused} of ${outcomes.length} refused. Correct them and run again, or add --skip-refused to import the others.`);
  }
  return refused > 0 && !written ? 1 : 0;
}
