// Operator commands: `npm run cli -- <command>`.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { ConfigError, loadConfig } from './config.ts';
import { openPortalDatabase, buildServices, systemClock } from './portal.ts';
import { migrate } from './db/migrate.ts';
import { DatabaseInUseError, openDatabase } from './db/database.ts';
import { AppError } from './domain/errors.ts';

const HELP = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                       apply pending database migrations
  create-admin --email E --name N [--password P]
                                create an administrator (asks for the password when not given;
                                a password piped on standard input is read too)
`;

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    console.log(HELP);
    return;
  }
  const config = loadConfig();
  if (command === 'migrate') {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    const applied = await migrate(database.db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    await database.close();
    return;
  }
  if (command === 'create-admin') {
    const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
    if (!values.email || !values.name) throw new UsageError('create-admin needs --email and --name.');
    let password = values.password;
    if (!password) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      password = await rl.question('Password (at least 12 characters): ');
      rl.close();
    }
    if (password.length < 12) throw new UsageError('The password needs at least 12 characters.');
    const database = await openPortalDatabase(config);
    try {
      const user = await buildServices(config, database, systemClock).accounts.createAdmin({ email: values.email, name: values.name, password });
      console.log(`Administrator ${user.email} created. Sign in at ${config.publicUrl}`);
    } finally {
      await database.close();
    }
    return;
  }
  throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
}

class UsageError extends Error {}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof UsageError || e instanceof AppError || e instanceof DatabaseInUseError) {
    console.error(e.message);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
