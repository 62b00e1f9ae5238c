// Jobs enqueued by a booking listener live and die with the booking's transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let failNext = false;
const jobCount = async () =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'test-booking'`.execute(t.db.database.db)).rows[0]!.n);

beforeAll(async () => {
  t = await startTestPortal();
  alice = await t.user('member', (await t.institution()).id);
  await t.portal.queue.define({ name: 'test-booking' });
  t.portal.services.bookings.onChange(async (r, e) => {
    await r.jobs.enqueue('test-booking', { bookingId: e.after.id, action: e.action });
    if (failNext) throw new Error('listener failed after enqueueing');
  });
});
afterAll(() => t.close());

describe('jobs enqueued in the booking transaction', () => {
  it('commit with the booking and reach a worker', async () => {
    const seen: { bookingId: string; action: string }[] = [];
    await t.portal.queue.work<{ bookingId: string; action: string }>('test-booking', async (d) => void seen.push(d), { pollingIntervalSeconds: 0.5 });
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Job', roomId: t.rooms[0]!.id, start: '2026-04-01T10:00', end: '2026-04-01T11:00' } });
    expect(res.status).toBe(201);
    for (let i = 0; i < 40 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(seen).toEqual([{ bookingId: res.body.id, action: 'created' }]);
  });

  it('roll back with the booking', async () => {
    const before = await jobCount();
    failNext = true;
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Rolled back', roomId: t.rooms[1]!.id, start: '2026-04-02T10:00', end: '2026-04-02T11:00' } });
    failNext = false;
    expect(res.status).toBe(500);
    expect(await jobCount()).toBe(before);
    const rows = await sql<{ n: string }>`SELECT count(*) AS n FROM bookings WHERE title = 'Rolled back'`.execute(t.db.database.db);
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });
});
