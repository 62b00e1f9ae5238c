#!/usr/bin/env node
// The `webmeetings` command line (`npx webmeetings <command>`, `npm run cli -- <command>`): a thin
// dispatcher; each command lives in src/cli/<command>.ts and is loaded only when asked for.
import { CliError, COMMANDS, helpText } from './cli/commands.ts';
import { ConfigError } from './config.ts';
import { DatabaseInUseError } from './db/database.ts';
import { AppError } from './domain/errors.ts';

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new CliError(`Unknown command "${name}".\n\n${helpText()}`);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  const run = (await command.load()).run;
  return (await run(args)) ?? 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError || e instanceof CliError || e instanceof AppError || e instanceof DatabaseInUseError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
