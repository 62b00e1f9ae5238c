// `webmeetings create-admin`: the first administrator (and later ones) with a local password.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { buildServices, openPortalDatabase, systemClock } from '../portal.ts';
import { CliError } from './commands.ts';
import { readPassword } from './password-input.ts';

export async function run(args: string[]): Promise<void> {
  if (args.some((a) => a === '--password' || a.startsWith('--password='))) {
    throw new CliError('--password is not accepted: a password on the command line stays in the shell history and the process list. Use the prompt, standard input or --password-file FILE.');
  }
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' }, 'password-file': { type: 'string' } } });
  if (!values.email || !values.name) throw new CliError('create-admin needs --email and --name, e.g. create-admin --email you@example.org --name "Your Name"');
  // The API's rule for an account's address (src/http/schemas.ts), checked before the password is asked.
  if (!z.email().max(320).safeParse(values.email).success) throw new CliError(`--email "${values.email}" is not an e-mail address: give one such as you@example.org.`);
  const config = loadConfig();
  const password = await readPassword({ passwordFile: values['password-file'] });
  const database = await openPortalDatabase(config);
  try {
    const user = await buildServices(config, database, systemClock).accounts.createAdmin({ email: values.email, name: values.name, password });
    console.log(`Administrator ${user.email} created. Sign in at ${config.publicUrl.replace(/\/?$/, '/')}`);
  } finally {
    await database.close();
  }
}
