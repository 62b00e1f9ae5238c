// The join endpoint under load: 500 concurrent clients on GET /join/<booking> (a signed-in booker;
// the answer is a 302 to a Jitsi URL with a freshly signed HS256 token, i.e. the single sign-on URL
// computed per request), beside a bare Fastify route answering a fixed 302 on the same machine; the
// load generator in this process, then in one of its own. Then the guests' rows (/g/<token>: the
// form, its POSTs, and the form of a booking with an audio conference, on a portal with telephony),
// asked for as a browser does (with its Accept-Encoding).
// Targets (issue 5): join requests/s at least half the bare route's, join p99 under 25 ms.
//
//   node bench/join.ts [--quick] [--connections 500] [--seconds 10]
//   import { joinBenchmark } from './join.ts'  →  { title, lines, figures }
// On PostgreSQL when DATABASE_URL is set (a scratch database is created and dropped), else PGlite.
// LISTEN_SOCKETS in the environment sets the portals' listening sockets (http/listen.ts) for an A/B.
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import Fastify from 'fastify';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPortal } from '../src/portal.ts';
import { logDestination, loggerOptions } from '../src/observability/logger.ts';
import { AriDouble } from '../test/doubles/ari/index.ts';

export type JoinBenchFigures = { join: { rps: number; p50: number; p99: number; non3xx: number }; bare: { rps: number; p50: number; p99: number }; ratio: number; apart: { join: { rps: number; p99: number; non3xx: number }; bare: { rps: number; p99: number }; ratio: number }; connections: number; seconds: number; database: string };

type Run = Awaited<ReturnType<typeof autocannon>>;

/**
 * The load generator in this process (how the rows were always measured) or in a process of its
 * own (`apart`), as 500 people on other machines would be: in-process it shares the portal's
 * event loop, and its own timers and sockets wait behind the portal's work.
 */
async function load(url: string, headers: Record<string, string>, connections: number, seconds: number, apart = false, post?: string) {
  const r = apart ? await loadApart(url, headers, connections, seconds, post) : await autocannon({ url, connections, duration: seconds, headers, ...(post !== undefined && { method: 'POST' as const, body: post }) });
  const status = r.statusCodeStats as Record<string, { count: number } | undefined>;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non3xx: r.non2xx - (r['3xx'] ?? 0) + r.errors + r.timeouts,
    redirected: status['302']?.count ?? 0,
    overloaded: status['503']?.count ?? 0,
    failed: r.errors + r.timeouts,
    statuses: Object.entries(status).map(([code, c]) => `${code}: ${c?.count ?? 0}`).join(', '),
    // Told apart: a timeout waited autocannon's 10 s; an error is a socket that closed or failed.
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

async function loadApart(url: string, headers: Record<string, string>, connections: number, seconds: number, post?: string): Promise<Run> {
  const args = [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), ...(post !== undefined ? ['-m', 'POST', '-b', post] : []), url];
  const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, args, { maxBuffer: 64 << 20 }, (e, stdout) => (e ? reject(e) : resolve(stdout))));
  return JSON.parse(out) as Run;
}

/** A row of figures with its ratios to the bare route's measured the same way, and what failed. */
function comparedRow(label: string, r: Awaited<ReturnType<typeof load>>, bare: { rps: number; p99: number }, width: number): string {
  const failed = r.non3xx ? ` (${r.statuses}; ${r.errors} socket errors, ${r.timeouts} timeouts)` : '';
  return `  ${label.padEnd(width)} ${r.rps.toFixed(0).padStart(9)}  ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)}   ratio ${(r.rps / bare.rps).toFixed(2)}, p99 ${(r.p99 / Math.max(1, bare.p99)).toFixed(2)}× bare; failed answers: ${r.non3xx}${failed}`;
}

