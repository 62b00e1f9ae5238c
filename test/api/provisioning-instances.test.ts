// Two server instances on one database: each booking is provisioned once, whichever instance takes
// its job or its due time (pg-boss hands a job to one worker; a lease in the database keeps two
// instances off one booking).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { createPortal, type Portal } from '../../src/portal.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { bookingsStatesCount, settled, meetingNameOf } from './provisioning-support.ts';

let t: TestPortal;
let second: Portal;
let secondDb: Database | undefined;
let bbb: BigBlueButtonDouble;
let alice: Caller;

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    seedRooms: false,
    env: { BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', SEAT_POOL: '1000' },
  });
  // On PostgreSQL the second instance has its own pool, as another process would.
  secondDb = t.db.url ? await openDatabase({ databaseUrl: t.db.url, poolSize: 10 }) : undefined;
  second = await createPortal(t.config, { clock: t.clock, database: secondDb ?? t.db.database, logger: pino({ level: 'silent' }) });
  alice = await t.user('member', (await t.institution()).id);
});
afterAll(async () => {
  await second.close();
  await secondDb?.close();
  await t.close();
  await bbb.http.stop();
});

describe('two instances', () => {
  it('prepare each of 40 bookings exactly once', async () => {
    bbb.http.delayMs = 30;
    bbb.http.failures = { status: 503, left: 40 }; // the first calls fail: due times and retries matter
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const room = await t.portal.services.uow.repos.rooms.create({ name: `Instance room ${i}`, capacity: 4, timeZone: 'Europe/Rome', provider: null, active: true });
      const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Both', roomId: room.id, start: '2026-03-20T10:20', end: '2026-03-20T11:00', seats: 2 } });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    for (const id of ids) await settled(t, id);
    for (let s = 10; s <= 600 && (await bookingsStatesCount(t)).ready !== 40; s += 10) {
      t.clock.set(new Date(Date.parse('2026-03-20T09:00:00Z') + s * 1000).toISOString());
      await Promise.all([t.portal.provisioning.service.tick(), second.provisioning.service.tick(), t.portal.provisioning.service.tick(), second.provisioning.service.tick()]);
    }
    expect(await bookingsStatesCount(t)).toEqual({ ready: 40 });
    // One successful call per booking: one prepare, and no update since nothing changed.
    const { rows } = await sql<{ booking_id: string; n: string }>`SELECT booking_id, count(*) AS n FROM provisioning_attempts WHERE ok GROUP BY booking_id`.execute(t.db.database.db);
    expect(rows).toHaveLength(40);
    for (const r of rows) expect(Number(r.n)).toBe(1);
    for (const id of ids) {
      expect(bbb.createCount(id)).toBe(1);
      // Not even a repeated (idempotent) create: no two instances worked on one booking at once.
      // A create refused for a voice bridge already taken is the adapter's next try (§7), not a
      // repeat: two of 40 meetings' derived bridges (of 90,000) meet in about one run in a hundred.
      const name = await meetingNameOf(t, id);
      expect(bbb.createCalls.get(name)! - (bbb.bridgeRefusals.get(name) ?? 0)).toBe(1);
    }
  });
});
