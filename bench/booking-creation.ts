// Benchmark 1: how fast the portal creates bookings over HTTP with many clients at once, against the
// floor the database sets: single-row INSERTs into the same table, with the same exclusion
// constraint, through the same driver. The ratio says what the API's work (auth, rules, seat-pool
// locks, conflict check, audit, notify) costs on top of the insert itself. A third row, the same
// INSERT with pg_notify in one transaction, isolates one known part of that cost.
import pg from 'pg';
import pino from 'pino';
import { Pool as HttpPool } from 'undici';
import { loadConfig, type Config } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { buildServices, createPortal, openPortalDatabase, systemClock } from '../src/portal.ts';
import { runClosedLoop, type LoopResult } from './closed-loop.ts';
import type { Cleanup } from './cleanup.ts';
import { startCpuWindow, type CpuShare } from './cpu.ts';
import { median, ms, num, percentile, randomInt, ratio, seededRandom, table, verdict, type Section } from './figures.ts';
import { portalEnvironment, startPortalProcess } from './portal-process.ts';
import { createScratchDatabase, describeServer, onThisMachine } from './scratch-database.ts';
import { statementLabel, statementLog } from './statement-log.ts';

export type BookingCreationOptions = {
  serverUrl: string;
  clients: number;
  warmupSeconds: number;
  seconds: number;
  seed: number;
  /** MAX_DAYS_AHEAD for this benchmark's portal; see the note printed with the figures. */
  horizonDays: number;
  /** Another system's figure to read beside this run's (printed under the table and in the summary). */
  reference?: string;
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const TARGET = 0.5;

type Slot = { roomId: string; start: Date; end: Date; seats: number };

/**
 * Random slots the portal accepts: a random room, a start on the booking grid from an hour ahead
 * (so it stays in the future for the whole run) to a day before the horizon, 30–90 minutes, 1–4
 * seats (8 rooms × 4 seats never exhaust the seat pool, so refusals come from the rooms).
 */
function slotPicker(random: () => number, policy: Config['booking'], roomIds: string[], now: number): () => Slot {
  const step = policy.granularityMinutes * MINUTE;
  const first = Math.ceil((now + 60 * MINUTE) / step);
  const last = Math.floor((now + (policy.maxDaysAhead - 1) * DAY) / step);
  const shortest = Math.ceil(30 / policy.granularityMinutes);
  const longest = Math.floor(90 / policy.granularityMinutes);
  return () => {
    const start = randomInt(random, first, last) * step;
    return {
      roomId: roomIds[randomInt(random, 0, roomIds.length - 1)]!,
      start: new Date(start),
      end: new Date(start + randomInt(random, shortest, longest) * step),
      seats: randomInt(random, 1, 4),
    };
  };
}

type Figures = {
  createdPerSecond: number;
  answersPerSecond: number;
  created: number;
  taken: number;
  other: string;
  p50: number;
  p99: number;
  cpu: CpuShare[];
};

function figures(r: LoopResult, createdLabel: string, takenLabel: string, cpu: CpuShare[]): Figures {
  const created = r.outcomes.get(createdLabel) ?? 0;
  const taken = r.outcomes.get(takenLabel) ?? 0;
  const answers = [...r.outcomes.values()].reduce((a, b) => a + b, 0);
  const other = [...r.outcomes]
    .filter(([k]) => k !== createdLabel && k !== takenLabel)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  return {
    createdPerSecond: created / r.seconds,
    answersPerSecond: answers / r.seconds,
    created,
    taken,
    other: other || '0',
    p50: median(r.latenciesMs),
    p99: percentile(r.latenciesMs, 99),
    cpu,
  };
}

/** Runs the loop and samples CPU over exactly its measured window. */
async function measure(o: Parameters<typeof runClosedLoop>[0], parties: Parameters<typeof startCpuWindow>[0]) {
  let window: ReturnType<typeof startCpuWindow> | undefined;
  let cpu: CpuShare[] = [];
  const result = await runClosedLoop({
    ...o,
    onWindow: {
      open: () => (window = startCpuWindow(parties)),
      close: () => (cpu = window?.stop() ?? []),
    },
  });
  return { result, cpu };
}

/** The SQL statements one POST /api/v1/bookings sends, counted on an in-process portal (same code as the child). */
async function statementsPerBooking(config: Config, database: Database, token: string, slots: () => Slot): Promise<string[]> {
  const log = statementLog(database);
  const portal = await createPortal(config, { database: log.database, logger: pino({ level: 'silent' }) });
  const book = async () => {
    const slot = slots();
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { authorization: `Bearer ${token}` },
      payload: { title: 'Bench meeting', roomId: slot.roomId, seats: slot.seats, start: slot.start.toISOString(), end: slot.end.toISOString() },
    });
    if (res.statusCode !== 201) throw new Error(`the counted booking was answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  };
  try {
    // The second booking is the one counted: the first use of a token also records its use.
    await book();
    return (await log.record(book)).map((q) => statementLabel(q.sql));
  } finally {
    await portal.close();
  }
}

async function checkpoint(pool: pg.Pool) {
  // Start each phase without the other's dirty pages to write; needs superuser or pg_checkpoint.
  await pool.query('CHECKPOINT').catch(() => {});
}

export async function bookingCreation(cleanup: Cleanup, o: BookingCreationOptions): Promise<Section> {
  console.log(`\n== 1. Booking creation: HTTP API vs raw INSERT, PostgreSQL, ${o.clients} concurrent clients ==`);
  const server = await describeServer(o.serverUrl);
  const scratch = await createScratchDatabase(o.serverUrl);
  cleanup.defer(`drop database ${scratch.name}`, scratch.drop);
  const env = portalEnvironment({ DATABASE_URL: scratch.url, MAX_DAYS_AHEAD: String(o.horizonDays) });
  const config = loadConfig(env);

  // Migrated, seeded and given its admin before the portal starts, as an operator would.
  const database = await openPortalDatabase({ ...config, databasePoolSize: 2 });
  cleanup.defer('close the setup pool', () => database.close());
  const services = buildServices(config, database, systemClock);
  const rooms = await services.uow.repos.rooms.list();
  const admin = await services.uow.repos.users.create({ email: 'bench-admin@example.org', name: 'Bench Admin', role: 'admin', institutionId: null, passwordHash: null });
  const actor = { userId: admin.id, role: 'admin' as const, institutionId: null };
  const tokens: string[] = [];
  for (let i = 0; i < o.clients; i++) tokens.push((await services.accounts.createToken({ actor }, `bench client ${i + 1}`)).token);
  const counted = await statementsPerBooking(config, database, tokens[0]!, slotPicker(seededRandom(o.seed + 1), config.booking, rooms.map((r) => r.id), Date.now()));
  await database.pool.query('TRUNCATE bookings CASCADE');
  const portal = await startPortalProcess(env);
  const stopPortal = cleanup.defer('stop the portal process', portal.stop);
  const policy = config.booking;

  console.log(`  ${server}, database ${scratch.name} (dropped afterwards)`);
  console.log(`  portal: child process \`node src/main.ts\` (pid ${portal.pid}, DATABASE_POOL_SIZE ${config.databasePoolSize}, LOG_LEVEL warn) on ${portal.baseUrl};`);
  console.log(`  load generator: this process, undici, ${o.clients} keep-alive connections, one admin API token per client;`);
  console.log(`  the machine's cores are shared by PostgreSQL, the portal and the load generator.`);
  console.log(
    `  each request: random room of ${rooms.length}, start on the ${policy.granularityMinutes}-minute grid from 1 h to ${policy.maxDaysAhead - 1} days ahead, 30–90 min, 1–4 seats;`,
  );
  if (o.horizonDays !== 180) {
    // Random parking on a line jams at about 75% full (Rényi's constant, 0.7476): with 60-minute
    // meetings plus the turnaround on average, that is this many bookings in 180 days.
    const jammed = (rooms.length * 0.7476 * 180 * 24 * 60) / (60 + policy.turnaroundMinutes);
    console.log(`  MAX_DAYS_AHEAD=${o.horizonDays} here (default 180): in 180 days ${rooms.length} rooms hold only about ${num(jammed, 0)} bookings placed at random,`);
    console.log(`  which the raw phase fills within seconds, after which it measures refusals; a longer horizon keeps both phases creating.`);
  }
  console.log(`  ${o.warmupSeconds} s warm-up, then ${o.seconds} s measured; each raw phase runs on the same table emptied, with the portal stopped.`);

  const roomIds = rooms.map((r) => r.id);
  const parties = [
    { label: 'portal', pid: portal.pid },
    ...(onThisMachine(o.serverUrl) ? [{ label: 'PostgreSQL', pid: 'postgres' as const }] : []),
    { label: 'load generator', pid: 'self' as const },
  ];

  // Phase 1: the API.
  await checkpoint(database.pool);
  const http = new HttpPool(portal.baseUrl, { connections: o.clients, pipelining: 1 });
  const closeHttp = cleanup.defer('close the HTTP client', () => http.close());
  const nextApiSlot = slotPicker(seededRandom(o.seed), policy, roomIds, Date.now());
  let firstOther: string | undefined;
  const api = await measure(
    {
      clients: o.clients,
      warmupMs: o.warmupSeconds * 1000,
      durationMs: o.seconds * 1000,
      request: async (client) => {
        const s = nextApiSlot();
        const res = await http.request({
          method: 'POST',
          path: '/api/v1/bookings',
          headers: { authorization: `Bearer ${tokens[client]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Bench meeting', roomId: s.roomId, seats: s.seats, start: s.start.toISOString(), end: s.end.toISOString() }),
        });
        if (res.statusCode === 201 || res.statusCode === 409) await res.body.dump();
        else firstOther ??= `${res.statusCode} ${(await res.body.text()).slice(0, 300)}`;
        return String(res.statusCode);
      },
    },
    parties,
  );
  // The contention row: every client asks for the same room at the same hour at once, round after
  // round (a new hour each round). One wins; each loser must be answered 409 with suggestions, about
  // as fast as the winner, and no deadlock may stall a round (the exclusion constraint and the
  // seat-pool locks decide; deadlocks are retried by the unit of work).
  const contention = await contend(http, tokens, roomIds[0]!, policy, o.warmupSeconds, Math.max(3, Math.round(o.seconds / 2)));
  await closeHttp();
  const portalOutput = portal.recentOutput();
  await stopPortal();

  // Phase 2: the floor — the statement PgBookingRepository.insert sends, alone. Phase 3: the same
  // INSERT with the portal's change notification (SELECT pg_notify) in one transaction: PostgreSQL
  // serialises the commits of transactions that called NOTIFY, so this row shows that cost alone.
  const raw = new pg.Pool({ connectionString: scratch.url, max: o.clients });
  raw.on('error', () => {});
  cleanup.defer('close the raw pool', () => raw.end());
  const insert = `INSERT INTO bookings (room_id, title, during, occupied, seats, booker_id)
    VALUES ($1, $2, tstzrange($3, $4, '[)'), tstzrange($3, $4::timestamptz + make_interval(mins => $5), '[)'), $6, $7)
    ON CONFLICT DO NOTHING RETURNING id`;
  const rawPhase = async (withNotify: boolean) => {
    await database.pool.query('TRUNCATE bookings CASCADE');
    await checkpoint(database.pool);
    const nextRawSlot = slotPicker(seededRandom(o.seed), policy, roomIds, Date.now());
    return measure(
      {
        clients: o.clients,
        warmupMs: o.warmupSeconds * 1000,
        durationMs: o.seconds * 1000,
        request: async () => {
          const s = nextRawSlot();
          const values = [s.roomId, 'Bench meeting', s.start, s.end, policy.turnaroundMinutes, s.seats, admin.id];
          if (!withNotify) return (await raw.query(insert, values)).rowCount === 1 ? 'inserted' : 'taken';
          const c = await raw.connect();
          try {
            await c.query('BEGIN');
            const r = await c.query(insert, values);
            await c.query(`SELECT pg_notify('booking_changes', $1)`, [JSON.stringify({ action: 'created', bookingId: r.rows[0]?.id ?? null })]);
            await c.query('COMMIT');
            return r.rowCount === 1 ? 'inserted' : 'taken';
          } finally {
            c.release();
          }
        },
      },
      parties.filter((p) => p.label !== 'portal'),
    );
  };
  const baseline = await rawPhase(false);
  const notifying = await rawPhase(true);

  const a = figures(api.result, '201', '409', api.cpu);
  const b = figures(baseline.result, 'inserted', 'taken', baseline.cpu);
  const n = figures(notifying.result, 'inserted', 'taken', notifying.cpu);
  const share = (f: Figures) => `${num((100 * f.taken) / Math.max(1, f.created + f.taken), 0)}%`;
  const row = (label: string, f: Figures) => [label, num(f.createdPerSecond), num(f.answersPerSecond), String(f.created), String(f.taken), share(f), f.other, ms(f.p50), ms(f.p99)];
  console.log(
    '\n' +
      table(
        ['', 'created/s', 'answers/s', 'created', 'taken', 'taken %', 'other', 'p50 ms', 'p99 ms'],
        [
          row('API: POST /api/v1/bookings (201 / 409)', a),
          row('baseline: raw INSERT … ON CONFLICT DO NOTHING', b),
          ['ratio API / baseline', ratio(a.createdPerSecond, b.createdPerSecond), ratio(a.answersPerSecond, b.answersPerSecond), '', '', '', '', ratio(a.p50, b.p50), ratio(a.p99, b.p99)],
          row('raw INSERT + pg_notify in one transaction', n),
          ['ratio to baseline', ratio(n.createdPerSecond, b.createdPerSecond), ratio(n.answersPerSecond, b.answersPerSecond), '', '', '', '', ratio(n.p50, b.p50), ratio(n.p99, b.p99)],
        ],
      ),
  );
  const cpuLine = (f: Figures) => f.cpu.map((c) => `${c.label} ${num(c.cores, 2)}`).join(', ');
  console.log(`\n  CPU in the measured windows, in cores busy:`);
  console.log(`    API:                ${cpuLine(a)}`);
  console.log(`    baseline:           ${cpuLine(b)}`);
  console.log(`    INSERT + pg_notify: ${cpuLine(n)}`);
  console.log(`  one POST /api/v1/bookings sends ${counted.length} SQL statements (${counted.join(', ')}); the baseline sends 1.`);
  console.log(
    `  contention, ${o.clients} clients at once on one room and hour, ${contention.rounds} rounds in ${num(contention.seconds, 1)} s: ` +
      `${contention.won} won (201), ${contention.lost} lost (409, ${contention.withSuggestions} of them with suggestions), other ${contention.other || '0'}; ` +
      `winner p50 ${ms(median(contention.winnerMs))} ms p99 ${ms(percentile(contention.winnerMs, 99))} ms, ` +
      `loser p50 ${ms(median(contention.loserMs))} ms p99 ${ms(percentile(contention.loserMs, 99))} ms; slowest round ${ms(contention.slowestRoundMs)} ms`,
  );
  if (firstOther) console.log(`  first answer other than 201/409: ${firstOther}`);
  for (const [label, r] of [['API', api], ['baseline', baseline], ['INSERT + pg_notify', notifying]] as const) {
    if (r.result.firstError) console.log(`  first ${label} error: ${r.result.firstError}`);
  }
  if (portalOutput.length > 0) console.log(`  the portal's last log lines (level warn and above):\n    ${portalOutput.slice(-5).join('\n    ')}`);

  const created = a.createdPerSecond / b.createdPerSecond;
  const answered = a.answersPerSecond / b.answersPerSecond;
  const targetLine = `${verdict(`≥ ${TARGET} (created/s API/baseline)`, Number.isFinite(created) ? created >= TARGET : undefined)}; answers/s ratio ${num(answered, 2)}`;
  console.log(`  ${targetLine}`);
  if (o.reference) console.log(`  beside: ${o.reference}`);
  return {
    title: `Booking creation, PostgreSQL, ${o.clients} clients, ${o.seconds} s (portal in a child process)`,
    lines: [
      `API: ${num(a.createdPerSecond)} created/s, ${num(a.answersPerSecond)} answers/s (${share(a)} taken), p50 ${ms(a.p50)} ms, p99 ${ms(a.p99)} ms`,
      `baseline raw INSERT: ${num(b.createdPerSecond)} inserted/s, ${num(b.answersPerSecond)} statements/s (${share(b)} taken), p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms`,
      `ratio API/baseline: ${ratio(a.createdPerSecond, b.createdPerSecond)} created/s, ${ratio(a.answersPerSecond, b.answersPerSecond)} answers/s`,
      `raw INSERT + pg_notify in one transaction: ${num(n.createdPerSecond)} inserted/s (${ratio(n.createdPerSecond, b.createdPerSecond)} of the baseline), p50 ${ms(n.p50)} ms, p99 ${ms(n.p99)} ms`,
      `statements per POST /api/v1/bookings: ${counted.length}`,
      `contention (${o.clients} clients, one room and hour, ${contention.rounds} rounds): ${contention.won} × 201, ${contention.lost} × 409 (${contention.withSuggestions} with suggestions), other ${contention.other || '0'}; ` +
        `winner p50/p99 ${ms(median(contention.winnerMs))}/${ms(percentile(contention.winnerMs, 99))} ms, loser ${ms(median(contention.loserMs))}/${ms(percentile(contention.loserMs, 99))} ms, slowest round ${ms(contention.slowestRoundMs)} ms`,
      targetLine,
      ...(o.reference ? [`beside: ${o.reference}`] : []),
    ],
  };
}

/** Rounds of every client booking the same room and hour at once (after `warmupSeconds` of rounds not counted). */
async function contend(http: HttpPool, tokens: string[], roomId: string, policy: Config['booking'], warmupSeconds: number, seconds: number) {
  const hour = 60 * MINUTE;
  // Far from the random phase's slots (which end a day before the horizon): whole hours from 2 days ahead.
  let next = Math.ceil((Date.now() + 2 * DAY) / hour) * hour;
  const out = { rounds: 0, seconds: 0, won: 0, lost: 0, withSuggestions: 0, other: '', winnerMs: [] as number[], loserMs: [] as number[], slowestRoundMs: 0 };
  const others = new Map<string, number>();
  const round = async (count: boolean) => {
    const start = new Date(next);
    next += 2 * hour;
    const end = new Date(start.getTime() + Math.max(policy.granularityMinutes, 30) * MINUTE);
    const began = performance.now();
    await Promise.all(
      tokens.map(async (token) => {
        const t0 = performance.now();
        const res = await http.request({
          method: 'POST',
          path: '/api/v1/bookings',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Contended meeting', roomId, seats: 1, start: start.toISOString(), end: end.toISOString() }),
        });
        const body = await res.body.text();
        const took = performance.now() - t0;
        if (!count) return;
        if (res.statusCode === 201) {
          out.won++;
          out.winnerMs.push(took);
        } else if (res.statusCode === 409) {
          out.lost++;
          out.loserMs.push(took);
          if (((JSON.parse(body) as { suggestions?: unknown[] }).suggestions?.length ?? 0) > 0) out.withSuggestions++;
        } else others.set(String(res.statusCode), (others.get(String(res.statusCode)) ?? 0) + 1);
      }),
    );
    if (count) out.slowestRoundMs = Math.max(out.slowestRoundMs, performance.now() - began);
  };
  for (const until = performance.now() + warmupSeconds * 1000; performance.now() < until; ) await round(false);
  const began = performance.now();
  for (const until = began + seconds * 1000; performance.now() < until; out.rounds++) await round(true);
  out.seconds = (performance.now() - began) / 1000;
  out.other = [...others].map(([k, v]) => `${k}×${v}`).join(' ');
  return out;
}
