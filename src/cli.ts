#!/usr/bin/env node
// The `webmeetings` command line (`npx webmeetings <command>`, `npm run cli -- <command>`): a thin
// dispatcher; each command lives in src/cli/<command>.ts and is loaded only when asked for.
import { CliError, COMMANDS, helpText, type Command } from './cli/commands.ts';
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
  try {
    return (await run(args)) ?? 0;
  } catch (e) {
    throw usageError(e, command) ?? e;
  }
}

/** node:util parseArgs' refusals (each command parses its own options) as a usage error, one line. */
function usageError(e: unknown, command: Command): CliError | null {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return null;
  const usage = `Usage: webmeetings ${command.usage}`;
  const unknown = /^Unknown option '([^']+)'/.exec((e as Error).message)?.[1];
  if (unknown) {
    const near = closestOption(unknown, command.usage);
    return new CliError(`${command.name} has no option ${unknown}${near ? ` (did you mean ${near}?)` : ''}. ${usage}`);
  }
  // Node's own first sentence says what is wrong: "Option '--to <value>' argument missing", "Unexpected argument 'x'".
  const first = (e as Error).message.split('. ')[0]!.replace(/\.$/, '');
  return new CliError(`${command.name}: ${first}. ${usage}`);
}

/** The option of the usage line a typo most likely meant: one it begins, or at most two edits away. */
function closestOption(typed: string, usage: string): string | null {
  const options = usage.match(/--[a-z][a-z-]*/g) ?? [];
  let best: string | null = null;
  let bestDistance = 3;
  for (const o of options) {
    const d = o.startsWith(typed) ? 1 : editDistance(typed, o);
    if (d < bestDistance) [best, bestDistance] = [o, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
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
