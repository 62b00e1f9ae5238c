// Benchmark: a weekly series of 200 occurrences booked in one request (one transaction, every
// occurrence under the single-booking rules), beside the same 200 meetings booked one by one.
// On PostgreSQL (DATABASE_URL, default the local server) in a scratch database dropped afterwards.
// Measured twice: the whole portal (every booking listener of every module runs per occurrence:
// provisioning, mail) and the booking core alone (rules, insert, audit, live notice; no
// listeners), so a slow listener shows as the difference. Target: < 300 ms per series.
//   node bench/series.ts [--runs N]        (npm run bench calls runSeriesBench())
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDefaultRooms } from '../src/db/seed.ts';
import { buildServices, createPortal, systemClock } from '../src/portal.ts';
import type { Services } from '../src/http/services.ts';
import type { CallContext, Room } from '../src/ports.ts';
import { median, ms, table, verdict } from './figures.ts';
import { createScratchDatabase, DEFAULT_SERVER_URL, describeServer } from './scratch-database.ts';

const TARGET_MS = 300;
const OCCURRENCES = 200;
const WEEK = 7 * 86_400_000;

export type SeriesBenchResult = { portalMs: number[]; coreMs: number[]; singlesMs: number[]; report: string };

type Lane = { room: Room; hour: number };

async function bookSeries(services: Services, ctx: CallContext, lane: Lane, label: string): Promise<number> {
  const hh = String(lane.hour).padStart(2, '0');
  const began = performance.now();
  const outcome = await services.series.create(ctx, {
    title: `Bench ${label}`,
    roomId: lane.room.id,
    seats: 5,
    start: `2027-01-04T${hh}:00`,
    end: `2027-01-04T${hh}:45`,
    rrule: `FREQ=WEEKLY;COUNT=${OCCURRENCES}`,
    mode: 'all-or-nothing',
  });
  const took = performance.now() - began;
  if (outcome.booked.length !== OCCURRENCES) throw new Error(`series booked ${outcome.booked.length} of ${OCCURRENCES}`);
  return took;
}

export async function runSeriesBench(opts: { serverUrl?: string; runs?: number } = {}): Promise<SeriesBenchResult> {
  const serverUrl = opts.serverUrl ?? process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
  const runs = opts.runs ?? 5;
  const scratch = await createScratchDatabase(serverUrl);
  // Telephony on: each occurrence gets its dial-in PINs inside the booking transaction. No Asterisk
  // needs to answer for that (the events socket just keeps retrying a closed port).
  const config = loadConfig({
    DATABASE_URL: scratch.url,
    LOG_LEVEL: 'silent',
    MAX_DAYS_AHEAD: '3650',
    SEED_DEFAULT_ROOMS: 'false',
    ARI_URL: 'http://127.0.0.1:9/ari',
    ARI_USERNAME: 'bench',
    ARI_PASSWORD: 'bench',
    DIAL_IN_NUMBERS: '+390612345678',
  });
  const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 10 });
  try {
    await migrate(database.db);
    await seedDefaultRooms(database.db, config.booking.defaultTimeZone);
    const portal = await createPortal(config, { database, logger: pino({ level: 'silent' }) });
    try {
      const full = portal.services;
      // The same use-cases on the same database, with no module listening to bookings but the
      // dial-in PINs (buildServices registers them: they belong to the booking transaction).
      const core = buildServices(config, database, systemClock);
      const rooms = await full.uow.repos.rooms.list();
      const uni = await full.uow.repos.institutions.create({ name: 'Bench', scopes: [], subscriptionStart: '2026-01-01', subscriptionEnd: '2035-12-31', monthlyQuotaHours: null });
      const user = await full.uow.repos.users.create({ email: 'bench-series@example.org', name: 'Bench', role: 'member', institutionId: uni.id, passwordHash: null });
      const ctx: CallContext = { actor: { userId: user.id, role: 'member', institutionId: uni.id } };
      // Each series gets a room and an hour of its own, so none competes with another.
      const lanes: Lane[] = rooms.flatMap((room) => [8, 10, 12, 14].map((hour) => ({ room, hour })));
      if (lanes.length < 2 * runs + 1) throw new Error(`only ${lanes.length} free lanes for ${runs} runs`);
      await bookSeries(core, ctx, lanes.pop()!, 'warm-up');
      const portalMs: number[] = [];
      const coreMs: number[] = [];
      for (let run = 0; run < runs; run++) {
        portalMs.push(await bookSeries(full, ctx, lanes.pop()!, `portal ${run}`));
        coreMs.push(await bookSeries(core, ctx, lanes.pop()!, `core ${run}`));
      }
      // Baseline: the same 200 weekly meetings, one request each, through the whole portal.
      const lane = lanes.pop()!;
      const first = new Date(`2027-01-05T${String(lane.hour).padStart(2, '0')}:00:00+01:00`).getTime();
      const singlesMs: number[] = [];
      for (let i = 0; i < OCCURRENCES; i++) {
        const start = new Date(first + i * WEEK);
        const began = performance.now();
        await full.bookings.create(ctx, { title: `Bench single ${i}`, roomId: lane.room.id, seats: 5, start: start.toISOString(), end: new Date(start.getTime() + 45 * 60_000).toISOString() });
        singlesMs.push(performance.now() - began);
      }
      const singlesTotal = singlesMs.reduce((a, b) => a + b, 0);
      const report = [
        `Series: a weekly series of ${OCCURRENCES} occurrences in one request, ${runs} runs (${await describeServer(serverUrl)})`,
        table(
          ['', 'median ms', 'best ms', 'worst ms'],
          [
            [`series of ${OCCURRENCES}, whole portal (all listeners)`, ms(median(portalMs)), ms(Math.min(...portalMs)), ms(Math.max(...portalMs))],
            [`series of ${OCCURRENCES}, booking core (no listeners)`, ms(median(coreMs)), ms(Math.min(...coreMs)), ms(Math.max(...coreMs))],
            [`baseline: ${OCCURRENCES} single bookings one by one (total)`, ms(singlesTotal), '', ''],
            ['  per single booking', ms(median(singlesMs)), ms(Math.min(...singlesMs)), ms(Math.max(...singlesMs))],
          ],
        ),
        `  ${verdict(`< ${TARGET_MS} ms per series (whole portal)`, median(portalMs) < TARGET_MS)}`,
        `  ${verdict(`< ${TARGET_MS} ms per series (booking core)`, median(coreMs) < TARGET_MS)}`,
      ].join('\n');
      return { portalMs, coreMs, singlesMs, report };
    } finally {
      await portal.close();
    }
  } finally {
    await database.close();
    await scratch.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--runs');
  const result = await runSeriesBench(at > 0 ? { runs: Number(process.argv[at + 1]) } : {});
  console.log(result.report);
}
