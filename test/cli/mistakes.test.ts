// What a person gets back from a mistyped command: one line saying what to change and exit code 2,
// never a stack; and words that say what happened rather than a guess.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from './support.ts';

let dir: string;
beforeAll(() => {
  dir = tempDir('mistakes');
});

function usageError(r: CliRun, message: string | RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/TypeError|ERR_PARSE_ARGS|\n\s+at /);
  expect(r.stderr.trimEnd()).toMatch(message);
}

describe('a mistyped option', () => {
  it('names the option, the one meant and the usage, for create-admin', async () => {
    const r = await runCli(['create-admin', '--emial', 'ada@example.org', '--name', 'Ada'], { env: { DATA_DIR: join(dir, 'admin') } });
    usageError(r, 'create-admin has no option --emial (did you mean --email?). Usage: webmeetings create-admin --email E --name N [--password-file F]');
  });

  it('does the same for every command, e.g. demo', async () => {
    usageError(await runCli(['demo', '--sed', '3'], { env: { DATA_DIR: join(dir, 'demo') } }), 'demo has no option --sed (did you mean --seed?). Usage: webmeetings demo [--seed N]');
  });

  it('says which option lacks its value', async () => {
    usageError(await runCli(['archive-audit', '--out'], { env: { DATA_DIR: join(dir, 'audit') } }), /^archive-audit: Option '--out <value>' argument missing\. Usage: webmeetings archive-audit /);
  });
});

describe('create-admin', () => {
  it('refuses an address that is not an e-mail address, as the API does, before asking for a password', async () => {
    const r = await runCli(['create-admin', '--email', 'notanemail', '--name', 'Ada'], { env: { DATA_DIR: join(dir, 'admin') }, input: 'Correct-horse-battery-7\n' });
    usageError(r, '--email "notanemail" is not an e-mail address: give one such as you@example.org.');
  });
});

describe('archive-audit', () => {
  it('says that the --out file exists rather than overwriting it or failing with EEXIST', async () => {
    const out = join(dir, 'audit.jsonl');
    writeFileSync(out, 'kept\n');
    const r = await runCli(['archive-audit', '--out', out, '--days', '30'], { env: { DATA_DIR: join(dir, 'audit') } });
    usageError(r, `${out} already exists, and archive-audit never overwrites an archive: give --out a new file name.`);
  });
});

describe('restore', () => {
  it('says that the source had no job queue yet, not that its pg-boss version differs', async () => {
    const source = { DATA_DIR: join(dir, 'never-started') };
    expect((await runCli(['migrate'], { env: source })).code).toBe(0); // migrated, the portal never started: no pg-boss schema
    const file = join(dir, 'never-started.wmbackup');
    const backup = await runCli(['backup', file], { env: source });
    expect(backup.stderr).toBe('');
    const r = await runCli(['restore', file], { env: { DATA_DIR: join(dir, 'restored') } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(the source had no job queue yet: the portal makes one when it starts)');
    expect(r.stdout).not.toContain('another pg-boss version');
  }, 120_000);
});
