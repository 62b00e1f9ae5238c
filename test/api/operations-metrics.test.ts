// What an operator alarms on (issue #15): the service gauges of /metrics read from the database at
// each scrape (seat pool now and in the next hour, meetings running, people in them on the web and
// on the phone, jobs and mail waiting), booking outcomes by refusal code, calls to the services by
// provider; and the minute samples usage statistics are made of.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { settled } from './provisioning-support.ts';
import { sampleOf } from '../support/metrics.ts';
import { PgUsageRepository } from '../../src/db/usage-repository.ts';

let t: TestPortal;
let bbb: BigBlueButtonDouble;
let alice: Caller;
const ids: string[] = [];

const scrape = async () => (await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: {
      BBB_URL: bbb.apiUrl,
      BBB_SECRET: bbb.secret,
      BBB_CHECKSUM: 'sha1',
      SEAT_POOL: '100',
      PROVISIONING_TICK_SECONDS: '0',
      PROVISIONING_RECONCILE_MINUTES: '0',
      HOUSEKEEPING_TICK_SECONDS: '0',
    },
  });
  alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
  // Europe/Rome is UTC+1 in March: 10:10 local is 09:10Z.
  for (const [room, start, end, seats] of [
    [0, '2026-03-20T10:10', '2026-03-20T11:10', 20],
    [1, '2026-03-20T10:30', '2026-03-20T11:30', 30],
    [2, '2026-03-20T11:15', '2026-03-20T12:15', 40],
  ] as const) {
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Lezione', roomId: t.rooms[room]!.id, start, end, seats } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(res.body.id as string);
  }
  await settled(t, ids[0]!);
  await settled(t, ids[1]!);
});
afterAll(async () => {
  await t?.close();
  await bbb?.http.stop().catch(() => {});
});

describe('booking outcomes', () => {
  it('counts created bookings and each refusal by its code', async () => {
    const taken = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Doppione', roomId: t.rooms[0]!.id, start: '2026-03-20T10:30', end: '2026-03-20T11:00', seats: 5 } });
    expect(taken.status).toBe(409);
    const text = await scrape();
    expect(sampleOf(text, 'webmeetings_bookings_total', { action: 'create', outcome: 'ok' })).toBe(3);
    expect(sampleOf(text, 'webmeetings_bookings_total', { action: 'create', outcome: taken.body.code as string })).toBe(1);
  });
});

describe('the service now', () => {
  it('reports the seat pool in use, the peak booked in the next hour and the meetings running', async () => {
    t.clock.set('2026-03-20T09:40:00Z');
    const text = await scrape();
    expect(sampleOf(text, 'webmeetings_seat_pool_seats', { state: 'size' })).toBe(100);
    expect(sampleOf(text, 'webmeetings_seat_pool_seats', { state: 'in_use' })).toBe(50);
    // 10:10Z the first ends, 10:15Z the third starts beside the second: 30 + 40, not 20 + 30 + 40.
    expect(sampleOf(text, 'webmeetings_seat_pool_seats', { state: 'booked_next_hour' })).toBe(70);
    expect(sampleOf(text, 'webmeetings_meetings_running')).toBe(2);
  });

  it('samples each running meeting once a minute and reports the people in them, web and phone', async () => {
    bbb.setParticipants(ids[0]!, 7);
    bbb.setParticipants(ids[1]!, 3);
    await sql`INSERT INTO phone_participants (channel_id, booking_id, role, caller) VALUES
      ('ch-1', ${ids[1]!}::uuid, 'participant', '+39 06 1234'), ('ch-room', ${ids[1]!}::uuid, 'room', 'room leg')`.execute(t.portal.database.db);
    expect(await t.portal.sampler.sampleNow()).toBe(2);
    // The same minute again adds nothing (a retried or doubled run).
    expect(await t.portal.sampler.sampleNow()).toBe(0);
    const rows = await sql<{ web: number; phone: number }>`SELECT web, phone FROM usage_samples ORDER BY web DESC`.execute(t.portal.database.db);
    expect(rows.rows).toEqual([
      { web: 7, phone: 0 },
      { web: 3, phone: 1 },
    ]);
    const text = await scrape();
    expect(sampleOf(text, 'webmeetings_participants', { kind: 'web' })).toBe(10);
    expect(sampleOf(text, 'webmeetings_participants', { kind: 'phone' })).toBe(1);
    expect(sampleOf(text, 'webmeetings_provider_call_duration_seconds_count', { provider: 'bigbluebutton', operation: 'participantCount', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
  });

  it('forgets a sample older than three minutes: a meeting whose service went quiet is not counted', async () => {
    t.clock.set('2026-03-20T09:44:00Z');
    expect(sampleOf(await scrape(), 'webmeetings_participants', { kind: 'web' })).toBe(0);
  });

  it('reports the jobs and the mail waiting, with the age of the oldest', async () => {
    const id = await t.portal.queue.enqueue(undefined, 'mail-deliver', { to: 'x@example.org', subject: 's', text: 't' }, { startAfter: new Date(Date.now() + 3_600_000) });
    // Made two hours ago, due in an hour: waiting, but not late (the age counts from when it is due).
    await sql`UPDATE pgboss.job SET created_on = now() - interval '2 hours' WHERE id = ${id}::uuid`.execute(t.portal.database.db);
    const text = await scrape();
    expect(sampleOf(text, 'webmeetings_jobs', { queue: 'mail-deliver', state: 'created' })).toBeGreaterThanOrEqual(1);
    expect(sampleOf(text, 'webmeetings_mail_queue', { stat: 'length' })).toBeGreaterThanOrEqual(1);
    // Other mail of this file's bookings may be a few seconds behind on a busy machine, never hours.
    expect(sampleOf(text, 'webmeetings_mail_queue', { stat: 'oldest' })).toBeLessThan(600);
    expect(sampleOf(text, 'webmeetings_jobs_oldest_seconds', { queue: 'mail-deliver', state: 'created' })).toBeLessThan(600);
    // The pool's own counters, read before the scrape's own queries (obs-pool-metrics.test.ts).
    expect(sampleOf(text, 'webmeetings_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sampleOf(text, 'webmeetings_db_pool_connections', { state: 'waiting' })).toBeGreaterThanOrEqual(0);
  });

  it('purges samples past the retention', async () => {
    await sql`INSERT INTO usage_samples (booking_id, at, web, phone) VALUES (${ids[0]!}::uuid, now() - interval '800 days', 1, 0)`.execute(t.portal.database.db);
    const usage = new PgUsageRepository(t.portal.database.db);
    expect(await usage.purge(730)).toBe(1);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_samples`.execute(t.portal.database.db)).rows[0]!.n).toBe(2);
  });

  it('counts a failed call to a service and records no sample for a meeting it could not count', async () => {
    t.clock.set('2026-03-20T09:50:00Z');
    await bbb.http.stop();
    expect(await t.portal.sampler.sampleNow()).toBe(0);
    expect(sampleOf(await scrape(), 'webmeetings_provider_call_errors_total', { provider: 'bigbluebutton', operation: 'participantCount' })).toBeGreaterThanOrEqual(2);
  });
});
