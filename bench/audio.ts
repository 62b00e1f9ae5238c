// Phone callers dialling in at once (issue #7): N callers spread over 8 bookings in progress, half
// hearing the PIN prompt and typing the PIN, half with `pin=` in the Stasis args (the SIP URI
// `sip:<pin>@<domain>`), until every one is in its own booking's mixing bridge. The portal (its
// Stasis application, ARI REST client and events socket) runs in this process against the ARI
// double of test/doubles/ari (Asterisk cannot run here). Baseline: the same calls against a fresh
// double, driven by a script that only answers each channel and adds it to a bridge, through the
// same REST and events clients: the REST round trips alone, without PINs, database or seats.
//
//   node bench/audio.ts [--quick] [--callers 200]
//   import { audioBenchmark } from './audio.ts'  →  { title, lines }
// On PostgreSQL when DATABASE_URL is set (a scratch database is created and dropped), else PGlite.
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPortal } from '../src/portal.ts';
import type { Clock } from '../src/ports.ts';
import { AriRest } from '../src/telephony/ari/client.ts';
import { AriEvents } from '../src/telephony/ari/events.ts';
import type { AriEvent } from '../src/telephony/ari/types.ts';
import { PROMPTS } from '../src/telephony/prompts.ts';
import { AriDouble, type RequestRecord } from '../test/doubles/ari/index.ts';
import { Cleanup } from './cleanup.ts';
import { startCpuWindow, type CpuShare } from './cpu.ts';
import { ms, num, percentile, ratio, table, type Section } from './figures.ts';
import { createScratchDatabase, describeServer } from './scratch-database.ts';

const NUMBER = '+390612345678';
/** The booking's mixing bridge, as the Stasis application names it (issue #7 conventions). */
const bridgeOf = (bookingId: string) => `wm-conf-${bookingId}`;
const BOOKINGS = 8;
/** One playback item in the double (the real conf-getpin lasts about 3 s; admission starts after it). */
const PLAYBACK_MS = 20;
const ALL_IN_TIMEOUT_MS = 120_000;

export type AudioBenchOptions = { callers: number; serverUrl?: string | undefined };

/** One caller: which bridge they must end in, how they give the PIN, and when they got there. */
type Caller = { pin: string; bridge: string; typed: boolean; id: string; pressed: boolean; inAt: number | null };

