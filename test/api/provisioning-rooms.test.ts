// Per-room provider settings: an Adobe Connect fixed room reassigned to each booking, and the
// no-show release of the rest of a slot.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';
import { queuedMails, roomState, settled, meetingNameOf } from './provisioning-support.ts';

let t: TestPortal;
let ac: AdobeConnectDouble;
let alice: Caller;

beforeAll(async () => {
  ac = new AdobeConnectDouble();
  await ac.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    seedRooms: false,
    env: { ADOBE_CONNECT_URL: ac.http.baseUrl, ADOBE_CONNECT_LOGIN: ac.admin.login, ADOBE_CONNECT_PASSWORD: ac.admin.password!, PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' },
  });
  alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
});
beforeEach(() => t.clock.set('2026-03-20T09:00:00Z'));
afterAll(async () => {
  await t.close();
  await ac.http.stop();
});

const newRoom = async (name: string) => (await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name, capacity: 30 } })).body.id as string;
const book = async (roomId: string, start: string, end: string) => {
  const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Lezione', roomId, start, end, seats: 10 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settled(t, res.body.id);
  return res.body.id as string;
};

describe('room provider settings', () => {
  it('are for admins, and refuse settings of another provider', async () => {
    const roomId = await newRoom('Settings room');
    expect((await t.api('GET', `/api/v1/rooms/${roomId}/provider-settings`, { as: alice })).status).toBe(403);
    expect((await t.api('GET', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin })).body).toEqual({ provider: 'adobe-connect', settings: {} });
    expect((await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { scoId: 'abc' } })).status).toBe(400);
    expect((await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { secret: 'x' } })).status).toBe(400);
    await t.api('PATCH', `/api/v1/rooms/${roomId}`, { as: t.admin, body: { provider: 'jitsi' } });
    const wrong = await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { scoId: '123' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('SETTING_NOT_FOR_PROVIDER');
  });

  it('reassign an Adobe Connect fixed room to each booking and reset it afterwards', async () => {
    const roomId = await newRoom('Aula fissa');
    const scoId = ac.fixedRoom('aula-fissa');
    const set = await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { scoId } });
    expect(set.body).toEqual({ provider: 'adobe-connect', settings: { scoId } });
    const id = await book(roomId, '2026-03-20T10:20', '2026-03-20T11:00');
    expect(await roomState(t, id)).toBe('ready');
    expect(ac.scos.get(scoId)!.name).toBe('Lezione');
    expect(ac.scos.get(scoId)!.dateBegin).toBe('2026-03-20T09:20:00Z');
    t.clock.set('2026-03-20T09:10:00Z');
    const go = await fetch(`${t.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${alice.token}` } });
    expect(go.status, await go.clone().text()).toBe(302);
    expect(go.headers.get('location')).toMatch(new RegExp(`^${ac.http.baseUrl}/aula-fissa/\\?session=`));
    expect(await ac.follow(go.headers.get('location')!)).toMatchObject({ ok: true, role: 'host' });
    t.clock.set('2026-03-20T10:16:00Z');
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id)).toBe('ended');
    expect(ac.scos.has(scoId)).toBe(true); // a fixed room is reset, never deleted
    expect([...ac.permissions.get(scoId)!.values()]).toEqual(['denied']);
    t.clock.set('2026-03-20T09:00:00Z');
  });
});

describe('no-show release', () => {
  it('releases the rest of the slot when nobody joined 15 minutes after the start', async () => {
    const roomId = await newRoom('No-show room');
    await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { noShowRelease: true } });
    const id = await book(roomId, '2026-03-20T10:20', '2026-03-20T11:20'); // 09:20Z–10:20Z
    t.clock.set('2026-03-20T09:34:00Z');
    await t.portal.provisioning.service.tick();
    expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: alice })).body.end).toBe('2026-03-20T10:20:00.000Z');
    t.clock.set('2026-03-20T09:35:00Z');
    await t.portal.provisioning.service.tick();
    const after = await t.api('GET', `/api/v1/bookings/${id}`, { as: alice });
    expect(after.body.end).toBe('2026-03-20T09:40:00.000Z'); // the next 5-minute grid point
    expect((await queuedMails(t, alice.userId)).filter((m) => m.text.includes('Nobody joined'))).toHaveLength(1);
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('keeps the slot when someone came and already left (Connect attendance report)', async () => {
    const roomId = await newRoom('Came and left room');
    await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { noShowRelease: true } });
    const id = await book(roomId, '2026-03-20T10:20', '2026-03-20T11:20');
    // Someone entered with the room's own URL, not through the portal, and left again.
    const name = await meetingNameOf(t, id);
    const sco = [...ac.scos.values()].find((s) => s.urlPath === `/${name}/`)!;
    ac.attendance.set(sco.id, [{ name: 'Walk-in', at: '2026-03-20T09:21:00Z' }]);
    t.clock.set('2026-03-20T09:40:00Z');
    await t.portal.provisioning.service.tick();
    expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: alice })).body.end).toBe('2026-03-20T10:20:00.000Z');
  });

  it('keeps the slot when someone is in the meeting, and is off by default', async () => {
    const roomId = await newRoom('Busy room');
    await t.api('PUT', `/api/v1/rooms/${roomId}/provider-settings`, { as: t.admin, body: { noShowRelease: true } });
    const id = await book(roomId, '2026-03-20T10:20', '2026-03-20T11:20');
    ac.setParticipants(id, 2);
    const plainRoom = await newRoom('Plain room');
    const plain = await book(plainRoom, '2026-03-20T10:20', '2026-03-20T11:20');
    t.clock.set('2026-03-20T09:40:00Z');
    await t.portal.provisioning.service.tick();
    expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: alice })).body.end).toBe('2026-03-20T10:20:00.000Z');
    expect((await t.api('GET', `/api/v1/bookings/${plain}`, { as: alice })).body.end).toBe('2026-03-20T10:20:00.000Z');
    t.clock.set('2026-03-20T09:00:00Z');
  });
});
