// `webmeetings demo` (also `npm run demo`): fills an empty database with a realistic year of an
// 8-room, 500-seat service and its coming weeks, so the statistics page and the calendar can be seen
// at once. Refuses a database that holds bookings: invented meetings never mix with real ones.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { DEMO_DAYS_AHEAD, DemoRefused, fillDemo } from '../db/demo-data.ts';
import { openPortalDatabase } from '../portal.ts';
import { CliError } from './commands.ts';

export async function run(args: string[], now = new Date()): Promise<void> {
  const { values } = parseArgs({ args, options: { seed: { type: 'string', default: '15' } } });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new CliError('--seed is a whole number (the same seed gives the same year).');
  const config = loadConfig();
  const database = await openPortalDatabase(config);
  try {
    const made = await fillDemo(database.db, { now, timeZone: config.booking.defaultTimeZone, seed }).catch((e: unknown) => {
      throw e instanceof DemoRefused ? new CliError(e.message) : e;
    });
    const where = config.databaseUrl ? 'the PostgreSQL database' : `the embedded database in ${config.dataDir}`;
    console.log(
      `Demo year written to ${where}: ${made.meetings} meetings (${made.series} weekly series, ${made.cancelled} cancelled; ` +
        `${made.upcoming} of them in the coming ${DEMO_DAYS_AHEAD} days), ${made.institutions} institutions, ${made.people} people, ${made.samples} minute samples.\n` +
        'Sign in as an administrator (npm run cli -- create-admin --email you@example.org --name "Your Name"), start the portal (npm start) and open the Calendar or Statistics.',
    );
  } finally {
    await database.close();
  }
}