async function scratchDatabase(): Promise<{ database: Database; drop(): Promise<void>; kind: string }> {
  const server = process.env.DATABASE_URL;
  if (!server) {
    const database = await openDatabase({ memory: true });
    await migrate(database.db);
    return { database, drop: () => database.close(), kind: 'PGlite (in memory)' };
  }
  const name = `wm_bench_join_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 20 });
  await migrate(database.db);
  return {
    database,
    kind: 'PostgreSQL',
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function joinBenchmark(o: { quick?: boolean; connections?: number; seconds?: number } = {}) {
  const connections = o.connections ?? (o.quick ? 100 : 500);
  const seconds = o.seconds ?? (o.quick ? 3 : 10);
  const scratch = await scratchDatabase();
  const env = { LOG_LEVEL: 'silent', SEED_DEFAULT_ROOMS: 'false', JITSI_URL: 'https://meet.example.org', JITSI_APP_ID: 'webmeetings', JITSI_APP_SECRET: 'bench-secret-of-enough-length', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', ...(process.env.LISTEN_SOCKETS && { LISTEN_SOCKETS: process.env.LISTEN_SOCKETS }) };
  const config = loadConfig(env);
  const portal = await createPortal(config, { database: scratch.database, logger: pino({ level: 'silent' }) });
  const bare = Fastify();
  try {
    const repos = portal.services.uow.repos;
    const year = new Date().getUTCFullYear();
    const inst = await repos.institutions.create({ name: 'Bench University', scopes: [], subscriptionStart: `${year - 1}-01-01`, subscriptionEnd: `${year + 1}-12-31`, monthlyQuotaHours: null });
    const user = await repos.users.create({ email: 'bench@example.org', name: 'Bench Booker', role: 'member', institutionId: inst.id, passwordHash: null });
    const actor = { userId: user.id, role: 'member' as const, institutionId: inst.id };
    const { token } = await portal.services.accounts.createToken({ actor }, 'bench');
    const room = await repos.rooms.create({ name: 'Bench room', capacity: 10, timeZone: 'Europe/Rome', provider: null, active: true });
    const grid = 5 * 60_000;
    const start = new Date(Math.ceil((Date.now() + 5 * 60_000) / grid) * grid);
    const booking = await portal.services.bookings.create({ actor }, { title: 'Bench', roomId: room.id, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), seats: 2 });
    await portal.provisioning.service.sync(booking.id);
    const address = await portal.listen({ port: 0, host: '127.0.0.1' });
    const check = await fetch(`${address}/join/${booking.id}`, { redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    if (check.status !== 302 || !check.headers.get('location')?.includes('jwt=')) throw new Error(`the join route answered ${check.status}, not a 302 to a signed URL`);

    bare.get('/bare', async (_req, reply) => reply.redirect('https://meet.example.org/room'));
    const bareAddress = await bare.listen({ port: 0, host: '127.0.0.1' });

    await load(`${address}/join/${booking.id}`, { authorization: `Bearer ${token}` }, Math.min(50, connections), 1); // warm-up
    const join = await load(`${address}/join/${booking.id}`, { authorization: `Bearer ${token}` }, connections, seconds);
    await load(`${bareAddress}/bare`, {}, Math.min(50, connections), 1);
    const base = await load(`${bareAddress}/bare`, {}, connections, seconds);
    // The same two routes with the load generator in a process of its own.
    const joinApart = await load(`${address}/join/${booking.id}`, { authorization: `Bearer ${token}` }, connections, seconds, true);
    const bareApart = await load(`${bareAddress}/bare`, {}, connections, seconds, true);
    const apart = { join: joinApart, bare: bareApart, ratio: joinApart.rps / bareApart.rps };
    const figures: JoinBenchFigures = { join, bare: base, ratio: join.rps / base.rps, apart, connections, seconds, database: scratch.kind };
    // Overload: the same burst at an instance that may have only `bound` requests in progress
    // (OVERLOAD_MAX_IN_FLIGHT): what it cannot take at once must get a fast 503 with Retry-After,
    // not a wait. A second portal on the same database, with the bound set low enough to reach.
    const overloadRows: string[] = [];
    for (const bound of o.quick ? [100] : [100, 250]) {
      const limited = await createPortal(loadConfig({ ...env, OVERLOAD_MAX_IN_FLIGHT: String(bound) }), { database: scratch.database, logger: pino({ level: 'silent' }) });
      try {
        const at = await limited.listen({ port: 0, host: '127.0.0.1' });
        await load(`${at}/join/${booking.id}`, { authorization: `Bearer ${token}` }, Math.min(50, connections), 1);
        const r = await load(`${at}/join/${booking.id}`, { authorization: `Bearer ${token}` }, connections, Math.min(seconds, 5));
        const total = r.redirected + r.overloaded + r.failed;
        overloadRows.push(
          `  bound ${String(bound).padStart(4)}  ${r.rps.toFixed(0).padStart(9)}  ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)}   302: ${r.redirected}, 503 OVERLOADED: ${r.overloaded} (${((100 * r.overloaded) / Math.max(1, total)).toFixed(0)}%), no answer: ${r.failed}`,
        );
      } finally {
        await limited.close();
      }
    }
    // The same burst at an instance that logs as production does by default (LOG_LEVEL=info, one
    // access line per request, written as the portal writes its stdout), to /dev/null: the rows above log nothing.
    const logged = await createPortal(loadConfig({ ...env, LOG_LEVEL: 'info' }), { database: scratch.database, logger: pino(loggerOptions('info'), logDestination('/dev/null')) });
    let loggedRow: string;
    try {
      const at = await logged.listen({ port: 0, host: '127.0.0.1' });
      await load(`${at}/join/${booking.id}`, { authorization: `Bearer ${token}` }, Math.min(50, connections), 1);
      const r = await load(`${at}/join/${booking.id}`, { authorization: `Bearer ${token}` }, connections, seconds);
      loggedRow = comparedRow('/join, logged', r, base, 13);
    } finally {
      await logged.close();
    }
    // The guests of the same meeting (issue #13: /g/<token> under the same burst): the form page,
    // then its POST with a name on an open link, and with a name and the right PIN on a PIN link
    // (each such POST reads the link's count of wrong PINs: one query per guest), the PIN link on a
    // booking of its own (the last requests of a run are still answered after it ends). In-process load.
    const ctx = { actor, requestId: 'bench' };
    const guestPath = async (bookingId: string, policy: 'open' | 'pin', pin: string | null) => new URL(portal.joining.guestUrl(await portal.joining.setGuestPolicy(ctx, bookingId, policy, pin))).pathname;
    const pinRoom = await repos.rooms.create({ name: 'Bench room PIN', capacity: 10, timeZone: 'Europe/Rome', provider: null, active: true });
    const pinBooking = await portal.services.bookings.create({ actor }, { title: 'Bench PIN', roomId: pinRoom.id, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), seats: 2 });
    await portal.provisioning.service.sync(pinBooking.id);
    // The form's POST, with the Accept-Encoding Chromium sends: every browser asks for a compressed
    // page, and compressing it is work (the rows measured before 2026-12-06 asked for none, bench/RESULTS.md).
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'gzip, deflate, br, zstd' };
    const guestRow = async (label: string, path: string, expect: number, post?: string, at = address, shows?: string) => {
      const probe = await fetch(`${at}${path}`, { method: post === undefined ? 'GET' : 'POST', redirect: 'manual', headers, ...(post !== undefined && { body: post }) });
      if (probe.status !== expect) throw new Error(`${label} answered ${probe.status}, not ${expect}`);
      if (shows && !(await probe.text()).includes(shows)) throw new Error(`${label} does not show ${shows}`);
      await load(`${at}${path}`, headers, Math.min(50, connections), 1, false, post);
      const here = await load(`${at}${path}`, headers, connections, seconds, false, post);
      const apart = await load(`${at}${path}`, headers, connections, seconds, true, post);
      return [comparedRow(label, here, base, 40), comparedRow(`${label}, apart`, apart, bareApart, 40)];
    };
    const open = await guestPath(booking.id, 'open', null);
    const withPin = await guestPath(pinBooking.id, 'pin', '482193');
    const guestRows = [
      ...(await guestRow('GET /g/<token> (the form)', open, 200)),
      ...(await guestRow('POST /g/<token>, open link', open, 303, 'name=Guest+Bench')),
      ...(await guestRow('POST /g/<token>, right PIN', withPin, 303, 'name=Guest+Bench&pin=482193')),
    ];
    // With telephony on, each booking has an audio conference and the guest form shows its dial-in
    // (read from the join cache): a portal of its own on the same database, wired to the ARI double.
    const ari = await AriDouble.start({ playbackMs: 10 });
    const phone = await createPortal(loadConfig({ ...env, ARI_URL: ari.url, ARI_USERNAME: ari.username, ARI_PASSWORD: ari.password, DIAL_IN_NUMBERS: 'IT:+390612345678', SIP_DOMAIN: 'audio.example.org' }), { database: scratch.database, logger: pino({ level: 'silent' }) });
    try {
      const phoneRoom = await repos.rooms.create({ name: 'Bench room phone', capacity: 10, timeZone: 'Europe/Rome', provider: null, active: true });
      const phoneBooking = await phone.services.bookings.create({ actor }, { title: 'Bench phone', roomId: phoneRoom.id, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), seats: 2 });
      const phoneGuest = new URL(phone.joining.guestUrl(await phone.joining.setGuestPolicy(ctx, phoneBooking.id, 'open', null))).pathname;
      const phoneAddress = await phone.listen({ port: 0, host: '127.0.0.1' });
      guestRows.push(...(await guestRow('GET /g/<token>, with its dial-in', phoneGuest, 200, undefined, phoneAddress, 'class="dial-in"')));
    } finally {
      await phone.close();
      await ari.close();
    }
    const lines = [
      `Join endpoint (/join → 302 with a signed Jitsi token), ${connections} concurrent clients, ${seconds} s, ${scratch.kind}`,
      `  route            req/s     p50 ms   p99 ms`,
      `  /join        ${join.rps.toFixed(0).padStart(9)}  ${join.p50.toFixed(1).padStart(8)} ${join.p99.toFixed(1).padStart(8)}${join.non3xx ? `   (${join.non3xx} not redirected: ${join.overloaded} 503 OVERLOADED, ${join.failed} no answer: ${join.errors} socket errors, ${join.timeouts} timeouts)` : ''}`,
      `  bare Fastify ${base.rps.toFixed(0).padStart(9)}  ${base.p50.toFixed(1).padStart(8)} ${base.p99.toFixed(1).padStart(8)}${base.failed ? `   (${base.failed} no answer: ${base.errors} socket errors, ${base.timeouts} timeouts)` : ''}`,
      `  ratio ${figures.ratio.toFixed(2)}  target ratio ≥ 0.5: ${figures.ratio >= 0.5 ? 'met' : 'not met'}; p99 ${(join.p99 / Math.max(1, base.p99)).toFixed(2)}× bare (target ≤ 1.2×): ${join.p99 <= 1.2 * base.p99 ? 'met' : 'not met'}; failed answers: ${join.non3xx} (target 0)`,
      `The same, at an instance logging at LOG_LEVEL=info (the default: one access line per request), to /dev/null`,
      loggedRow,
      `The same, the load generator in a process of its own (the portal keeps a core to itself)`,
      `  /join        ${joinApart.rps.toFixed(0).padStart(9)}  ${joinApart.p50.toFixed(1).padStart(8)} ${joinApart.p99.toFixed(1).padStart(8)}${joinApart.non3xx ? `   (${joinApart.non3xx} not redirected: ${joinApart.overloaded} 503 OVERLOADED, ${joinApart.failed} no answer: ${joinApart.errors} socket errors, ${joinApart.timeouts} timeouts)` : ''}`,
      `  bare Fastify ${bareApart.rps.toFixed(0).padStart(9)}  ${bareApart.p50.toFixed(1).padStart(8)} ${bareApart.p99.toFixed(1).padStart(8)}${bareApart.failed ? `   (${bareApart.failed} no answer: ${bareApart.errors} socket errors, ${bareApart.timeouts} timeouts)` : ''}`,
      `  ratio ${(joinApart.rps / bareApart.rps).toFixed(2)}; p99 ${(joinApart.p99 / Math.max(1, bareApart.p99)).toFixed(2)}× bare; failed answers: ${joinApart.non3xx}`,
      `Guests of the same meeting, ${connections} clients, ${seconds} s, each with a browser’s Accept-Encoding; "apart": the load generator in a process of its own (ratios to the bare route's rate measured the same way, above)`,
      `  route                                        req/s     p50 ms   p99 ms`,
      ...guestRows,
      `Overload: the same ${connections} clients at an instance bounded to N requests in progress (OVERLOAD_MAX_IN_FLIGHT), ${Math.min(seconds, 5)} s`,
      `  route            req/s     p50 ms   p99 ms`,
      ...overloadRows,
    ];
    return { title: 'Join endpoint', lines, figures };
  } finally {
    await bare.close();
    await portal.close();
    await scratch.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, connections: { type: 'string' }, seconds: { type: 'string' } } });
  const r = await joinBenchmark({ quick: values.quick, ...(values.connections && { connections: Number(values.connections) }), ...(values.seconds && { seconds: Number(values.seconds) }) });
  console.log(r.lines.join('\n'));
}
