// The Janus adapter against a real Janus (Debian's janus, in a network namespace of the test's own):
// the contract every adapter passes, then what only Janus rooms have: the rooms' settings, the
// host's controls, and the phone callers' RTP participant.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conferenceProviderContract } from '../../src/providers/contract.ts';
import { JanusProvider } from '../../src/providers/janus/adapter.ts';
import type { MeetingSpec } from '../../src/providers/port.ts';
import { invite, settled, roomState } from '../api/provisioning-support.ts';
import { JanusContractDouble } from '../doubles/janus.ts';
import { describeWithJanus, startJanus, type JanusServer } from '../support/janus.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let janus: JanusServer | null = null;
let double: JanusContractDouble | null = null;
const server = async () => (janus ??= await startJanus());

const providerFor = (d: JanusContractDouble, o: { badCredentials?: boolean; timeoutMs?: number } = {}) =>
  new JanusProvider({
    url: d.apiUrl,
    publicUrl: 'https://meet.example.org/janus',
    adminKey: o.badCredentials ? 'wrong-admin-key' : d.janus.adminKey,
    secret: d.secret,
    portalUrl: 'https://portal.example.org',
    timeoutMs: o.timeoutMs ?? 3000,
    now: () => new Date(),
  });

describeWithJanus('Janus on a real server', () => {
  // One Janus for the file: the last block stops it.
  afterAll(async () => {
    await double?.close();
  });

  conferenceProviderContract({
    name: 'Janus',
    stateful: true,
    remote: true,
    hostIdOf: (u) => u.id,
    double: async () => {
      double = new JanusContractDouble(await server());
      await double.http.start();
      return double;
    },
    provider: (d, o = {}) => providerFor(d as JanusContractDouble, o),
    // Every room has an AudioBridge that takes plain RTP: nothing more to configure.
    roomAudio: { configured: 'external-media', unconfigured: 'external-media' },
  });

  describe('Janus rooms', () => {
    let d: JanusContractDouble;
    let p: JanusProvider;
    const spec = (over: Partial<MeetingSpec> = {}): MeetingSpec => ({
      bookingId: randomUUID(),
      meetingKey: randomUUID().replace(/-/g, ''),
      title: 'Consiglio di dipartimento',
      start: new Date(Date.now() + 600_000),
      end: new Date(Date.now() + 4_200_000),
      seats: 6,
      timeZone: 'Europe/Rome',
      host: { userId: 'u1', email: 'ada@example.org', name: 'Ada Host' },
      guestPolicy: 'open',
      settings: {},
      ...over,
    });
    beforeAll(async () => {
      // A proxy of its own: the contract stops its proxy when done.
      d = new JanusContractDouble(await server());
      await d.http.start();
      p = providerFor(d);
    });
    afterAll(() => d.close());

    it('makes a private room with a PIN and the seats as publishers, and update changes the description and capacity', async () => {
      const m = spec();
      await p.prepare(m);
      const list = (await d.client.once('janus.plugin.videoroom', { request: 'list', admin_key: d.janus.adminKey })).list as Record<string, unknown>[];
      const room = list.find((r) => r.room === d.secrets.roomOf(m.bookingId))!;
      expect(room).toMatchObject({ description: `wm-${m.bookingId} Consiglio di dipartimento`, is_private: true, pin_required: true, max_publishers: 6 });
      // Not listed without the admin key, and not editable without the secret.
      expect(((await d.client.once('janus.plugin.videoroom', { request: 'list' })).list as unknown[]).length).toBe(0);
      expect(await d.client.once('janus.plugin.videoroom', { request: 'edit', room: room.room, secret: 'guess', new_description: 'x' })).toMatchObject({ error_code: 433 });
      await p.update({ id: `wm-${m.bookingId}` }, { ...m, title: 'Consiglio (spostato)', seats: 9 });
      expect(await d.meeting(m.bookingId)).toMatchObject({ title: 'Consiglio (spostato)', seats: 9 });
      expect(d.createCount(m.bookingId)).toBe(1);
    });

    it('lists who is in the room, mutes a participant in the audio mix and removes them from both rooms', async () => {
      const m = spec();
      const ref = await p.prepare(m);
      const entry = await p.enter(ref, { bookingId: m.bookingId, role: 'attendee', name: 'Gianni Ospite', userId: 'guest-1', lobby: false });
      expect(entry).toMatchObject({ server: 'https://meet.example.org/janus', room: d.secrets.roomOf(m.bookingId), pin: d.secrets.pinOf(m.bookingId), display: 'Gianni Ospite', audioGroup: 'web' });
      expect(JSON.stringify(entry)).not.toContain(d.secrets.secretOf(m.bookingId));
      // The browser's two handles, under the number the portal gave.
      const s = await d.client.session();
      const video = await d.client.attach(s, 'janus.plugin.videoroom');
      const audio = await d.client.attach(s, 'janus.plugin.audiobridge');
      expect(await d.client.event(s, video, { request: 'join', ptype: 'publisher', room: entry.room, pin: entry.pin, id: entry.participantId, display: entry.display })).toMatchObject({ videoroom: 'joined' });
      expect(await d.client.event(s, audio, { request: 'join', room: entry.room, pin: entry.pin, id: entry.participantId, group: entry.audioGroup, display: entry.display })).toMatchObject({ audiobridge: 'joined' });
      expect(await p.participants(ref)).toEqual([{ id: entry.participantId, display: 'Gianni Ospite', publishing: false, audioMuted: false }]);
      expect(await p.participantCount(ref)).toBe(1);
      await p.mute(ref, entry.participantId, true);
      expect((await p.participants(ref))[0]!.audioMuted).toBe(true);
      await p.remove(ref, entry.participantId);
      // The AudioBridge lets a kicked participant go from its own thread: shortly after the answer.
      await expect.poll(() => p.participants(ref), { timeout: 2000 }).toEqual([]);
      const again = await p.remove(ref, entry.participantId).catch((e: unknown) => e);
      expect(again, String(again)).toMatchObject({ code: 'PARTICIPANT_NOT_FOUND' });
      await d.client.destroy(s);
      await p.release(ref);
    });

    it('admits only the tickets it signed, for the booking they name, until the booking ends', async () => {
      const m = spec({ end: new Date(Date.now() + 120_000) });
      const ref = await p.prepare(m);
      const url = await p.attendeeJoinUrl(ref, { id: 'guest-7', name: 'Ospite' }, m);
      const ticket = url.split('#jwt=')[1]!;
      expect(p.admit(ticket)).toEqual({ bookingId: m.bookingId, role: 'attendee', name: 'Ospite', userId: 'guest-7', lobby: false });
      const other = new JanusProvider({ ...providerConfig(d), secret: 'another-portal-secret-000000' });
      expect(other.admit(ticket)).toBeNull();
      const later = new JanusProvider({ ...providerConfig(d), now: () => new Date(Date.now() + 180_000) });
      expect(later.admit(ticket)).toBeNull();
      const lobby = await p.attendeeJoinUrl(ref, { id: 'guest-8', name: 'Ospite', guest: true }, { ...m, guestPolicy: 'lobby' });
      expect(p.admit(lobby.split('#jwt=')[1]!)).toMatchObject({ lobby: true });
      await p.release(ref);
    });
  });
});

