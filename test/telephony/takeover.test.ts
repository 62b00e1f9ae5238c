// Two portal processes (`node src/main.ts`) on one PostgreSQL: exactly one holds the ARI events
// socket; when it is killed (SIGKILL, no clean-up) the other takes over within seconds and adopts the
// calls in progress. PostgreSQL only: the embedded database serves one process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { root, startMain } from '../support/main-process.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { AriDouble } from '../doubles/ari/index.ts';
import { NUMBER } from './support.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);
let testDb: TestDatabase | undefined;
let ari: AriDouble;
let env: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!onPostgres) return;
  ari = await AriDouble.start({ playbackMs: 10 });
  testDb = await openTestDatabase();
  await testDb.database.close();
  env = {
    ...process.env,
    DATABASE_URL: testDb.url,
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    ARI_URL: ari.url,
    ARI_USERNAME: ari.username,
    ARI_PASSWORD: ari.password,
    DIAL_IN_NUMBERS: NUMBER,
    AUDIO_HOLDER_RETRY_SECONDS: '0.5',
    PROVISIONING_TICK_SECONDS: '0',
  };
  const cli = spawnSync(process.execPath, ['src/cli.ts', 'create-admin', '--email', 'admin@example.org', '--name', 'Admin'], { input: 'a-long-password\n', cwd: root, env, encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await ari?.close();
  await testDb?.drop().catch(() => {});
});



const start = async () => {
  const instance = await startMain(env);
  children.push(instance.child);
  return instance;
};
const HOLDS = 'this instance holds the ARI connection';

describe('the instance holding the ARI connection is killed', () => {
  it.skipIf(!onPostgres)('a second instance takes over within seconds and adopts the calls: nobody is dropped', async () => {
    const [one, two] = await Promise.all([start(), start()]);
    await ari.waitFor(() => ari.socketCount() === 1, 'one instance connected', 10_000);
    // Exactly one holds, the other waits for the lock.
    await new Promise((r) => setTimeout(r, 1500));
    expect(ari.socketCount()).toBe(1);
    const holders = [one, two].filter((i) => i.output().includes(HOLDS));
    expect(holders).toHaveLength(1);
    const [holder, standby] = holders[0] === one ? [one, two] : [two, one];

    // A booking in progress, made through the standby (any instance serves the API).
    const login = await fetch(`${standby.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.org', password: 'a-long-password' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const rooms = ((await (await fetch(`${standby.url}/api/v1/rooms`, { headers })).json()) as { items: { id: string }[] }).items;
    const startAt = new Date(Math.ceil((Date.now() + 5 * 60_000) / 300_000) * 300_000);
    const res = await fetch(`${standby.url}/api/v1/bookings`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Takeover', roomId: rooms[0]!.id, start: startAt.toISOString(), end: new Date(startAt.getTime() + 3_600_000).toISOString(), seats: 10 }),
    });
    expect(res.status).toBe(201);
    const booking = (await res.json()) as { id: string };
    const audio = (await (await fetch(`${standby.url}/api/v1/bookings/${booking.id}/audio`, { headers })).json()) as { pin: string };
    const bridge = `wm-conf-${booking.id}`;
    const callers: string[] = [];
    for (let i = 0; i < 5; i++) callers.push((await ari.call({ args: [NUMBER, `pin=${audio.pin}`], callerNumber: `+3934700000${i}` }))!);
    await ari.waitFor(() => callers.every((c) => ari.channel(c)!.bridgeId === bridge), 'the callers in the bridge');

    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await ari.waitFor(() => ari.socketCount() === 0, 'the killed holder’s socket closed');
    await ari.waitFor(() => ari.socketCount() === 1, 'the standby connected', 10_000);
    const takeoverMs = Date.now() - killedAt;
    console.log(`audio takeover after SIGKILL of the holder: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThan(10_000);
    await ari.waitFor(() => standby.output().includes(HOLDS) && standby.output().includes('adopted the calls in progress'), 'the standby adopting');
    for (const c of callers) {
      expect(ari.channel(c)!.hungUp).toBe(false);
      expect(ari.channel(c)!.bridgeId).toBe(bridge);
    }
    // The new holder serves the old calls (a hangup → the others hear the leave tone) and new ones.
    ari.hangup(callers[0]!);
    await ari.waitFor(() => ari.channel(callers[1]!)!.heard.includes('sound:confbridge-leave'), 'the leave tone from the new holder');
    const late = await ari.call({ args: [NUMBER, `pin=${audio.pin}`] });
    await ari.waitFor(() => ari.channel(late!)!.bridgeId === bridge, 'a new caller in the bridge');
    const listed = async () => ((await (await fetch(`${standby.url}/api/v1/bookings/${booking.id}/audio`, { headers })).json()) as { participants: { id: string }[] }).participants.map((x) => x.id).sort();
    await expect.poll(listed).toEqual([...callers.slice(1), late].sort());
  });
});
