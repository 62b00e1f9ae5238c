// `npm run bench`: every benchmark in turn, each printing its figures beside its baseline's, then
// one summary block. Benchmarks measure; they never fail on a target (they print met / not met).
// A benchmark that crashes is reported and the others still run; the exit code is then 1.
//
//   npm run bench                    all, about 4–5 minutes on 2 otherwise idle cores
//   npm run bench -- --quick         smaller and shorter, to try a change (figures not comparable)
//   npm run bench -- --only creation,join,series,pglite,calendar-pg,calendar-pglite,statistics,audio,mail,janus,faults,ui
//   npm run bench -- --only faults --soak-minutes 15   the database faults with the full soak
//
// PostgreSQL: DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres);
// each benchmark works in a database of its own, created and dropped here. `audio` (like `join`)
// uses PostgreSQL only when DATABASE_URL is set, else PGlite in memory.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bookingCreation } from './booking-creation.ts';
import { Cleanup } from './cleanup.ts';
import type { Section } from './figures.ts';
import { DEFAULT_SERVER_URL, describeServer } from './scratch-database.ts';
import { weekCalendarOnPglite, weekCalendarOnPostgres } from './week-calendar.ts';

const STEPS = ['creation', 'join', 'series', 'pglite', 'calendar-pg', 'calendar-pglite', 'statistics', 'audio', 'mail', 'janus', 'faults', 'ui'] as const;
type Step = (typeof STEPS)[number];

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, 'soak-minutes': { type: 'string' } } });
const only = new Set((args.only?.split(',').map((s) => s.trim()) ?? STEPS) as Step[]);
for (const step of only) if (!STEPS.includes(step)) throw new Error(`--only knows ${STEPS.join(', ')}; not "${step}".`);
const quick = args.quick;
const serverUrl = process.env.DATABASE_URL || DEFAULT_SERVER_URL;
const SEED = 20_260_326;

const started = performance.now();
const sections: Section[] = [];
let failures = 0;