describeWithJanus('the portal with a Janus room', () => {
  let d: JanusContractDouble;
  let t: TestPortal;
  let alice: Caller;
  let bob: Caller;
  beforeAll(async () => {
    d = new JanusContractDouble(await server());
    t = await startTestPortal({
      now: '2026-03-20T09:00:00Z',
      seedRooms: false,
      env: { JANUS_URL: d.janus.url, JANUS_ADMIN_KEY: d.janus.adminKey, JANUS_SECRET: d.secret, PUBLIC_URL: 'https://portal.example.org', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' },
    });
    const inst = await t.institution();
    alice = await t.user('member', inst.id, 'Alice Booker');
    bob = await t.user('member', inst.id, 'Bob Colleague');
  });
  afterAll(async () => {
    await t?.close();
    await d?.close();
    await janus?.stop();
    janus = null;
  });

  async function prepared(): Promise<string> {
    const room = await t.portal.services.uow.repos.rooms.create({ name: `Aula ${randomUUID().slice(0, 8)}`, capacity: 10, timeZone: 'Europe/Rome', provider: 'janus', active: true });
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Ricevimento', roomId: room.id, start: '2026-03-20T09:15:00Z', end: '2026-03-20T10:00:00Z', seats: 4 } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await settled(t, res.body.id);
    expect(await roomState(t, res.body.id)).toBe('ready');
    return res.body.id;
  }
  const ticketFor = async (as: Caller, id: string) => {
    const go = await fetch(`${t.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${as.token}` } });
    expect(go.status).toBe(302);
    const location = go.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^https://portal\\.example\\.org/room/${id}#jwt=`));
    return location.split('#jwt=')[1]!;
  };

  it('recreates a room destroyed behind the portal’s back when reconcile runs', async () => {
    const id = await prepared();
    expect(await d.meetingCount(id)).toBe(1);
    await d.deleteMeeting(id);
    expect(await d.meetingCount(id)).toBe(0);
    expect(await t.portal.provisioning!.service.reconcile()).toMatchObject({ recreated: 1 });
    expect(await d.meetingCount(id)).toBe(1);
    expect(await roomState(t, id)).toBe('ready');
  });

  it('gives the room page its entry for a join link’s ticket, the host’s controls to the host only, and counts who is in', async () => {
    const id = await prepared();
    const hostTicket = await ticketFor(alice, id);
    const entry = await t.api('POST', `/api/v1/rooms/${id}/entry`, { body: { ticket: hostTicket } });
    expect(entry.status, JSON.stringify(entry.body)).toBe(200);
    expect(entry.body).toMatchObject({ bookingId: id, title: 'Ricevimento', role: 'host', name: 'Alice Booker', janus: { server: d.janus.url, room: d.secrets.roomOf(id), pin: d.secrets.pinOf(id), audioGroup: 'web' } });
    expect(JSON.stringify(entry.body)).not.toContain(d.secrets.secretOf(id));
    // Bob is invited but does not manage the booking: an attendee.
    await invite(t, alice, id, bob);
    const bobTicket = await ticketFor(bob, id);
    expect((await t.api('POST', `/api/v1/rooms/${id}/entry`, { body: { ticket: bobTicket } })).body.role).toBe('attendee');
    await d.setParticipants(id, 2);
    expect(await t.portal.provisioning!.service.webParticipants(id)).toBe(2);
    const list = await t.api('GET', `/api/v1/rooms/${id}/participants`, { headers: { 'x-room-ticket': hostTicket } });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { display: string }) => p.display).sort()).toEqual(['Guest 1', 'Guest 2']);
    expect((await t.api('GET', `/api/v1/rooms/${id}/participants`, { headers: { 'x-room-ticket': bobTicket } })).body.code).toBe('ROOM_HOST_ONLY');
    expect((await t.api('DELETE', `/api/v1/rooms/${id}/participants/${list.body.items[0].id}`, { headers: { 'x-room-ticket': bobTicket } })).status).toBe(403);
    const gone = await t.api('DELETE', `/api/v1/rooms/${id}/participants/123456`, { headers: { 'x-room-ticket': hostTicket } });
    expect(gone).toMatchObject({ status: 404, body: { code: 'PARTICIPANT_NOT_FOUND' } });
    await d.setParticipants(id, 0);
  });

  it('keeps guests of a lobby booking at the door until the host lets them in; a refused or removed guest stays out', async () => {
    const id = await prepared();
    expect((await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: alice, body: { policy: 'lobby' } })).status).toBe(200);
    const guestUrl = (await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.guestUrl as string;
    const guestTicket = async (name: string) => {
      const res = await fetch(`${t.baseUrl}${new URL(guestUrl).pathname}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name }) });
      expect(res.status).toBe(303);
      return res.headers.get('location')!.split('#jwt=')[1]!;
    };
    const host = await ticketFor(alice, id);
    const gianni = await guestTicket('Gianni Ospite');
    const enter = (ticket: string) => t.api('POST', `/api/v1/rooms/${id}/entry`, { body: { ticket } });
    expect(await enter(gianni)).toMatchObject({ status: 202, body: { status: 'waiting', title: 'Ricevimento' } });
    expect((await enter(gianni)).status).toBe(202);
    // The host enters at once; invited colleagues who are signed in do not wait either.
    expect((await enter(host)).status).toBe(200);
    await invite(t, alice, id, bob);
    expect((await enter(await ticketFor(bob, id))).status).toBe(200);
    const lobby = await t.api('GET', `/api/v1/rooms/${id}/lobby`, { headers: { 'x-room-ticket': host } });
    expect(lobby.body.items.map((g: { name: string }) => g.name)).toEqual(['Gianni Ospite']);
    expect((await t.api('GET', `/api/v1/rooms/${id}/lobby`, { headers: { 'x-room-ticket': gianni } })).status).toBe(403);
    expect((await t.api('PUT', `/api/v1/rooms/${id}/lobby/${lobby.body.items[0].key}`, { headers: { 'x-room-ticket': host }, body: { admit: true } })).status).toBe(204);
    const entered = await enter(gianni);
    expect(entered).toMatchObject({ status: 200, body: { status: 'entered', role: 'attendee', name: 'Gianni Ospite' } });

    // Gianni really joins; the host removes him; his ticket no longer opens the door.
    const s = await d.client.session();
    const h = await d.client.attach(s, 'janus.plugin.videoroom');
    const { room, pin, participantId, display } = entered.body.janus;
    expect(await d.client.event(s, h, { request: 'join', ptype: 'publisher', room, pin, id: participantId, display })).toMatchObject({ videoroom: 'joined' });
    expect((await t.api('DELETE', `/api/v1/rooms/${id}/participants/${participantId}`, { headers: { 'x-room-ticket': host } })).status).toBe(204);
    expect(await enter(gianni)).toMatchObject({ status: 403, body: { code: 'LOBBY_REFUSED' } });
    await d.client.destroy(s);

    const marta = await guestTicket('Marta Ospite');
    expect((await enter(marta)).status).toBe(202);
    const key = (await t.api('GET', `/api/v1/rooms/${id}/lobby`, { headers: { 'x-room-ticket': host } })).body.items[0].key;
    expect((await t.api('PUT', `/api/v1/rooms/${id}/lobby/${key}`, { headers: { 'x-room-ticket': host }, body: { admit: false } })).status).toBe(204);
    expect(await enter(marta)).toMatchObject({ status: 403, body: { code: 'LOBBY_REFUSED' } });
    expect((await t.api('PUT', `/api/v1/rooms/${id}/lobby/${'0'.repeat(64)}`, { headers: { 'x-room-ticket': host }, body: { admit: true } })).body.code).toBe('GUEST_NOT_WAITING');
  });

  it('refuses a tampered ticket, another booking’s ticket, and every ticket once the booking is cancelled', async () => {
    const id = await prepared();
    const other = await prepared();
    const ticket = await ticketFor(alice, id);
    const flipped = ticket.slice(0, -2) + (ticket.at(-2) === 'A' ? 'B' : 'A') + ticket.at(-1);
    expect((await t.api('POST', `/api/v1/rooms/${id}/entry`, { body: { ticket: flipped } })).body.code).toBe('ROOM_TICKET_INVALID');
    expect((await t.api('POST', `/api/v1/rooms/${other}/entry`, { body: { ticket } })).status).toBe(401);
    expect((await t.api('GET', `/api/v1/rooms/${id}/participants`)).status).toBe(401);
    expect((await t.api('DELETE', `/api/v1/bookings/${id}`, { as: alice })).status).toBeLessThan(300);
    expect(await t.api('POST', `/api/v1/rooms/${id}/entry`, { body: { ticket } })).toMatchObject({ status: 409, body: { code: 'MEETING_CANCELLED' } });
  });
});

const providerConfig = (d: JanusContractDouble) => ({
  url: d.apiUrl,
  publicUrl: 'https://meet.example.org/janus',
  adminKey: d.janus.adminKey,
  secret: d.secret,
  portalUrl: 'https://portal.example.org',
  timeoutMs: 3000,
  now: () => new Date(),
});
