// A booking whose room is prepared later (start - PROVISIONING_LEAD_MINUTES still ahead) gets its
// pending provisioning row in its own transaction and no sync job (jobs/provisioning.ts); the
// periodic tick prepares the room when the row falls due. Fixed clock; the tick is called by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';
import { learnMeetingKeys, roomState, settled } from './provisioning-support.ts';

let t: TestPortal;
let ac: AdobeConnectDouble;
let alice: Caller;

beforeAll(async () => {
  ac = new AdobeConnectDouble();
  await ac.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: {
      ADOBE_CONNECT_URL: ac.http.baseUrl,
      ADOBE_CONNECT_LOGIN: ac.admin.login,
      ADOBE_CONNECT_PASSWORD: ac.admin.password!,
      // On, but an hour apart: the test runs each tick itself.
      PROVISIONING_TICK_SECONDS: '3600',
      PROVISIONING_LEAD_MINUTES: '30',
      PROVISIONING_RECONCILE_MINUTES: '0',
    },
  });
  alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
});
afterAll(async () => {
  await t.close();
  await ac.http.stop();
});

const book = async (start: string, end: string, roomIndex: number) => {
  const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Consiglio di corso', roomId: t.rooms[roomIndex]!.id, start, end, seats: 5 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
const syncJobs = async (bookingId: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'provisioning.sync' AND data->>'bookingId' = ${bookingId}`.execute(t.db.database.db)).rows[0]!.n);
const row = async (bookingId: string) =>
  (await sql<{ state: string; provider: string; due_at: Date | null }>`SELECT state, provider, due_at FROM provider_meetings WHERE booking_id = ${bookingId}`.execute(t.db.database.db)).rows[0];

describe('a room prepared only shortly before its start', () => {
  it('is pending from the booking on, due at start minus lead, with no sync job', async () => {
    const id = await book('2026-03-21T15:00', '2026-03-21T16:00', 0); // 14:00Z
    await learnMeetingKeys(t); // the double finds meetings by their secret name
    expect(await syncJobs(id)).toBe(0);
    expect(await row(id)).toEqual({ state: 'pending', provider: 'adobe-connect', due_at: new Date('2026-03-21T13:30:00Z') });
    expect(ac.meetingCount(id)).toBe(0);
    const room = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    expect(room.status).toBe(200);
    // Until it is due the API calls it scheduled (it is not being prepared for a day and a half).
    expect(room.body).toMatchObject({ state: 'scheduled', provider: 'adobe-connect' });

    // The tick before it is due leaves it alone; the one at start - lead prepares it before its start.
    t.clock.set('2026-03-21T13:29:00Z');
    await t.portal.provisioning.service.tick();
    expect(ac.meetingCount(id)).toBe(0);
    expect((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.state).toBe('scheduled');
    t.clock.set('2026-03-21T13:30:00Z');
    // Due and not yet made (the tick has not run): being prepared.
    expect((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.state).toBe('pending');
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id)).toBe('ready');
    expect(ac.meetingCount(id)).toBe(1);
    expect(ac.meeting(id)!.start!.toISOString()).toBe('2026-03-21T14:00:00.000Z');

    // Once it has ended the room reads as ended, as the join page says, before any reset has run.
    t.clock.set('2026-03-21T14:59:59Z');
    expect((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.state).toBe('ready');
    t.clock.set('2026-03-21T15:00:00Z');
    expect((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.state).toBe('ended');
    expect(await row(id)).toMatchObject({ state: 'ready' });
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('follows a move before it is prepared: the sync job of the change moves the due time', async () => {
    const id = await book('2026-03-22T15:00', '2026-03-22T16:00', 1);
    const moved = await t.api('PATCH', `/api/v1/bookings/${id}`, { as: alice, body: { start: '2026-03-23T11:00', end: '2026-03-23T12:00' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await syncJobs(id)).toBe(1);
    await settled(t, id);
    expect(await row(id)).toMatchObject({ state: 'pending', due_at: new Date('2026-03-23T09:30:00Z') });
    t.clock.set('2026-03-22T13:30:00Z'); // the old due time: nothing to do
    await t.portal.provisioning.service.tick();
    expect(ac.meetingCount(id)).toBe(0);
    t.clock.set('2026-03-23T09:30:00Z');
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id)).toBe('ready');
    expect(ac.meeting(id)!.start!.toISOString()).toBe('2026-03-23T10:00:00.000Z');
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('still prepares at once a booking that starts within the lead time', async () => {
    const id = await book('2026-03-20T10:20', '2026-03-20T10:50', 2); // 09:20Z, in 20 minutes
    expect(await syncJobs(id)).toBe(1);
    await settled(t, id);
    expect(await roomState(t, id)).toBe('ready');
    expect(ac.meetingCount(id)).toBe(1);
  });

  it('writes no row for a booking that was refused (the row rolls back with it)', async () => {
    const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM provider_meetings`.execute(t.db.database.db)).rows[0]!.n);
    const before = await count();
    const clash = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Clash', roomId: t.rooms[0]!.id, start: '2026-03-21T15:30', end: '2026-03-21T16:00', seats: 5 } });
    expect(clash.status).toBe(409);
    expect(await count()).toBe(before);
  });
});
