// End to end on Adobe Connect (its double): book → the prepare job runs → the double has the
// meeting with the booker as host → /join redirects to a URL the double accepts as host → the guest
// link joins as attendee → after the end the meeting is released.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';
import { invite, roomState, settled, meetingNameOf } from './provisioning-support.ts';

let t: TestPortal;
let ac: AdobeConnectDouble;
let alice: Caller;
let bob: Caller;
let manager: Caller;

beforeAll(async () => {
  ac = new AdobeConnectDouble();
  await ac.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: {
      ADOBE_CONNECT_URL: ac.http.baseUrl,
      ADOBE_CONNECT_LOGIN: ac.admin.login,
      ADOBE_CONNECT_PASSWORD: ac.admin.password!,
      PROVISIONING_TICK_SECONDS: '0',
      PROVISIONING_RECONCILE_MINUTES: '0',
      PUBLIC_URL: 'http://portal.test',
    },
  });
  const inst = await t.institution();
  alice = await t.user('member', inst.id, 'Alice Booker');
  bob = await t.user('member', inst.id, 'Bob Member');
  manager = await t.user('institution-manager', inst.id, 'Maria Manager');
});
afterAll(async () => {
  await t.close();
  await ac.http.stop();
});

const book = async (start: string, end: string, roomIndex = 0, who = alice) => {
  const res = await t.api('POST', '/api/v1/bookings', { as: who, body: { title: 'Consiglio di corso', roomId: t.rooms[roomIndex]!.id, start, end, seats: 20 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
const join = (path: string, as?: Caller, headers: Record<string, string> = {}) =>
  fetch(t.baseUrl + path, { redirect: 'manual', headers: { ...headers, ...(as ? { authorization: `Bearer ${as.token}` } : {}) } });

describe('a booking becomes a ready Adobe Connect room', () => {
  let id: string;

  it('prepares the meeting at once when booked within the lead time, with the booker as host', async () => {
    id = await book('2026-03-20T10:15', '2026-03-20T11:15'); // 09:15Z–10:15Z, starts in 15 minutes
    await settled(t, id);
    expect(await roomState(t, id)).toBe('ready');
    const meeting = ac.meeting(id)!;
    expect(meeting).not.toBeNull();
    expect(meeting.start?.toISOString()).toBe('2026-03-20T09:15:00.000Z');
    expect(meeting.hostIds).toHaveLength(1);
    const name = await meetingNameOf(t, id);
    expect(ac.principals.get([...ac.permissions.get([...ac.scos.values()].find((s) => s.urlPath === `/${name}/`)!.id)!].find(([, p]) => p === 'host')![0])!.name).toBe('Alice Booker');
    expect((await t.api('GET', `/api/v1/bookings/${id}`, { as: alice })).body.joinUrl).toBe(`/join/${id}`);
    const room = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    expect(room.status).toBe(200);
    expect(room.body).toMatchObject({ state: 'ready', provider: 'adobe-connect', joinUrl: `http://portal.test/join/${id}` });
    expect(room.body.guestUrl).toMatch(/^http:\/\/portal\.test\/g\/[A-Za-z0-9_-]{22}$/);
  });

  it('sends the booker to the room as host through single sign-on', async () => {
    const res = await join(`/join/${id}`, alice);
    expect(res.status).toBe(302);
    const target = res.headers.get('location')!;
    expect(target).toMatch(/\?session=/);
    expect(await ac.follow(target)).toMatchObject({ ok: true, role: 'host' });
  });

  it('lets an institution manager in as host and an invited member as attendee', async () => {
    expect(await ac.follow((await join(`/join/${id}`, manager)).headers.get('location')!)).toMatchObject({ ok: true, role: 'host' });
    expect((await join(`/join/${id}`, bob)).status).toBe(403);
    await invite(t, alice, id, bob);
    const asBob = await join(`/join/${id}`, bob);
    expect(asBob.status).toBe(302);
    expect(await ac.follow(asBob.headers.get('location')!)).toMatchObject({ ok: true, role: 'attendee', name: 'Bob Member' });
  });

  it('asks a guest for a name and lets them in as attendee', async () => {
    const room = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    const path = new URL(room.body.guestUrl).pathname;
    const page = await join(path, undefined, { 'accept-language': 'it-IT,it;q=0.9' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('Partecipa come ospite');
    expect(html).not.toContain(ac.http.baseUrl);
    const posted = await fetch(t.baseUrl + path, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Giulia+Ospite' });
    expect(posted.status).toBe(303);
    expect(await ac.follow(posted.headers.get('location')!)).toEqual({ ok: true, role: 'attendee', name: 'Giulia Ospite' });
  });

  it('gives mails the join page and the guest link', async () => {
    const details = await t.portal.provisioning.meetingDetails({ bookingId: id, seriesId: null });
    const room = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    expect(details).toEqual({ joinUrl: `http://portal.test/join/${id}`, guestUrl: room.body.guestUrl, guestPin: null, dialIn: null });
    // With a PIN for guests, mails give it beside the guest link.
    await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '8642' } });
    expect(await t.portal.provisioning.meetingDetails({ bookingId: id, seriesId: null })).toMatchObject({ guestUrl: room.body.guestUrl, guestPin: '8642' });
    await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'open' } });
  });

  it('ends and releases the meeting after the end plus grace', async () => {
    t.clock.set('2026-03-20T10:31:00Z');
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id)).toBe('ended');
    expect(ac.meetingCount(id)).toBe(0);
    const page = await join(`/join/${id}?lang=en`, alice);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('The meeting has ended');
    t.clock.set('2026-03-20T09:00:00Z');
  });
});

