// How many people one Janus meeting room holds on this machine (issue #14): participants join the
// real room page (the portal, a real Janus, Chromium with fake camera and microphone, all in a
// network namespace of the benchmark's own) one more at a time; after each join the room settles,
// then every participant's received video frame rate is read from RTCPeerConnection.getStats()
// (framesDecoded over the window, per remote camera). The room "holds" N while the slowest received
// stream of every participant stays at 15 fps or more. Janus' CPU is read from /proc over the same
// window and divided by N. The browsers run on the same 2 cores as Janus: the limit found is the
// machine's, and mostly the browsers' (each decodes N-1 cameras); the per-participant Janus CPU is
// the server's own figure.
//
//   node bench/janus-room.ts [--max 8] [--settle 8] [--window 5]
//   import { janusRoomBenchmark } from './janus-room.ts'  →  { title, lines }
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';

import { startJanus } from '../test/support/janus.ts';
import { freePortOn, launchInNamespace, received, recordPeerConnections } from '../test/e2e/support/room.ts';
import { newContext } from '../test/e2e/support/browser.ts';
import { startBrowserPortal } from '../test/e2e/support/portal.ts';
import { Cleanup } from './cleanup.ts';
import { num, table, type Section } from './figures.ts';

export type JanusRoomOptions = { max: number; settleSeconds: number; windowSeconds: number };
const FPS_FLOOR = 15;
const TICKS_PER_SECOND = 100;

function ticks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export async function janusRoomBenchmark(cleanup: Cleanup, o: JanusRoomOptions): Promise<Section> {
  const title = `Janus meeting room: participants until received video < ${FPS_FLOOR} fps`;
  console.log(`\n== ${title} ==`);
  const janus = await startJanus();
  cleanup.defer('stop Janus and its namespace', () => janus.stop());
  const host = janus.ns.hostAddress;
  const port = await freePortOn(host);
  const secret = 'bench-janus-room-secret-0123456789';
  const portal = await startBrowserPortal({ PUBLIC_URL: `http://${host}:${port}`, PROVIDER_DEFAULT: 'janus', JANUS_URL: janus.url, JANUS_ADMIN_KEY: janus.adminKey, JANUS_SECRET: secret }, { host, port });
  cleanup.defer('stop the portal', () => portal.close());
  const chromium = await launchInNamespace(janus.ns, portal.baseUrl);
  cleanup.defer('close Chromium', () => chromium.close());

  const booker = await portal.member('Bench Booker');
  const room = await portal.api<{ id: string }>(portal.admin, 'POST', '/api/v1/rooms', { name: 'Aula benchmark', capacity: 50, provider: null });
  const step = 5 * 60_000;
  const start = Math.ceil((Date.now() + 30_000) / step) * step;
  const booking = await portal.api<{ id: string }>(booker, 'POST', '/api/v1/bookings', { roomId: room.body.id, start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString(), seats: 50, title: 'Benchmark' });
  if (booking.status !== 201) throw new Error(`booking: ${JSON.stringify(booking.body)}`);
  const guestUrl = (await portal.api<{ guestUrl: string }>(booker, 'GET', `/api/v1/bookings/${booking.body.id}/room`)).body.guestUrl;

  const pages: Page[] = [];
  const contexts: BrowserContext[] = [];
  const rows: string[][] = [];
  let holds = 0;
  let perParticipantCpu: number | undefined;
  for (let n = 1; n <= o.max; n++) {
    const context = await newContext(chromium.browser, portal.baseUrl, { viewport: { width: 960, height: 540 } });
    contexts.push(context);
    await recordPeerConnections(context);
    const page = await context.newPage();
    await page.goto(guestUrl);
    await page.getByLabel(/Your name|Il tuo nome/).fill(`Participant ${n}`);
    await page.getByRole('button', { name: /Join|Entra/ }).click();
    await page.waitForURL(/\/room\//);
    pages.push(page);
    if (n === 1) continue;
    // Everyone sees everyone else's camera, then the room settles before it is measured.
    await Promise.all(pages.map((p) => p.locator('.room-tile video').nth(n - 1).waitFor({ timeout: 30_000 })));
    await new Promise((r) => setTimeout(r, o.settleSeconds * 1000));
    const decoded = async (p: Page) => (await received(p)).framesDecoded;
    const before = await Promise.all(pages.map(decoded));
    const janusBefore = ticks(janus.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.windowSeconds * 1000));
    const after = await Promise.all(pages.map(decoded));
    const seconds = (performance.now() - t0) / 1000;
    const janusCpu = ((ticks(janus.pid) - janusBefore) / TICKS_PER_SECOND / seconds) * 100;
    const fps = after.flatMap((a, i) => Object.entries(a).map(([id, frames]) => (frames - (before[i]![id] ?? frames)) / seconds));
    const streams = fps.length;
    const minFps = Math.min(...fps);
    const meanFps = fps.reduce((s, f) => s + f, 0) / Math.max(1, streams);
    rows.push([String(n), String(streams), num(minFps), num(meanFps), `${num(janusCpu)} %`, `${num(janusCpu / n, 2)} %`, loadavg()[0]!.toFixed(1)]);
    console.log(`  ${n} participants: ${streams} received streams, slowest ${num(minFps)} fps, mean ${num(meanFps)} fps, Janus ${num(janusCpu)} % of a core`);
    if (streams < n * (n - 1) || minFps < FPS_FLOOR) break;
    holds = n;
    perParticipantCpu = janusCpu / n;
  }
  for (const c of contexts) await c.close().catch(() => undefined);
  const lines = [
    table(['participants', 'video streams', 'slowest fps', 'mean fps', 'Janus CPU', 'per participant', 'load'], rows),
    `one room held ${holds} participant(s) with every received camera at ≥ ${FPS_FLOOR} fps${holds === o.max ? ` (the --max ${o.max}; more may fit)` : ''}`,
    `Janus CPU per participant at that size: ${perParticipantCpu === undefined ? '–' : `${num(perParticipantCpu, 2)} % of a core`}`,
    'baseline: 15 fps is the floor of a usable video call; the browsers share these cores with Janus',
  ];
  console.log(lines.join('\n'));
  return { title, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { max: { type: 'string', default: '8' }, settle: { type: 'string', default: '8' }, window: { type: 'string', default: '5' } } });
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup.runAll().finally(() => process.exit(130)));
  try {
    await janusRoomBenchmark(cleanup, { max: Number(values.max), settleSeconds: Number(values.settle), windowSeconds: Number(values.window) });
  } finally {
    await cleanup.runAll();
  }
}
