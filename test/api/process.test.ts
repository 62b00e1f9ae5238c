// The portal as an operator runs it: `node src/main.ts` and the CLI as child processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMain } from '../support/main-process.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from './provisioning-support.ts';

const root = join(import.meta.dirname, '../..');
let dataDir: string;
let testDb: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wm-process-'));
  // The event-loop guard off: a child just started (PGlite, argon2) on a loaded CI machine can lag a
  // second, and its 503 OVERLOADED (tested in overload.test.ts) is not what these tests are about.
  env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', OVERLOAD_EVENT_LOOP_DELAY_MS: '0' };
  if (process.env.DATABASE_URL) {
    testDb = await openTestDatabase();
    await testDb.database.close();
    env.DATABASE_URL = testDb.url;
  }
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (testDb) await testDb.drop().catch(() => {});
});

const start = () => startMain(env);

const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

// Each test starts real processes (PGlite, argon2): slow on a loaded machine, hence the long timeout.
describe('the portal process', { timeout: 180_000 }, () => {
  it('creates an admin with the CLI, starts with the default rooms, and signs the admin in', async () => {
    const cli = spawnSync(process.execPath, ['src/cli.ts', 'create-admin', '--email', 'admin@example.org', '--name', 'Admin', ], {
      input: 'a-long-password\n',
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('Administrator admin@example.org created');
    const again = spawnSync(process.execPath, ['src/cli.ts', 'create-admin', '--email', 'admin@example.org', '--name', 'Admin', ], {
      input: 'a-long-password\n',
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');

    const { child, url } = await start();
    try {
      const login = await fetch(`${url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.org', password: 'a-long-password' }),
      });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const rooms = (await (await fetch(`${url}/api/v1/rooms`, { headers: { cookie } })).json()) as { items: { capacity: number }[] };
      expect(rooms.items.map((r) => r.capacity)).toEqual([200, 200, 100, 100, 50, 50, 50, 50]);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('finishes a request in flight on SIGTERM, then exits 0, its log lines all written', async () => {
    const { child, url, output } = await start();
    const { port } = new URL(url);
    // A request whose body arrives in two parts, with SIGTERM in between. The signal is sent once
    // the server has read the request's head (its 100 Continue says so): a connection whose request
    // the server has not begun is idle, and closing it on shutdown is right.
    const body = '{"email":"admin@example.org","password":"a-long-password"}';
    const socket = connect(Number(port), '127.0.0.1');
    const closed = new Promise((r) => socket.once('close', r));
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d) => (response += d.toString()));
    socket.write(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
    await waitFor('the server to read the request head', async () => response.startsWith('HTTP/1.1 100 Continue\r\n\r\n') || socket.destroyed, 60_000);
    socket.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 300));
    const exit = exited(child);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(10));
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200/);
    expect(await exit).toBe(0);
    // The log is written asynchronously (observability/logger.ts): what was logged just before the
    // exit, the request's access line and the last shutdown line, is on stdout all the same.
    if (child.stdout!.readable) await new Promise((r) => child.stdout!.once('close', r));
    const lines = output().split('\n').flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as { message?: string; http?: { request?: { method?: string }; response?: { status_code?: number } }; url?: { path?: string } }] : []));
    expect(lines.some((l) => l.http?.request?.method === 'POST' && l.url?.path === '/api/v1/session' && l.http?.response?.status_code === 200)).toBe(true);
    expect(lines.at(-1)?.message).toMatch(/shutting down/);
  });

  it('keeps a second process out of the embedded database while the portal runs', async () => {
    if (process.env.DATABASE_URL) return; // PostgreSQL serves many processes; only PGlite needs this.
    const { child } = await start();
    try {
      const cli = spawnSync(process.execPath, ['src/cli.ts', 'create-admin', '--email', 'late@example.org', '--name', 'Late', ], {
        input: 'a-long-password\n',
        cwd: root,
        env,
        encoding: 'utf8',
      });
      expect(cli.status).toBe(2);
      expect(cli.stderr).toContain(`is in use by process ${child.pid}`);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    // Once it stopped, the CLI gets in.
    const after = spawnSync(process.execPath, ['src/cli.ts', 'create-admin', '--email', 'late@example.org', '--name', 'Late', ], {
      input: 'a-long-password\n',
      cwd: root,
      env,
      encoding: 'utf8',
    });
    expect(after.status, after.stderr).toBe(0);
  });

  it('refuses to start with a wrong setting and names it', () => {
    const res = spawnSync(process.execPath, ['src/main.ts'], { cwd: root, env: { ...env, SEAT_POOL: 'lots' }, encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('SEAT_POOL="lots"');
  });
});