describe('the schedule of the pipeline', () => {
  it('waits until start minus lead time before preparing', async () => {
    const id = await book('2026-03-21T15:00', '2026-03-21T16:00', 1); // 14:00Z
    await settled(t, id);
    expect(await roomState(t, id)).toBe('pending');
    expect(ac.meetingCount(id)).toBe(0);
    t.clock.set('2026-03-21T13:29:00Z');
    await t.portal.provisioning.service.tick();
    expect(ac.meetingCount(id)).toBe(0);
    t.clock.set('2026-03-21T13:30:00Z');
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id)).toBe('ready');
    expect(ac.meetingCount(id)).toBe(1);

    // A move updates the same meeting.
    t.clock.set('2026-03-21T13:40:00Z');
    const moved = await t.api('PATCH', `/api/v1/bookings/${id}`, { as: alice, body: { start: '2026-03-21T15:30', end: '2026-03-21T16:30' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await settled(t, id);
    await t.portal.provisioning.service.tick();
    expect(ac.meetingCount(id)).toBe(1);
    expect(ac.meeting(id)!.start!.toISOString()).toBe('2026-03-21T14:30:00.000Z');
    expect(ac.createCount(id)).toBe(1);
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('releases a cancelled booking and says so on its pages', async () => {
    const id = await book('2026-03-20T10:20', '2026-03-20T10:50', 2);
    await settled(t, id);
    expect(ac.meetingCount(id)).toBe(1);
    const guestUrl = (await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.guestUrl as string;
    expect((await t.api('DELETE', `/api/v1/bookings/${id}`, { as: alice })).status).toBe(200);
    await settled(t, id);
    await t.portal.provisioning.service.tick();
    expect(await roomState(t, id)).toBe('ended');
    expect(ac.meetingCount(id)).toBe(0);
    const page = await join(`/join/${id}?lang=it`, alice);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Riunione annullata');
    const guest = await join(new URL(guestUrl).pathname + '?lang=en');
    expect(guest.status).toBe(410);
    expect(await guest.text()).toContain('Meeting cancelled');
  });

  it('commits the job with the booking and not without it', async () => {
    const before = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'provisioning.sync'`.execute(t.db.database.db)).rows[0]!.n);
    // Refused by the room's exclusion constraint: the transaction rolls back, and its job with it.
    const clash = await t.api('POST', '/api/v1/bookings', { as: bob, body: { title: 'Clash', roomId: t.rooms[0]!.id, start: '2026-03-20T10:30', end: '2026-03-20T10:45', seats: 2 } });
    expect(clash.status).toBe(409);
    const after = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'provisioning.sync'`.execute(t.db.database.db)).rows[0]!.n);
    expect(after).toBe(before);
  });
});
