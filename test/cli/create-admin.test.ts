// The first minutes of an installation: `npm start` says in one plain line where the portal is and
// how to create the first administrator; create-admin never echoes the password, reads it from a
// pipe or a file, refuses to go on without one, and says where to sign in.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';
import { startMain } from '../support/main-process.ts';
import { runCli, tempDir } from './support.ts';

const PASSWORD = 'Correct-horse-battery-7';
let env: Record<string, string>;
let dir: string;
let pg: TestDatabase | null = null;

beforeAll(async () => {
  dir = tempDir('admin');
  if (onPostgres) pg = await openTestDatabase({ migrate: false });
  env = pg ? { DATABASE_URL: pg.url! } : { DATA_DIR: join(dir, 'data') };
});
afterAll(async () => {
  await pg?.drop();
});

async function admins(): Promise<string[]> {
  const database = pg?.database ?? (await openDatabase({ dataDir: env.DATA_DIR! }));
  try {
    const rows = await database.db.selectFrom('users').select('email').where('role', '=', 'admin').orderBy('email').execute();
    return rows.map((r) => r.email);
  } finally {
    if (!pg) await database.close();
  }
}

describe('a new installation', () => {
  it('npm start prints the address and the create-admin hint as one plain line beside the JSON log', async () => {
    const main = await startMain({ PATH: process.env.PATH, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      const line = main.output().split('\n').find((l) => l.startsWith('WebMeetings is running at '));
      expect(line).toMatch(/^WebMeetings is running at http:\/\/localhost:\d+ \((embedded PGlite database in .*|PostgreSQL)\)\. PUBLIC_URL is not set: links in mails, calendar feeds and guest links use http:\/\/localhost:\d+; set PUBLIC_URL to the address people use\. No administrator exists yet: .*create one with: npm run cli -- create-admin --email you@example.org --name "Your Name"$/);
      expect(Number(/localhost:(\d+)/.exec(line!)![1])).toBe(Number(new URL(main.url).port));
      await expect.poll(() => main.output(), { timeout: 5000 }).toMatch(/^\{.*"message":"WebMeetings is running at /m); // the JSON log still has it
    } finally {
      main.child.kill('SIGTERM');
      await new Promise((r) => main.child.once('exit', r));
    }
  }, 120_000);

  it('create-admin reads a piped password, never prints it, and gives the sign-in address from PORT', async () => {
    const r = await runCli(['create-admin', '--email', 'ada@example.org', '--name', 'Ada Admin'], { env: { ...env, PORT: '4321' }, input: `${PASSWORD}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Administrator ada@example.org created. Sign in at http://localhost:4321/\n');
  });

  it('takes --password-file and gives the sign-in address from PUBLIC_URL', async () => {
    const file = join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`);
    const r = await runCli(['create-admin', '--email', 'bob@example.org', '--name', 'Bob Admin', '--password-file', file], { env: { ...env, PUBLIC_URL: 'https://meet.example.org' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Sign in at https://meet.example.org/');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('fails with a message and exit code 2 without a password, or with one on the command line', async () => {
    const none = await runCli(['create-admin', '--email', 'carl@example.org', '--name', 'Carl'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^No password given: type it at the prompt, pipe it on standard input .*--password-file FILE\.\n$/);
    const inline = await runCli(['create-admin', '--email', 'carl@example.org', '--name', 'Carl', '--password', PASSWORD], { env });
    expect(inline.code).toBe(2);
    expect(inline.stderr).toMatch(/--password is not accepted/);
    expect(await admins()).toEqual(['ada@example.org', 'bob@example.org']);
  });
});