// Interrupted (Ctrl-C, a CI timeout): undo what the running benchmark set up, then stop.
const running = new Set<Cleanup>();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: cleaning up…`);
    void Promise.all([...running].map((c) => c.runAll())).finally(() => process.exit(130));
  });
}

async function step(title: string, work: (cleanup: Cleanup) => Promise<Section>): Promise<void> {
  if (interrupted) return;
  const cleanup = new Cleanup();
  running.add(cleanup);
  try {
    sections.push(await work(cleanup));
  } catch (e) {
    failures++;
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(`\n  ${title} failed:\n  ${message.replaceAll('\n', '\n  ')}`);
    sections.push({ title, lines: [`FAILED: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`] });
  } finally {
    await cleanup.runAll();
    running.delete(cleanup);
  }
}

async function postgresReachable(): Promise<string | undefined> {
  try {
    return await describeServer(serverUrl);
  } catch (e) {
    const where = new URL(serverUrl);
    console.log(`\nPostgreSQL at ${where.host} is not reachable (${e instanceof Error ? e.message : String(e)}): its benchmarks are skipped.`);
    return undefined;
  }
}

/**
 * Another owner's benchmark module, when present. A computed specifier, so that this file does not
 * stop compiling when that one changes or goes away.
 */
async function importIfPresent<T>(name: string): Promise<Partial<T> | undefined> {
  const file = new URL(`./${name}`, import.meta.url);
  if (!existsSync(fileURLToPath(file))) return undefined;
  return (await import(file.href)) as Partial<T>;
}

/** bench/join.ts (the join endpoint under load) has its own owner; it runs here when present. */
async function joinBench(): Promise<Section> {
  const title = 'Join endpoint (bench/join.ts)';
  console.log(`\n== ${title} ==`);
  const mod = await importIfPresent<{ joinBenchmark: (o: { quick?: boolean }) => Promise<Section> }>('join.ts');
  if (!mod) return skipped(title, 'bench/join.ts does not exist');
  if (typeof mod.joinBenchmark !== 'function') return skipped(title, 'bench/join.ts exports no joinBenchmark()');
  const { lines } = await mod.joinBenchmark({ quick });
  console.log(lines.join('\n'));
  return { title, lines };
}

/** bench/series.ts (recurring bookings) has its own owner; it runs here when present. */
async function seriesBench(): Promise<Section> {
  const title = 'Recurring series (bench/series.ts)';
  console.log(`\n== ${title} ==`);
  const mod = await importIfPresent<{ runSeriesBench: (o: { serverUrl: string }) => Promise<{ report: string }> }>('series.ts');
  if (!mod) return skipped(title, 'bench/series.ts does not exist');
  if (typeof mod.runSeriesBench !== 'function') return skipped(title, 'bench/series.ts exports no runSeriesBench()');
  const { report } = await mod.runSeriesBench({ serverUrl });
  console.log(report);
  return { title, lines: report.split('\n').filter((l) => l.trim() && !/^[\s-]+$/.test(l)) };
}

/** bench/ui-week-render.ts belongs to the UI; it runs last, in its own process, when it can. */
async function uiWeekRender(cleanup: Cleanup): Promise<Section> {
  const title = 'UI week render (bench/ui-week-render.ts)';
  const script = fileURLToPath(new URL('./ui-week-render.ts', import.meta.url));
  console.log(`\n== 3. ${title} ==`);
  console.log('  needs Chromium and a built UI; it runs in its own process and what follows is its own output');
  if (!existsSync(script)) return skipped(title, 'bench/ui-week-render.ts does not exist yet');
  // Its own process group, so that a timeout also ends the browser it started.
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  const echo = (chunk: Buffer) => {
    process.stdout.write(chunk);
    lines.push(...chunk.toString().split('\n').filter((l) => l.trim()));
  };
  child.stdout.on('data', echo);
  child.stderr.on('data', echo);
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const killGroup = () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  cleanup.defer('stop bench/ui-week-render.ts', async () => killGroup());
  const timeoutSeconds = quick ? 90 : 150;
  const timer = setTimeout(killGroup, timeoutSeconds * 1000);
  const [code, signal] = await exited;
  clearTimeout(timer);
  if (signal) return skipped(title, `stopped by ${signal}${signal === 'SIGKILL' ? ` after ${timeoutSeconds} s` : ''}; last line: ${lines.at(-1) ?? '(none)'}`);
  if (code !== 0 && lines.length <= 2) {
    return skipped(title, `could not run (exit code ${code}): ${lines.join(' ') || 'no output'}. It needs Chromium and a built UI.`);
  }
  if (code !== 0) lines.push(`(it exited with code ${code})`);
  return { title, lines: lines.slice(-8) };
}

function skipped(title: string, why: string): Section {
  console.log(`  skipped: ${why}`);
  return { title, lines: [`skipped: ${why}`] };
}

// ---------------------------------------------------------------------------------------------

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const header = [
  `WebMeetings benchmarks, ${new Date().toISOString()}${quick ? ' (--quick: smaller, shorter, not comparable)' : ''}`,
  `Node ${process.version}, ${availableParallelism()} cores (${cpu}), load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
];
console.log(header.join('\n'));

const needsPostgres = only.has('creation') || only.has('series') || only.has('calendar-pg') || only.has('statistics') || only.has('mail');
const server = needsPostgres ? await postgresReachable() : undefined;
if (server) header.push(server);
else if (needsPostgres) header.push(`PostgreSQL at ${new URL(serverUrl).host} not reachable: its benchmarks were skipped`);

