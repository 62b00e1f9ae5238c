// The server is killed (SIGKILL) in the middle of provisioning and started again: every booking
// still ends with exactly one meeting. Runs the real `node src/main.ts` (real clock) against the
// BigBlueButton double, which answers slowly so that the kill lands while calls are in flight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMain } from '../support/main-process.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { waitFor } from './provisioning-support.ts';
import { answerOf, resendWhileUnavailable } from '../support/resend.ts';

const root = join(import.meta.dirname, '../..');
const BOOKINGS = 20;
let dataDir: string;
let testDb: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;
let bbb: BigBlueButtonDouble;

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  dataDir = mkdtempSync(join(tmpdir(), 'wm-crash-'));
  env = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    BBB_URL: bbb.apiUrl,
    BBB_SECRET: bbb.secret,
    PROVISIONING_TICK_SECONDS: '0.5',
    PROVISIONING_LEASE_SECONDS: '2',
    SEAT_POOL: '1000',
  };
  if (process.env.DATABASE_URL) {
    testDb = await openTestDatabase();
    await testDb.database.close();
    env.DATABASE_URL = testDb.url;
  }
  const cli = spawnSync(process.execPath, ['src/cli.ts', 'create-admin', '--email', 'admin@example.org', '--name', 'Admin'], { input: 'a-long-password\n', cwd: root, env, encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
});
afterAll(async () => {
  await bbb.http.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (testDb) await testDb.drop().catch(() => {});
});

const start = () => startMain(env);
const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on('exit', () => r())));

describe('a server killed in the middle of provisioning', () => {
  it('converges after a restart, with no duplicate meetings', async () => {
    let { child, url } = await start();
    const login = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.org', password: 'a-long-password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const tokenRes = await fetch(`${url}/api/v1/me/tokens`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'crash test' }) });
    const { token } = (await tokenRes.json()) as { token: string };
    const api = (base: string, method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    // Each in a room of its own, so a booking sent again after a 503 cannot be taken twice unseen.
    const create = async (path: string, body: unknown) => {
      const answer = await resendWhileUnavailable(async () => answerOf<{ id: string }>(await api(url, 'POST', path, body)));
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id;
    };

    // Start in 10 minutes, inside the lead time: every booking is prepared at once.
    const start10 = new Date(Math.ceil((Date.now() + 10 * 60_000) / 300_000) * 300_000);
    const end = new Date(start10.getTime() + 30 * 60_000);
    bbb.http.delayMs = 400;
    const ids: string[] = [];
    for (let i = 0; i < BOOKINGS; i++) {
      const roomId = await create('/api/v1/rooms', { name: `Crash room ${i}`, capacity: 2 });
      ids.push(await create('/api/v1/bookings', { title: `Crash ${i}`, roomId, start: start10.toISOString(), end: end.toISOString(), seats: 2 }));
    }
    await waitFor('calls in flight', async () => bbb.http.requests >= 3, 20_000);
    child.kill('SIGKILL');
    await exited(child);
    const createdAtKill = ids.filter((id) => bbb.createCount(id) > 0).length;
    expect(createdAtKill).toBeLessThan(BOOKINGS);

    ({ child, url } = await start());
    try {
      await waitFor(
        'every room ready',
        async () => {
          for (const id of ids) {
            const r = (await (await api(url, 'GET', `/api/v1/bookings/${id}/room`)).json()) as { state: string };
            if (r.state !== 'ready') return false;
          }
          return true;
        },
        60_000,
      );
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    for (const id of ids) {
      expect(bbb.meetingCount(id)).toBe(1);
      expect(bbb.createCount(id)).toBe(1);
    }
    expect([...bbb.meetings.keys()].filter((k) => k.startsWith('wm-'))).toHaveLength(BOOKINGS);
  }, 120_000);
});
