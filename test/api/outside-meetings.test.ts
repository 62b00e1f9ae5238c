// Meetings made on a conferencing service without the portal (issue #17): reconcile records them,
// administrators see them, adopt one as a booking by the booking rules, or remove it on the service.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let bbb: BigBlueButtonDouble;
let alice: Caller;
let room: string;

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: { BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, BBB_CHECKSUM: 'sha1', DEFAULT_PROVIDER: 'bigbluebutton', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' },
  });
  alice = await t.user('member', (await t.institution()).id, 'Alice Owner');
  room = t.rooms.find((r) => r.name === 'Sala Volta')!.id;
});
afterAll(async () => {
  await t.close();
  await bbb.http.stop();
});

type Item = { id: string; provider: string; providerMeetingId: string; name: string; status: string; bookingId: string | null };
const list = async (as: Caller = t.admin) => {
  const r = await t.api<{ items: Item[] }>('GET', '/api/v1/admin/outside-meetings', { as });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
};
const byName = async (id: string) => (await list()).find((m) => m.providerMeetingId === id);

describe('meetings made outside the portal', () => {
  it('are recorded by reconcile and listed for administrators only', async () => {
    bbb.plantOutside('corso-fisica', 'Corso di fisica');
    bbb.plantOutside('riunione-cda', 'Riunione CdA');
    await t.portal.provisioning.service.reconcile();
    expect(await byName('corso-fisica')).toMatchObject({ provider: 'bigbluebutton', name: 'Corso di fisica', status: 'open', bookingId: null });
    expect(await byName('riunione-cda')).toMatchObject({ name: 'Riunione CdA', status: 'open' });
    // Reconcile leaves them running: the portal did not make them, so it does not release them.
    expect(bbb.isEnded('corso-fisica')).toBe(false);
    const member = await t.api('GET', '/api/v1/admin/outside-meetings', { as: alice });
    expect(member.status).toBe(403);
  });

  it('adopted as a booking: booked by the rules in the owner’s name, and listed as adopted while the service still has it', async () => {
    const m = (await byName('corso-fisica'))!;
    const r = await t.api('POST', `/api/v1/admin/outside-meetings/${m.id}/adopt`, { as: t.admin, body: { roomId: room, ownerId: alice.userId, start: '2026-03-24T10:00', end: '2026-03-24T12:00', seats: 20 } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.linked).toBe(false);
    expect(r.body.meeting).toMatchObject({ status: 'adopted', bookingId: r.body.booking.id });
    expect(r.body.booking).toMatchObject({ title: 'Corso di fisica', roomId: room, seats: 20, booker: { id: alice.userId, name: 'Alice Owner' }, institutionId: alice.institutionId, startLocal: '2026-03-24T10:00:00+01:00' });
    expect(await byName('corso-fisica')).toMatchObject({ status: 'adopted', bookingId: r.body.booking.id });
    const again = await t.api('POST', `/api/v1/admin/outside-meetings/${m.id}/adopt`, { as: t.admin, body: { roomId: room, ownerId: alice.userId, start: '2026-03-25T10:00', end: '2026-03-25T12:00' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('OUTSIDE_MEETING_SETTLED');
    // Seen again by the next reconcile, it stays adopted; gone from the service, it leaves the list.
    await t.portal.provisioning.service.reconcile();
    expect(await byName('corso-fisica')).toMatchObject({ status: 'adopted' });
    bbb.dropMeeting('corso-fisica');
    await t.portal.provisioning.service.reconcile();
    expect(await byName('corso-fisica')).toBeUndefined();
  });

  it('refused by the booking rules when its time is taken, and stays listed', async () => {
    const m = (await byName('riunione-cda'))!;
    const r = await t.api('POST', `/api/v1/admin/outside-meetings/${m.id}/adopt`, { as: t.admin, body: { roomId: room, ownerId: alice.userId, start: '2026-03-24T11:00', end: '2026-03-24T12:00' } });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body.code).toBe('ROOM_TAKEN');
    expect(await byName('riunione-cda')).toMatchObject({ status: 'open' });
  });

  it('removed: ended on the service, and gone from the list', async () => {
    const m = (await byName('riunione-cda'))!;
    const member = await t.api('POST', `/api/v1/admin/outside-meetings/${m.id}/remove`, { as: alice });
    expect(member.status).toBe(403);
    const r = await t.api('POST', `/api/v1/admin/outside-meetings/${m.id}/remove`, { as: t.admin });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('removed');
    expect(bbb.isEnded('riunione-cda')).toBe(true);
    await t.portal.provisioning.service.reconcile();
    expect(await byName('riunione-cda')).toBeUndefined();
  });

  it('leaves out a room’s own fixed meeting (Adobe Connect scoId) and a meeting a booking holds', async () => {
    await sql`UPDATE rooms SET provider_settings = '{"scoId":"90210"}' WHERE id = ${room}`.execute(t.db.database.db);
    await t.portal.provisioning.outside.record('adobe-connect', [
      { ref: { id: '90210' }, name: 'Sala Volta (fixed)', start: null, end: null },
      { ref: { id: '90211' }, name: 'Webinar', start: null, end: null },
    ]);
    const adobe = (await list()).filter((m) => m.provider === 'adobe-connect');
    expect(adobe.map((m) => m.name)).toEqual(['Webinar']);
    await sql`UPDATE rooms SET provider_settings = '{}' WHERE id = ${room}`.execute(t.db.database.db);
  });

  it('one that ends on the service by itself is no longer listed', async () => {
    bbb.plantOutside('seminario', 'Seminario');
    await t.portal.provisioning.service.reconcile();
    expect(await byName('seminario')).toMatchObject({ status: 'open' });
    bbb.plantOutside('seminario-2', 'Seminario 2');
    bbb.dropMeeting('seminario');
    await t.portal.provisioning.service.reconcile();
    expect(await byName('seminario')).toBeUndefined();
    expect(await byName('seminario-2')).toMatchObject({ status: 'open' });
  });
});
