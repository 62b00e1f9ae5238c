// `webmeetings migrate-to-postgres --to postgres://…`: moves an installation from the embedded
// database to PostgreSQL in one command. Everything (bookings, series, PINs, provisioning state,
// queued jobs, sequences) is copied in one transaction into an empty database; the embedded one is
// left as it was. The portal must be stopped (the embedded database is one process's).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openSnapshot } from '../db/snapshot.ts';
import { CliError } from './commands.ts';
import { describeCopy, writeCopy } from './database-copy.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' } } });
  const config = loadConfig();
  const to = values.to ?? config.databaseUrl;
  if (!to || !/^postgres(ql)?:\/\//.test(to)) throw new CliError('Usage: webmeetings migrate-to-postgres --to postgres://user:password@host:5432/database');
  const source = await openDatabase({ dataDir: config.dataDir });
  try {
    await migrate(source.db);
    const target = await openDatabase({ databaseUrl: to, poolSize: 2 });
    try {
      const { meta, events } = await openSnapshot(source.db);
      const result = await writeCopy(target, meta, events);
      console.log(`Copied from ${config.dataDir} to PostgreSQL: ${describeCopy(result, meta)}.`);
      console.log('Set DATABASE_URL to that address and start the portal; the embedded database was left as it was.');
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
