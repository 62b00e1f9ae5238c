// A provisioning job whose worker died (a SIGKILLed instance) must not wait pg-boss's 15-minute
// expiry: the queue carries an expiry sized from the work and a heartbeat, and the admins' page
// lists jobs whose worker stopped beating.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_QUEUE } from '../../src/jobs/provisioning.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
beforeAll(async () => {
  t = await startTestPortal({ env: { PROVIDER_TIMEOUT_MS: '5000', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' } });
});
afterAll(() => t.close());

describe('provisioning jobs of a dead worker', () => {
  it('gives the sync queue an expiry from the providers’ deadline and a heartbeat', async () => {
    const q = await sql<{ expire_seconds: number; heartbeat_seconds: number | null }>`SELECT expire_seconds, heartbeat_seconds FROM pgboss.queue WHERE name = ${SYNC_QUEUE}`.execute(t.db.database.db);
    // Six calls of 5 s and a margin: a minute, not 900 s.
    expect(q.rows[0]).toEqual({ expire_seconds: 60, heartbeat_seconds: 10 });
  });

  it('lists an active job whose worker stopped beating on the admins’ page, and not a live one', async () => {
    const bookingId = '00000000-0000-4000-8000-0000000000aa';
    const live = '00000000-0000-4000-8000-0000000000bb';
    // What a killed instance leaves behind: the job active, its heartbeat a minute old.
    await sql`INSERT INTO pgboss.job (id, name, data, state, started_on, heartbeat_on, heartbeat_seconds)
              VALUES (gen_random_uuid(), ${SYNC_QUEUE}, ${JSON.stringify({ bookingId, action: 'created' })}::jsonb, 'active', now() - interval '2 minutes', now() - interval '1 minute', 10),
                     (gen_random_uuid(), ${SYNC_QUEUE}, ${JSON.stringify({ bookingId: live, action: 'created' })}::jsonb, 'active', now() - interval '2 minutes', now(), 10)`.execute(t.db.database.db);
    const res = await t.api('GET', '/api/v1/admin/provisioning/jobs', { as: t.admin });
    expect(res.status).toBe(200);
    expect(res.body.stalled.map((j: { bookingId: string }) => j.bookingId)).toEqual([bookingId]);
    expect(res.body.stalled[0].heartbeatAt).toBeTruthy();
  });
});
