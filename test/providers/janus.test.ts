// The Janus adapter against a real Janus (Debian's janus, in a network namespace of the test's own):
// the contract every adapter passes, then what only Janus rooms have: the rooms' settings, the
// host's controls, and the phone callers' RTP participant.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conferenceProviderContract } from '../../src/providers/contract.ts';
import { JanusProvider } from '../../src/providers/janus/adapter.ts';
import type { MeetingSpec } from '../../src/providers/port.ts';
import { JanusContractDouble } from '../doubles/janus.ts';
import { describeWithJanus, startJanus, type JanusServer } from '../support/janus.ts';

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
  afterAll(async () => {
    await double?.close();
    await janus?.stop();
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
      const lobby = await p.attendeeJoinUrl(ref, { id: 'guest-8', name: 'Ospite' }, { ...m, guestPolicy: 'lobby' });
      expect(p.admit(lobby.split('#jwt=')[1]!)).toMatchObject({ lobby: true });
      await p.release(ref);
    });
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