if (server && only.has('creation')) {
  await step('Booking creation', (c) => bookingCreation(c, { serverUrl, clients: 32, warmupSeconds: 2, seconds: quick ? 3 : 10, seed: SEED, horizonDays: 3650 }));
  // The row to read beside the incumbent's published figure (issue #13): 8 clients.
  await step('Booking creation, 8 clients', (c) =>
    bookingCreation(c, {
      serverUrl,
      clients: 8,
      warmupSeconds: 2,
      seconds: quick ? 3 : 10,
      seed: SEED + 8,
      horizonDays: 3650,
      reference: 'LibreBooking (PHP + MySQL), measured on this kind of machine: about 65 reservations/s with 8 concurrent clients, and it double-books under concurrency (not run here)',
    }),
  );
}
if (only.has('join')) await step('Join endpoint', () => joinBench());
if (server && only.has('series')) await step('Recurring series', () => seriesBench());
if (only.has('pglite')) {
  // The booking rows on the embedded PGlite (the default), beside PostgreSQL's above.
  await step('Booking rows on PGlite', async () => {
    console.log('\n== Booking rows on PGlite (bench/pglite-rows.ts) ==');
    const { pgliteRows } = await import('./pglite-rows.ts');
    const section = await pgliteRows({ quick });
    console.log(section.lines.join('\n'));
    return section;
  });
}
if (server && only.has('calendar-pg')) {
  await step('Week calendar, PostgreSQL', (c) =>
    weekCalendarOnPostgres(c, {
      serverUrl,
      targetP99Ms: 10,
      bookings: quick ? 100_000 : 1_000_000,
      weeks: quick ? 100 : 500,
      warmupWeeks: 10,
      secondsPerRow: quick ? 2 : 6,
      seed: SEED,
    }),
  );
}
if (only.has('calendar-pglite')) {
  await step('Week calendar, PGlite', (c) =>
    weekCalendarOnPglite(c, { bookings: quick ? 20_000 : 100_000, weeks: quick ? 100 : 500, warmupWeeks: 10, secondsPerRow: quick ? 2 : 4, seed: SEED }),
  );
}
if (only.has('statistics')) {
  // The statistics page's reads over two years of meetings and minute samples, both databases.
  const o = { days: quick ? 120 : 730, share: 0.6, runs: quick ? 2 : 5 };
  const { statisticsOnPglite, statisticsOnPostgres } = await import('./statistics.ts');
  if (server) await step('Statistics, PostgreSQL', (c) => statisticsOnPostgres(c, { ...o, serverUrl }));
  await step('Statistics, PGlite', (c) => statisticsOnPglite(c, o));
}
if (only.has('audio')) {
  // Imported here: it needs the ARI test double (test/doubles/ari), whose absence fails this step only.
  await step('Audio dial-in', async (c) => {
    const { audioBenchmark } = await import('./audio.ts');
    return audioBenchmark(c, { callers: quick ? 50 : 200, serverUrl: process.env.DATABASE_URL || undefined });
  });
}
if (only.has('mail')) {
  // A real SMTP server (the tests' smtp-server peer) receives every mail; PGlite when PostgreSQL is not reachable.
  await step('Mail throughput', async (c) => {
    const { mailBenchmark } = await import('./mail.ts');
    return mailBenchmark(c, { serverUrl: server ? serverUrl : undefined, jobs: quick ? 300 : 1000, baselineJobs: quick ? 20 : 40 });
  });
}
if (only.has('janus')) {
  // A real Janus and Chromium in a network namespace: needs root and the janus package.
  await step('Janus meeting room', async (c) => {
    const { janusUnavailable } = await import('../test/support/janus.ts');
    const why = janusUnavailable();
    if (why) return skipped('Janus meeting room', why);
    const { janusRoomBenchmark } = await import('./janus-room.ts');
    return janusRoomBenchmark(c, { max: quick ? 4 : 8, settleSeconds: quick ? 4 : 8, windowSeconds: quick ? 3 : 5 });
  });
}
if (only.has('faults')) {
  // Its own throw-away PostgreSQL cluster (initdb), never the server DATABASE_URL names.
  await step('Database faults under load', async (c) => {
    const { faultsBenchmark } = await import('./faults.ts');
    // The issue's soak is 15 minutes (`--soak-minutes 15`); the default run keeps to two.
    const soakMinutes = args['soak-minutes'] ? Number(args['soak-minutes']) : null;
    return faultsBenchmark(c, { clients: 32, stopSeconds: 20, soakSeconds: soakMinutes ? Math.round(soakMinutes * 60) : quick ? 20 : 120 });
  });
}
if (only.has('ui')) await step('UI week render', (c) => uiWeekRender(c));

const seconds = (performance.now() - started) / 1000;
console.log(`\n${'='.repeat(100)}\nSummary\n${header.map((l) => `  ${l}`).join('\n')}`);
for (const s of sections) console.log(`\n${s.title}\n${s.lines.map((l) => `  ${l}`).join('\n')}`);
console.log(`\nTotal ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s${failures ? `; ${failures} benchmark(s) failed` : ''}`);
process.exitCode = failures ? 1 : 0;