export async function audioBenchmark(cleanup: Cleanup, o: AudioBenchOptions): Promise<Section> {
  const n = o.callers;
  const perBooking = Math.ceil(n / BOOKINGS);
  const db = await scratch(cleanup, o.serverUrl);
  const title = `Audio dial-in: ${n} callers at once over ${BOOKINGS} bookings in progress, ARI double, ${db.kind}`;
  console.log(`\n== ${title} ==`);

  // ---- the portal and its bookings ----
  const ari = await AriDouble.start({ playbackMs: PLAYBACK_MS });
  const closeDouble = cleanup.defer('stop the ARI double', () => ari.close());
  let offsetMs = 0; // moved once the bookings exist, so that they are in progress
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const logs = watchLogs();
  const config = loadConfig({
    SEED_DEFAULT_ROOMS: 'false',
    PROVISIONING_TICK_SECONDS: '0',
    PROVISIONING_RECONCILE_MINUTES: '0',
    ARI_URL: ari.url,
    ARI_USERNAME: ari.username,
    ARI_PASSWORD: ari.password,
    DIAL_IN_NUMBERS: `IT:${NUMBER}`,
    SIP_DOMAIN: 'audio.example.org',
  });
  const portal = await createPortal(config, { clock, database: await db.open(config.databasePoolSize), logger: logs.logger });
  const closePortal = cleanup.defer('close the portal', () => portal.close());
  const telephony = portal.telephony!;
  // Measured from a settled start: the adoption that follows the socket's connection is done.
  await ari.waitFor(() => logs.adopted && ari.socketCount() === 1, 'the portal to hold the ARI events socket and adopt the calls', 10_000);

  const repos = portal.services.uow.repos;
  const year = new Date().getUTCFullYear();
  const inst = await repos.institutions.create({ name: 'Bench University', scopes: [], subscriptionStart: `${year - 1}-01-01`, subscriptionEnd: `${year + 1}-12-31`, monthlyQuotaHours: null });
  const user = await repos.users.create({ email: 'audio-bench@example.org', name: 'Bench Booker', role: 'member', institutionId: inst.id, passwordHash: null });
  const ctx = { actor: { userId: user.id, role: 'member' as const, institutionId: inst.id } };
  const grid = 5 * 60_000;
  const start = Math.ceil((Date.now() + 10 * 60_000) / grid) * grid;
  const bookings: { pin: string; bridge: string }[] = [];
  for (let k = 0; k < BOOKINGS; k++) {
    const room = await repos.rooms.create({ name: `Phone room ${k + 1}`, capacity: perBooking, timeZone: 'Europe/Rome', provider: null, active: true });
    const b = await portal.services.bookings.create(ctx, { title: `Consiglio ${k + 1}`, roomId: room.id, start: new Date(start).toISOString(), end: new Date(start + 2 * 3_600_000).toISOString(), seats: perBooking });
    const view = await portal.services.audio.view(ctx, b.id);
    if (!view.pin) throw new Error(`booking ${b.id} got no dial-in PIN`);
    bookings.push({ pin: view.pin, bridge: bridgeOf(b.id) });
  }
  offsetMs = start + 10 * 60_000 - Date.now(); // ten minutes into every booking

  const dialApp = (c: Caller) => ari.call({ args: c.typed ? [NUMBER] : [c.pin, `pin=${c.pin}`], callerNumber: `+39347${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}` });
  const hangUpApp = async (callers: Caller[]) => {
    // Not before the application has finished with the calls: a caller gone between entering the
    // bridge and the addChannel answer stays a member of the conference (seen here; reported).
    await settle(ari);
    for (const c of callers) ari.hangup(c.id);
    const closed = () => ari.bridges().length === 0 && telephony.app.snapshot().length === 0;
    await ari.waitFor(closed, 'the empty conferences to be closed', 20_000).catch((e: unknown) => {
      const left = ari.bridges().map((b) => `${b.id} (${b.channels.length} channels)`);
      const known = telephony.app.snapshot().map((c) => `${c.bookingId} (${c.members.length} members)`);
      throw new Error(`${String(e)}; bridges left: ${left.join(', ') || 'none'}; conferences the app still knows: ${known.join(', ') || 'none'}`);
    });
  };

  // Warm-up (JIT, pools, first bridges): two calls per booking, hung up before timing.
  logs.problems.length = 0; // from here on, what the application logs concerns the calls
  await hangUpApp((await dialAndWait(ari, plan(bookings, 2 * BOOKINGS), dialApp)).callers);
  const admitted0 = telephony.app.admissions.length;

  const cpuParties = [{ label: 'this process', pid: 'self' as const }, ...(db.kind === 'PGlite (in memory)' ? [] : [{ label: 'PostgreSQL', pid: 'postgres' as const }])];
  const load0 = loadavg()[0]!;
  let cpu = startCpuWindow(cpuParties);
  const portalRun = await dialAndWait(ari, plan(bookings, n), dialApp);
  const portalCpu = cpu.stop();
  verify(ari, portalRun.callers);
  await settle(ari);
  const portalRest = restPerCall(ari.requests.slice(portalRun.requestsFrom), n);
  const admissions = telephony.app.admissions.slice(admitted0);
  if (admissions.length !== n) throw new Error(`the application recorded ${admissions.length} admissions for ${n} callers`);
  await hangUpApp(portalRun.callers);
  const problems = logs.problems.length ? [`  the application logged ${logs.problems.length} warnings/errors, the first: ${logs.problems[0]}`] : [];
  await closePortal();
  await closeDouble();

  // ---- baseline: answer + addChannel per call, no portal ----
  const base = await AriDouble.start({ playbackMs: PLAYBACK_MS });
  cleanup.defer('stop the baseline ARI double', () => base.close());
  const access = { url: base.url, username: base.username, password: base.password, app: 'webmeetings' };
  const rest = new AriRest(access);
  const events = new AriEvents(access);
  cleanup.defer('close the baseline events socket', () => events.stop());
  const bridgeOfPin = new Map(bookings.map((b) => [b.pin, b.bridge]));
  const addChannelMs: number[] = [];
  events.on('event', (e: AriEvent) => {
    if (e.type !== 'StasisStart' || !e.channel) return;
    const id = e.channel.id;
    const bridge = bridgeOfPin.get(e.args?.find((a) => a.startsWith('pin='))?.slice(4) ?? '');
    if (!bridge) return;
    void (async () => {
      await rest.answer(id);
      const t0 = performance.now();
      await rest.addChannel(bridge, id);
      addChannelMs.push(performance.now() - t0);
    })().catch((err: unknown) => console.error(`  baseline: call ${id} failed: ${String(err)}`));
  });
  events.start();
  await base.waitFor(() => events.connected && base.socketCount() === 1, 'the baseline events socket', 10_000);
  for (const b of bookings) await rest.createBridge(b.bridge, b.bridge);
  // Every baseline caller carries the PIN: the script has no prompt, digits or lookup.
  const dialBase = (c: Caller) => base.call({ args: [c.pin, `pin=${c.pin}`], callerNumber: '+393470000000' });
  const hangUpBase = async (callers: Caller[]) => {
    for (const c of callers) base.hangup(c.id);
    await base.waitFor(() => base.bridges().every((b) => b.channels.length === 0), 'the baseline bridges to empty');
  };
  await hangUpBase((await dialAndWait(base, plan(bookings, 2 * BOOKINGS), dialBase)).callers);
  addChannelMs.length = 0;
  cpu = startCpuWindow(cpuParties);
  const baseRun = await dialAndWait(base, plan(bookings, n), dialBase);
  const baseCpu = cpu.stop();
  verify(base, baseRun.callers);
  await settle(base);
  const baseRest = restPerCall(base.requests.slice(baseRun.requestsFrom), n);
  await hangUpBase(baseRun.callers);
  const load1 = loadavg()[0]!;

  // ---- report ----
  const row = (label: string, run: Run, lat: number[], restCount: number) => [
    label,
    String(n),
    ms(run.wallMs),
    num((n / run.wallMs) * 1000),
    ms(percentile(lat, 50)),
    ms(percentile(lat, 95)),
    ms(percentile(lat, 99)),
    ms(Math.max(...lat)),
    num(restCount, 2),
  ];
  const portalRow = row('portal: Stasis app (latency: PIN complete → in bridge)', portalRun, admissions, portalRest.total);
  const baseRow = row('baseline: answer + addChannel only (latency: addChannel)', baseRun, addChannelMs, baseRest.total);
  const ratios = ['ratio portal / baseline', '', ratio(portalRun.wallMs, baseRun.wallMs), ratio(n / portalRun.wallMs, n / baseRun.wallMs), ...[50, 95, 99].map((p) => ratio(percentile(admissions, p), percentile(addChannelMs, p))), ratio(Math.max(...admissions), Math.max(...addChannelMs)), ratio(portalRest.total, baseRest.total)];
  const server = db.kind === 'PostgreSQL' && o.serverUrl ? await describeServer(o.serverUrl).catch(() => 'PostgreSQL') : db.kind;
  const typed = portalRun.callers.filter((c) => c.typed).length;
  const detail = [
    `  ${server}${db.kind === 'PostgreSQL' ? ` (pool of ${config.databasePoolSize})` : ''}; one process, one event loop: the portal (Stasis app, ARI REST client, events socket), the ARI double and the callers`,
    `  ${typed} callers dial ${NUMBER}, hear the PIN prompt to its end (${PLAYBACK_MS} ms in the double) and type the ${config.telephony!.pinDigits}-digit PIN at once;`,
    `  ${n - typed} carry pin=<PIN> in the Stasis args (SIP URI); ${perBooking} seats per booking; all ${n} calls placed in one go.`,
    `  warm-up: ${2 * BOOKINGS} calls (2 per booking) hung up before timing; the baseline runs on a fresh double with its ${BOOKINGS} bridges made beforehand.`,
    `  wall = first call placed → last caller in the bridge (ChannelEnteredBridge); the portal is closed before the baseline runs.`,
  ];
  const tableText = table(['', 'calls', 'wall ms', 'calls/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'REST/call'], [portalRow, baseRow, ratios]);
  const cpuText = `  CPU in the timed windows, in cores busy: portal run: ${cpuLine(portalCpu)}; baseline: ${cpuLine(baseCpu)}`;
  const restText = [`  REST requests per call, portal: ${portalRest.kinds}`, `  REST requests per call, baseline: ${baseRest.kinds}`];
  const verdict = `  verified: all ${n} callers in their own booking's bridge (${BOOKINGS} bridges of ${perBooking}), none in another; load average ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at end`;
  console.log([...detail, '', tableText, cpuText, ...restText, ...problems, verdict].join('\n'));
  return {
    title,
    lines: [
      `portal: ${n} callers in ${ms(portalRun.wallMs)} ms (${num((n / portalRun.wallMs) * 1000)} calls/s); admission p50/p95/p99/max ${[50, 95, 99].map((p) => ms(percentile(admissions, p))).join('/')}/${ms(Math.max(...admissions))} ms; ${num(portalRest.total, 2)} REST requests per call`,
      `baseline answer+addChannel: ${ms(baseRun.wallMs)} ms (${num((n / baseRun.wallMs) * 1000)} calls/s); addChannel p50/p95/p99/max ${[50, 95, 99].map((p) => ms(percentile(addChannelMs, p))).join('/')}/${ms(Math.max(...addChannelMs))} ms; ${num(baseRest.total, 2)} REST requests per call`,
      `ratio portal/baseline: wall ${ratio(portalRun.wallMs, baseRun.wallMs)}, p50 ${ratios[4]}, p99 ${ratios[6]}`,
      ...problems.map((l) => l.trim()),
      verdict.trim(),
    ],
  };
}

/** N callers over the bookings in turn; even ones type the PIN, odd ones carry it in the args. */
function plan(bookings: { pin: string; bridge: string }[], n: number): Caller[] {
  return Array.from({ length: n }, (_, i) => ({ ...bookings[i % bookings.length]!, typed: i % 2 === 0, id: '', pressed: false, inAt: null }));
}

type Run = { callers: Caller[]; wallMs: number; requestsFrom: number };

/**
 * Places every call in one go, types the PIN for those who hear the prompt, and waits until each
 * caller entered a bridge. Reads the double's event log as it grows (one loop for all callers, so
 * the waiting costs the measured process little). A caller entering another bridge, or hung up
 * before entering one, fails the run.
 */
async function dialAndWait(ari: AriDouble, callers: Caller[], dial: (c: Caller) => Promise<string | null>): Promise<Run> {
  const log = ari.events;
  let cursor = log.length;
  const requestsFrom = ari.requests.length;
  const byId = new Map<string, Caller>();
  const t0 = performance.now();
  for (const c of callers) {
    const id = await dial(c);
    if (!id) throw new Error('the double refused a call: no events socket holds the app');
    c.id = id;
    byId.set(id, c);
  }
  let waiting = callers.length;
  let last = t0;
  const deadline = Date.now() + ALL_IN_TIMEOUT_MS;
  while (waiting > 0) {
    for (; cursor < log.length; cursor++) {
      const e = log[cursor]!;
      const ch = (e.channel as { id?: string } | undefined)?.id;
      if (e.type === 'PlaybackFinished') {
        const pb = e.playback as { target_uri: string; media_uri: string };
        const c = byId.get(pb.target_uri.replace(/^channel:/, ''));
        if (c?.typed && !c.pressed && pb.media_uri === PROMPTS.enterPin) {
          c.pressed = true;
          void ari.pressDigits(c.id, c.pin);
        }
      } else if (e.type === 'ChannelEnteredBridge' && ch) {
        const c = byId.get(ch);
        if (!c || c.inAt !== null) continue;
        const bridge = (e.bridge as { id: string }).id;
        if (bridge !== c.bridge) throw new Error(`caller ${ch} entered bridge ${bridge}, not its booking's ${c.bridge}`);
        c.inAt = last = performance.now();
        waiting--;
      } else if (e.type === 'StasisEnd' && ch) {
        const c = byId.get(ch);
        if (c && c.inAt === null) throw new Error(`caller ${ch} was hung up before reaching a bridge; it heard ${ari.channel(ch)?.heard.join(', ')}`);
      }
    }
    if (waiting === 0) break;
    if (Date.now() > deadline) throw new Error(`${waiting} of ${callers.length} callers not in a bridge after ${ALL_IN_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return { callers, wallMs: last - t0, requestsFrom };
}

/** Each caller is in its booking's bridge now, and each bridge holds exactly its callers. */
function verify(ari: AriDouble, callers: Caller[]): void {
  const expected = new Map<string, Set<string>>();
  for (const c of callers) {
    const now = ari.channel(c.id);
    if (now?.hungUp || now?.bridgeId !== c.bridge) throw new Error(`caller ${c.id} is in ${now?.bridgeId ?? 'no bridge'}, not ${c.bridge}`);
    expected.set(c.bridge, (expected.get(c.bridge) ?? new Set()).add(c.id));
  }
  for (const b of ari.bridges()) {
    const want = expected.get(b.id) ?? new Set<string>();
    const extra = b.channels.filter((id) => !want.has(id));
    if (extra.length > 0 || b.channels.length !== want.size) throw new Error(`bridge ${b.id} holds ${b.channels.length} channels (${extra.length} not its callers), expected ${want.size}`);
  }
}

/** Waits until the application sent its last request for these calls (join tones after the bridge). */
async function settle(ari: AriDouble): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen = -1;
  while (seen !== ari.requests.length && Date.now() < deadline) {
    seen = ari.requests.length;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Requests per call, in total and by kind (`POST channels/{id}/answer`), most frequent first. */
function restPerCall(requests: RequestRecord[], calls: number): { total: number; kinds: string } {
  const kinds = new Map<string, number>();
  let failed = 0;
  for (const r of requests) {
    const [resource, id, ...sub] = r.path.replace(/^\/ari\//, '').split('/');
    const kind = `${r.method} ${[resource, ...(id ? ['{id}'] : []), ...sub].join('/')}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (r.status < 200 || r.status > 299) failed++;
  }
  const list = [...kinds].sort((a, b) => b[1] - a[1]).map(([k, count]) => `${k} ${(count / calls).toFixed(2)}`);
  return { total: requests.length / calls, kinds: `${list.join(', ')}${failed ? `; ${failed} answered non-2xx` : ''}` };
}

/**
 * The portal's log at level info (its production default), kept in memory: whether the Stasis
 * application has adopted Asterisk's state, and the warnings and errors it wrote.
 */
function watchLogs() {
  const seen = { adopted: false, problems: [] as string[] };
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
        if (entry.msg?.startsWith('audio: adopted the calls')) seen.adopted = true;
        if (entry.level >= 40) seen.problems.push(`${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
      },
    },
  );
  return Object.assign(seen, { logger });
}

const cpuLine = (shares: CpuShare[]) => shares.map((s) => `${s.label} ${s.cores === undefined ? '–' : s.cores.toFixed(2)}`).join(', ');

/** PostgreSQL (a scratch database, dropped afterwards) when a server is named, else PGlite in memory. */
async function scratch(cleanup: Cleanup, serverUrl: string | undefined) {
  if (!serverUrl) {
    return {
      kind: 'PGlite (in memory)',
      async open(_poolSize: number) {
        const database = await openDatabase({ memory: true });
        cleanup.defer('close PGlite', () => database.close());
        await migrate(database.db);
        return database;
      },
    };
  }
  const s = await createScratchDatabase(serverUrl);
  cleanup.defer(`drop database ${s.name}`, s.drop);
  return {
    kind: 'PostgreSQL',
    async open(poolSize: number) {
      const database = await openDatabase({ databaseUrl: s.url, poolSize });
      cleanup.defer('close the database pool', () => database.close());
      await migrate(database.db);
      return database;
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, callers: { type: 'string' } } });
  const cleanup = new Cleanup();
  try {
    const r = await audioBenchmark(cleanup, { callers: values.callers ? Number(values.callers) : values.quick ? 50 : 200, serverUrl: process.env.DATABASE_URL || undefined });
    console.log(`\n${r.lines.join('\n')}`);
  } finally {
    await cleanup.runAll();
  }
}
