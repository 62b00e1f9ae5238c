// The booking rows on the embedded PGlite (the default database), to print beside PostgreSQL's:
// POST /api/v1/bookings with 8 and 32 concurrent clients, and a weekly series of 200, through the
// whole portal, which here runs in this process (PGlite is in-process: there is no child process
// to put it in) beside the load generator. The raw-INSERT baseline runs on the same PGlite.
//   node bench/pglite-rows.ts [--quick]      (npm run bench -- --only pglite)
//
// What PGlite cannot reach, and why: it is one PostgreSQL backend compiled to WebAssembly, with one
// session, in the portal's own event loop. Every statement of every request waits its turn on that
// one session (the portal's pool has one connection), and the database's work takes the portal's
// own CPU time: concurrent clients queue, they do not run in parallel. So its booking rate is
// bounded by one core shared with HTTP, and more clients only add latency.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDefaultRooms } from '../src/db/seed.ts';
import { createPortal } from '../src/portal.ts';
import { runClosedLoop } from './closed-loop.ts';
import { median, ms, num, percentile, randomInt, seededRandom, table, type Section } from './figures.ts';

const MINUTE = 60_000;

export async function pgliteRows(o: { quick?: boolean } = {}): Promise<Section> {
  const seconds = o.quick ? 3 : 8;
  const database = await openDatabase({ memory: true });
  await migrate(database.db);
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEFAULT_ROOMS: 'false', MAX_DAYS_AHEAD: '3650', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' });
  await seedDefaultRooms(database.db, config.booking.defaultTimeZone);
  const portal = await createPortal(config, { database, logger: pino({ level: 'silent' }) });
  const lines: string[] = [];
  try {
    const repos = portal.services.uow.repos;
    const rooms = await repos.rooms.list();
    const admin = await repos.users.create({ email: 'bench-pglite@example.org', name: 'Bench', role: 'admin', institutionId: null, passwordHash: null });
    const actor = { userId: admin.id, role: 'admin' as const, institutionId: null };
    const { token } = await portal.services.accounts.createToken({ actor }, 'bench');
    const base = await portal.listen({ port: 0, host: '127.0.0.1' });
    const random = seededRandom(20_260_326);
    const step = config.booking.granularityMinutes * MINUTE;
    const first = Math.ceil((Date.now() + 60 * MINUTE) / step);
    const last = Math.floor((Date.now() + 3640 * 24 * 60 * MINUTE) / step);
    const slot = () => {
      const start = randomInt(random, first, last) * step;
      return { roomId: rooms[randomInt(random, 0, rooms.length - 1)]!.id, start: new Date(start), end: new Date(start + randomInt(random, 6, 18) * step), seats: randomInt(random, 1, 4) };
    };
    // A series of 200 weekly occurrences, whole portal, each in a lane of its own.
    const seriesMs: number[] = [];
    for (const [k, room] of rooms.slice(0, o.quick ? 2 : 4).entries()) {
      const began = performance.now();
      const res = await fetch(`${base}/api/v1/series`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Bench series', roomId: room.id, seats: 5, start: `2027-01-0${4 + k}T07:00`, end: `2027-01-0${4 + k}T07:45`, rrule: 'FREQ=WEEKLY;COUNT=200', mode: 'all-or-nothing' }),
      });
      const body = (await res.json()) as { booked?: unknown[] };
      if (res.status !== 201 || body.booked?.length !== 200) throw new Error(`series answered ${res.status}: ${JSON.stringify(body).slice(0, 200)}`);
      seriesMs.push(performance.now() - began);
    }
    const rows: string[][] = [];
    for (const clients of [8, 32]) {
      const api = await runClosedLoop({
        clients,
        warmupMs: 1000,
        durationMs: seconds * 1000,
        request: async () => {
          const s = slot();
          const res = await fetch(`${base}/api/v1/bookings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ title: 'Bench meeting', roomId: s.roomId, seats: s.seats, start: s.start.toISOString(), end: s.end.toISOString() }),
          });
          await res.arrayBuffer();
          return String(res.status);
        },
      });
      const raw = await runClosedLoop({
        clients,
        warmupMs: 1000,
        durationMs: seconds * 1000,
        request: async () => {
          const s = slot();
          const r = await database.pool.query(
            `INSERT INTO bookings (room_id, title, during, occupied, seats, booker_id)
             VALUES ($1, 'Bench', tstzrange($2, $3, '[)'), tstzrange($2, $3::timestamptz + make_interval(mins => 15), '[)'), $4, $5) ON CONFLICT DO NOTHING`,
            [s.roomId, s.start, s.end, s.seats, admin.id],
          );
          return r.rowCount === 1 ? 'inserted' : 'taken';
        },
      });
      const created = (api.outcomes.get('201') ?? 0) / api.seconds;
      const inserted = (raw.outcomes.get('inserted') ?? 0) / raw.seconds;
      rows.push([`POST /api/v1/bookings, ${clients} clients`, num(created), ms(percentile(api.latenciesMs, 50)), ms(percentile(api.latenciesMs, 99)), num(inserted), num(created / Math.max(1, inserted), 2)]);
      if (api.firstError) lines.push(`  ${clients} clients: first error ${api.firstError}`);
      const refused = api.outcomes.get('503') ?? 0;
      if (refused) lines.push(`  ${clients} clients: ${refused} answers were 503 OVERLOADED (the event loop behind by more than OVERLOAD_EVENT_LOOP_DELAY_MS)`);
    }
    lines.unshift(
      `PGlite (in memory), the portal in this process with the load generator; ${seconds} s per row after 1 s warm-up; baseline: raw INSERT on the same PGlite`,
      table(['', 'created/s', 'p50 ms', 'p99 ms', 'raw INSERT/s', 'ratio'], rows),
      `  series of 200 (whole portal, HTTP): median ${ms(median(seriesMs))} ms, best ${ms(Math.min(...seriesMs))} ms, worst ${ms(Math.max(...seriesMs))} ms (${seriesMs.length} runs)`,
      `  PGlite is one backend with one session in the portal's event loop: requests queue on it and its CPU is the portal's, so more clients add latency, not rate.`,
    );
    return { title: 'Booking rows on PGlite', lines };
  } finally {
    await portal.close();
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  console.log((await pgliteRows({ quick: values.quick })).lines.join('\n'));
}
