// The portal listens on LISTEN_SOCKETS sockets of its port (http/listen.ts): a burst of new
// connections is accepted in a few turns of a busy event loop, not one connection per turn; every
// socket serves the same portal; and a closed portal takes no connection on any of them.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

let many: TestPortal;
let one: TestPortal;

beforeAll(async () => {
  many = await startTestPortal({ env: { LISTEN_SOCKETS: '16' } });
  one = await startTestPortal({ db: many.db, clock: many.clock, env: { LISTEN_SOCKETS: '1' } });
});
afterAll(async () => {
  await one?.close();
  await many?.close();
});

const portOf = (t: TestPortal) => Number(new URL(t.baseUrl).port);

/**
 * Opens `n` connections at once, holds the event loop while the kernel queues them all, then lets
 * `turns` turns of the loop run, each as long as a busy portal's: how many did the portal accept?
 */
async function acceptedAfter(t: TestPortal, n: number, turns: number): Promise<number> {
  let accepted = 0;
  const count = () => accepted++;
  t.portal.app.server.on('connection', count);
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < n; i++) sockets.push(connect(portOf(t), '127.0.0.1').on('error', () => {}));
    // The connects go out on the next tick; the loop is then held (no turn, so nothing accepted)
    // while the kernel completes them all into the accept queues.
    await new Promise((r) => process.nextTick(r));
    const busy = (ms: number) => {
      for (const until = performance.now() + ms; performance.now() < until; );
    };
    busy(50);
    for (let i = 0; i < turns; i++) {
      busy(2);
      await new Promise((r) => setImmediate(r));
    }
    return accepted;
  } finally {
    t.portal.app.server.off('connection', count);
    for (const s of sockets) s.destroy();
  }
}

describe('listening sockets', () => {
  it('accepts a burst of new connections within a few turns of a busy event loop', async () => {
    // 16 queues of ~12 connections each (the kernel hashes each connection to one): all taken in 60 turns.
    expect(await acceptedAfter(many, 200, 60)).toBe(200);
  });

  it('with LISTEN_SOCKETS=1, one connection per turn (why the portal listens on several)', async () => {
    const accepted = await acceptedAfter(one, 200, 60);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(61);
  });

  it('serves the same portal on every socket', async () => {
    // 64 fresh connections land on most of the 16 sockets; each must reach the portal's routes.
    const answers = await Promise.all(
      Array.from({ length: 64 }, async () => {
        const res = await fetch(`${many.baseUrl}/api/v1/me`, { headers: { connection: 'close' } });
        return `${res.status} ${((await res.json()) as { code?: string }).code}`;
      }),
    );
    expect(new Set(answers)).toEqual(new Set(['401 UNAUTHENTICATED']));
  });

  it('takes no connection on any socket once closed', async () => {
    const t = await startTestPortal({ db: many.db, clock: many.clock, env: { LISTEN_SOCKETS: '8' } });
    const port = portOf(t);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    await t.close();
    const refused = await Promise.all(
      Array.from({ length: 32 }, () => new Promise<string>((resolve) => connect(port, '127.0.0.1').once('connect', function (this: Socket) { this.destroy(); resolve('connected'); }).once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')))),
    );
    expect(new Set(refused)).toEqual(new Set(['ECONNREFUSED']));
  });
});
