// The join and guest pages: waiting page with countdown, guest tokens (wrong, regenerated,
// expired), PIN and lobby policies, languages, and the Jitsi reservation API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { invite, settled, meetingNameOf } from './provisioning-support.ts';

let t: TestPortal;
let bbb: BigBlueButtonDouble;
let alice: Caller;
let eve: Caller;
const RESERVATION_TOKEN = 'prosody-shared-token-0123456789';

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    env: { BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, BBB_CHECKSUM: 'sha1', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', JITSI_RESERVATION_TOKEN: RESERVATION_TOKEN },
  });
  alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
  eve = await t.user('member', (await t.institution()).id, 'Eve Other');
});
afterAll(async () => {
  await t.close();
  await bbb.http.stop();
});

const get = (path: string, o: { as?: Caller; lang?: string } = {}) =>
  fetch(t.baseUrl + path, { redirect: 'manual', headers: { ...(o.as && { authorization: `Bearer ${o.as.token}` }), ...(o.lang && { 'accept-language': o.lang }) } });
const postForm = (path: string, form: Record<string, string>) =>
  fetch(t.baseUrl + path, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
let roomIndex = 0;
const book = async (start: string, end: string) => {
  const room = await t.portal.services.uow.repos.rooms.create({ name: `Join room ${roomIndex++}`, capacity: 20, timeZone: 'Europe/Rome', provider: null, active: true });
  const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Seminario <dottorato>', roomId: room.id, start, end, seats: 10 } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await settled(t, res.body.id);
  return res.body.id as string;
};
const guestPath = async (id: string) => new URL((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.guestUrl).pathname;

describe('before the room opens', () => {
  it('shows a waiting page that counts down and then turns into the join button', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const id = await book('2026-03-20T12:00', '2026-03-20T13:00'); // 11:00Z; opens 10:45Z
    const res = await get(`/join/${id}`, { as: alice, lang: 'it' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="it">');
    expect(html).toContain('La stanza apre tra');
    expect(html).toContain('Seminario &lt;dottorato&gt;');
    expect(html).toMatch(/data-seconds="6300"/); // 1 h 45 min
    expect(html).toMatch(new RegExp(`<p id="go" hidden[^>]*><a class="button" href="/join/${id}">Entra nella riunione</a>`));
    expect(html).not.toContain(bbb.http.baseUrl);
    const en = await (await get(`/join/${id}?lang=en`, { as: alice, lang: 'it' })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('The room opens in');
    // A guest waits the same way.
    const guest = await (await get(await guestPath(id), { lang: 'en-GB,en;q=0.8' })).text();
    expect(guest).toContain('The room opens in');
    expect(guest).toMatch(/<a class="button" href="\/g\/[A-Za-z0-9_-]{22}">Join the meeting<\/a>/);

    // The waiting page is a document: it has its CSP.
    expect((await get(`/join/${id}`, { as: alice })).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    t.clock.set('2026-03-20T10:45:00Z');
    await t.portal.provisioning.service.tick();
    const open = await get(`/join/${id}`, { as: alice });
    expect(open.status).toBe(302);
    expect(await bbb.follow(open.headers.get('location')!)).toMatchObject({ ok: true, role: 'host', name: 'Alice Booker' });
    // A redirect carries the headers that apply to one (its Location holds a signed URL), not a
    // document's (nothing of it is rendered): the waiting page above had its CSP.
    expect(Object.fromEntries(['referrer-policy', 'cache-control', 'x-content-type-options', 'content-security-policy', 'x-frame-options'].map((h) => [h, open.headers.get(h)]))).toEqual({
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': null,
      'x-frame-options': null,
    });
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('asks people who are not signed in to sign in', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    const res = await get(`/join/${id}?lang=en`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Sign in to join');
    expect((await get('/join/not-a-booking', { as: alice })).status).toBe(404);
  });
});

describe('who /join lets in', () => {
  it('admits the booker, the booking’s managers and its invitees, and sends everyone else to the guest link', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40'); // open now
    const colleague = await t.user('member', alice.institutionId, 'Carla Colleague');
    const nobody = await t.user('member', null, 'Nora Nobody');
    const otherManager = await t.user('institution-manager', eve.institutionId, 'Oscar Othermanager');
    // Booking ids reach every member through the event stream: knowing one lets nobody in.
    for (const who of [colleague, nobody, otherManager, eve]) {
      const res = await get(`/join/${id}?lang=en`, { as: who });
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('Join with the guest link');
      expect(html).not.toContain(bbb.http.baseUrl);
      expect(html).not.toContain('Seminario');
      expect(html).not.toContain('/g/');
    }
    expect(await (await get(`/join/${id}`, { as: colleague, lang: 'it' })).text()).toContain('Entra con il link per gli ospiti');

    const manager = await t.user('institution-manager', alice.institutionId, 'Mara Manager');
    for (const [who, name] of [[alice, 'Alice Booker'], [manager, 'Mara Manager'], [t.admin, 'Admin']] as const) {
      const res = await get(`/join/${id}`, { as: who });
      expect(res.status).toBe(302);
      expect(await bbb.follow(res.headers.get('location')!)).toMatchObject({ ok: true, role: 'host', name });
    }
    await invite(t, alice, id, colleague);
    const invited = await get(`/join/${id}`, { as: colleague });
    expect(invited.status).toBe(302);
    expect(await bbb.follow(invited.headers.get('location')!)).toMatchObject({ ok: true, role: 'attendee', name: 'Carla Colleague' });

    // Made a co-host, she enters as host: the join this instance remembered for her is forgotten at once.
    const listed = (await t.api('GET', `/api/v1/bookings/${id}/invitees`, { as: alice })).body.items as Array<{ id: string; cohost: boolean }>;
    expect(listed.map((i) => i.cohost)).toEqual([false]);
    const path = `/api/v1/bookings/${id}/invitees/${listed[0]!.id}`;
    expect((await t.api('PATCH', path, { as: colleague, body: { cohost: true } })).status).toBe(404);
    expect((await t.api('PATCH', path, { as: alice, body: { cohost: 'yes' } })).status).toBe(400);
    const made = await t.api('PATCH', path, { as: alice, body: { cohost: true } });
    expect([made.status, made.body.cohost]).toEqual([200, true]);
    const asHost = await get(`/join/${id}`, { as: colleague });
    expect(asHost.status).toBe(302);
    expect(await bbb.follow(asHost.headers.get('location')!)).toMatchObject({ ok: true, role: 'host', name: 'Carla Colleague' });
    // Back to attendee; someone not invited is no co-host of anything.
    expect((await t.api('PATCH', path, { as: alice, body: { cohost: false } })).body.cohost).toBe(false);
    expect(await bbb.follow((await get(`/join/${id}`, { as: colleague })).headers.get('location')!)).toMatchObject({ role: 'attendee' });
    expect((await t.api('PATCH', `/api/v1/bookings/${id}/invitees/00000000-0000-4000-8000-000000000000`, { as: alice, body: { cohost: true } })).body.code).toBe('INVITEE_NOT_FOUND');
    const history = (await t.api('GET', `/api/v1/bookings/${id}/history`, { as: alice })).body.items as Array<{ action: string; about: string | null }>;
    const email = (await t.portal.services.uow.repos.users.findById(colleague.userId))!.email;
    expect(history.slice(0, 2).map((h) => [h.action, h.about])).toEqual([
      ['booking.cohost-removed', email],
      ['booking.cohost-added', email],
    ]);
  });
});

describe('co-hosts of a series', () => {
  it('lets a co-host of a series host its dates, and keeps them co-host of both parts of a split series', async () => {
    const room = await t.portal.services.uow.repos.rooms.create({ name: `Join room ${roomIndex++}`, capacity: 20, timeZone: 'Europe/Rome', provider: null, active: true });
    const made = await t.api('POST', '/api/v1/series', { as: alice, body: { title: 'Laboratorio', roomId: room.id, start: '2026-03-20T10:10', end: '2026-03-20T10:40', seats: 10, rrule: 'FREQ=DAILY;COUNT=3' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const seriesId = made.body.series.id as string;
    const booked = made.body.booked as Array<{ id: string }>;
    await settled(t, booked[0]!.id);
    const assistant = await t.user('member', alice.institutionId, 'Tina Assistant');
    const email = (await t.portal.services.uow.repos.users.findById(assistant.userId))!.email;
    const added = await t.api('POST', `/api/v1/series/${seriesId}/invitees`, { as: alice, body: { email } });
    expect((await t.api('PATCH', `/api/v1/series/${seriesId}/invitees/${added.body.id}`, { as: alice, body: { cohost: true } })).body.cohost).toBe(true);
    const res = await get(`/join/${booked[0]!.id}`, { as: assistant });
    expect(res.status).toBe(302);
    expect(await bbb.follow(res.headers.get('location')!)).toMatchObject({ ok: true, role: 'host', name: 'Tina Assistant' });
    // From the second date on, a later hour: the second part is a series of its own, with her as co-host.
    const split = await t.api('PATCH', `/api/v1/series/${seriesId}/occurrences/${booked[1]!.id}`, { as: alice, body: { scope: 'following', startTime: '11:00' } });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    const tail = split.body.series.id as string;
    expect(tail).not.toBe(seriesId);
    expect(((await t.api('GET', `/api/v1/series/${tail}/invitees`, { as: alice })).body.items as Array<{ email: string; cohost: boolean }>).map((i) => [i.email, i.cohost])).toEqual([[email, true]]);
    // A date's history shows what was done to its series' people.
    const history = (await t.api('GET', `/api/v1/bookings/${booked[0]!.id}/history`, { as: alice })).body.items as Array<{ action: string; about: string | null }>;
    expect(history.map((h) => [h.action, h.about])).toContainEqual(['booking.cohost-added', email]);
  });
});

describe('meeting names on the services', () => {
  it('come from a secret per-booking meeting key, never from the booking id every member sees', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    const other = await book('2026-03-20T10:10', '2026-03-20T10:40');
    const name = await meetingNameOf(t, id);
    expect(name).toMatch(/^wm-[0-9a-f]{32}$/);
    expect(name).not.toContain(id.replace(/-/g, '').slice(0, 8));
    expect(await meetingNameOf(t, other)).not.toBe(name);
    expect(bbb.meetings.has(name)).toBe(true);
    expect(bbb.meetings.has(`wm-${id}`)).toBe(false);
    const go = await get(`/join/${id}`, { as: alice });
    expect(go.status).toBe(302);
    expect(go.headers.get('location')).not.toContain(id);
    expect(go.headers.get('location')).toContain(encodeURIComponent(name).replace(/%2D/g, '-'));
  });
});

describe('guest links', () => {
  it('refuses a wrong token with a clear page and no join URL', async () => {
    for (const token of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(90)]) {
      const res = await get(`/g/${token}?lang=en`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain('Link not valid');
      expect(html).not.toContain(bbb.http.baseUrl);
      expect(res.headers.get('location')).toBeNull();
      const posted = await postForm(`/g/${token}`, { name: 'Mallory' });
      expect(posted.status).toBe(404);
    }
  });

  it('stops the old link when the booker regenerates it', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    const old = await guestPath(id);
    expect((await t.api('POST', `/api/v1/bookings/${id}/guest-link`, { as: eve })).status).toBe(404);
    const again = await t.api('POST', `/api/v1/bookings/${id}/guest-link`, { as: alice });
    expect(again.status).toBe(200);
    const fresh = new URL(again.body.guestUrl).pathname;
    expect(fresh).not.toBe(old);
    expect((await postForm(old, { name: 'Late Guest' })).status).toBe(404);
    const ok = await postForm(fresh, { name: 'Invited Guest' });
    expect(ok.status).toBe(303);
    expect(await bbb.follow(ok.headers.get('location')!)).toMatchObject({ ok: true, role: 'attendee', name: 'Invited Guest' });
  });

  it('asks for the PIN when the booker set one', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    expect((await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'pin' } })).body.code).toBe('PIN_REQUIRED');
    expect((await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '12' } })).status).toBe(400);
    const set = await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '4821' } });
    expect(set.body).toMatchObject({ guestPolicy: 'pin', hasPin: true });
    const path = await guestPath(id);
    expect(await (await get(`${path}?lang=en`)).text()).toContain('Meeting PIN');
    const wrong = await postForm(`${path}?lang=en`, { name: 'Guest', pin: '0000' });
    expect(wrong.status).toBe(422);
    expect(wrong.headers.get('location')).toBeNull();
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('The PIN is not right');
    expect(wrongHtml).not.toContain(bbb.http.baseUrl);
    expect((await postForm(`${path}?lang=en`, { name: '   ', pin: '4821' })).status).toBe(422);
    const right = await postForm(path, { name: 'Guest With Pin', pin: '4821' });
    expect(right.status).toBe(303);
    expect(await bbb.follow(right.headers.get('location')!)).toMatchObject({ ok: true, role: 'attendee' });
  });

  it('sends guests to the lobby when the booker chose it (BigBlueButton ASK_MODERATOR)', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'lobby' } });
    // The meeting is created again with the new policy at its next preparation.
    bbb.deleteMeeting(id);
    await t.portal.provisioning.service.reconcile();
    expect(bbb.meeting(id)!.guestPolicy).toBe('ASK_MODERATOR');
    const res = await postForm(await guestPath(id), { name: 'Knocking Guest' });
    expect(res.status).toBe(303);
    expect(await bbb.follow(res.headers.get('location')!)).toEqual({ ok: false, reason: 'guestWait' });
  });

  it('says the meeting has ended once it has, without a join URL', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    const path = await guestPath(id);
    t.clock.set('2026-03-20T09:41:00Z');
    const res = await get(`${path}?lang=it`);
    expect(res.status).toBe(410);
    const html = await res.text();
    expect(html).toContain('La riunione è terminata');
    expect(html).not.toContain(bbb.http.baseUrl);
    expect((await postForm(path, { name: 'Too Late' })).status).toBe(410);
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('keeps the room state and links to the booker', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    expect((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: eve })).status).toBe(404);
    const mine = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice });
    expect(mine.body).toMatchObject({ state: 'ready', provider: 'bigbluebutton', guestPolicy: 'open', hasPin: false });
    // BigBlueButton sends people back to the portal when they leave.
    expect(bbb.meetings.get(await meetingNameOf(t, id))!.logoutURL).toBe(t.config.publicUrl);
  });

  it('gives those who manage the booking the guests’ PIN, and offers the lobby only where the room’s service has one', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40');
    const room = (as: Caller) => t.api('GET', `/api/v1/bookings/${id}/room`, { as });
    expect((await room(alice)).body).toMatchObject({ guestPolicy: 'open', guestPin: null, lobbyAvailable: true, guestLinkForSeries: false });
    const set = await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '482113' } });
    expect(set.body).toMatchObject({ guestPolicy: 'pin', hasPin: true, guestPin: '482113' });
    // Someone who does not manage the booking learns nothing of it, PIN included.
    const other = await room(eve);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('482113');
    expect((await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: eve, body: { policy: 'open' } })).status).toBe(404);
    expect((await room(alice)).body).toMatchObject({ guestPolicy: 'pin', guestPin: '482113' });
    // Back to the link alone: no PIN is kept (a later "pin" asks for one again).
    expect((await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'open', pin: '4821' } })).body).toMatchObject({ guestPolicy: 'open', hasPin: false, guestPin: null });
    expect((await t.api('POST', `/api/v1/bookings/${id}/guest-link`, { as: alice })).status).toBe(200);
    // The history says who changed the way in, and when; never the PIN or the link's token.
    const history = (await t.api('GET', `/api/v1/bookings/${id}/history`, { as: alice })).body.items as Array<{ action: string; actor: { name: string } }>;
    expect(history.map((h) => [h.action, h.actor.name])).toEqual([
      ['booking.guest-link', 'Alice Booker'],
      ['booking.guests-open', 'Alice Booker'],
      ['booking.guests-pin', 'Alice Booker'],
      ['booking.created', 'Alice Booker'],
    ]);
    const read = await t.api('GET', `/api/v1/audit?entity=booking&limit=100`, { as: t.admin });
    expect(read.status).toBe(200);
    expect((read.body.items as Array<{ action: string }>).some((e) => e.action === 'booking.guests-pin')).toBe(true);
    const audit = JSON.stringify(read.body);
    expect(audit).not.toContain('482113');
    expect(audit).not.toContain(new URL((await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.guestUrl).pathname.slice(3));

    // Jitsi, as this portal drives it, lets a guest with a link straight in: no lobby is promised there.
    const jitsiRoom = await t.portal.services.uow.repos.rooms.create({ name: `Jitsi room ${roomIndex++}`, capacity: 20, timeZone: 'Europe/Rome', provider: 'jitsi', active: true });
    const made = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Jitsi seminar', roomId: jitsiRoom.id, start: '2026-03-20T11:00', end: '2026-03-20T12:00', seats: 10 } });
    expect(made.status).toBe(201);
    const jitsi = made.body.id as string;
    expect((await t.api('GET', `/api/v1/bookings/${jitsi}/room`, { as: alice })).body).toMatchObject({ provider: 'jitsi', lobbyAvailable: false });
    await t.api('PUT', `/api/v1/bookings/${jitsi}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '7777' } });
    const refused = await t.api('PUT', `/api/v1/bookings/${jitsi}/guest-policy`, { as: alice, body: { policy: 'lobby' }, headers: { 'accept-language': 'it' } });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'GUEST_LOBBY_UNAVAILABLE' });
    expect(refused.body.detail).toContain('sala d’attesa');
    // The refusal changes nothing: the PIN set before still holds.
    expect((await t.api('GET', `/api/v1/bookings/${jitsi}/room`, { as: alice })).body).toMatchObject({ guestPolicy: 'pin', guestPin: '7777' });
  });
});

describe('Jitsi reservation API (Prosody mod_reservations)', () => {
  const reserve = (name: string, token = RESERVATION_TOKEN) =>
    fetch(`${t.baseUrl}/jitsi/conference`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` },
      body: new URLSearchParams({ name, start_time: '2026-03-20T09:00:00.000Z', mail_owner: 'x@example.org' }).toString(),
    });

  it('allows a room only inside its booking window, with the booking seats', async () => {
    const id = await book('2026-03-20T10:10', '2026-03-20T10:40'); // 09:10Z–09:40Z, opens 08:55Z
    const room = await meetingNameOf(t, id);
    const ok = await reserve(room);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: room, start_time: '2026-03-20T09:10:00.000Z', duration: 40 * 60, max_occupants: 10 });
    expect(typeof body.id).toBe('number');
    const read = await fetch(`${t.baseUrl}/jitsi/conference/${body.id}`, { headers: { authorization: `Bearer ${RESERVATION_TOKEN}` } });
    expect(await read.json()).toMatchObject({ id: body.id, name: room });
    expect((await fetch(`${t.baseUrl}/jitsi/conference/${body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${RESERVATION_TOKEN}` } })).status).toBe(200);

    const later = await book('2026-03-20T14:00', '2026-03-20T15:00');
    const early = await reserve(await meetingNameOf(t, later));
    expect(early.status).toBe(403);
    expect(((await early.json()) as { message: string }).message).toMatch(/opens at/);
    expect((await reserve('some-random-room')).status).toBe(403);
    expect((await reserve(room, 'wrong-token-0000000000000')).status).toBe(401);
    // The booking id reaches every member: a room named after it is no booking's (issue #11).
    expect((await reserve(`wm-${id}`)).status).toBe(403);
  });
});
