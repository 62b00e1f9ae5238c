import { describe, expect, it } from 'vitest';
import { conferenceProviderContract, contractMeetingKey } from '../../src/providers/contract.ts';
import { AdobeConnectProvider } from '../../src/providers/adobe-connect/adapter.ts';
import type { MeetingSpec } from '../../src/providers/port.ts';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';

const UV_PROVIDER = '1160437530';
const PIN_FIELD = 'x-tel-webmeetings-pin';
const telephony = { providerId: UV_PROVIDER, pinField: PIN_FIELD, location: 'IT' };

const adapter = (d: AdobeConnectDouble, o: { badCredentials?: boolean; timeoutMs?: number; audio?: boolean } = {}) =>
  new AdobeConnectProvider({ url: d.http.baseUrl, login: d.admin.login, password: o.badCredentials ? 'wrong' : d.admin.password!, ssoHeader: d.ssoHeader, timeoutMs: o.timeoutMs ?? 2000, telephony: o.audio ? telephony : null });

/** A double whose account has the operator's Universal Voice provider, with its PIN field. */
const startDouble = async () => {
  const d = new AdobeConnectDouble();
  d.addTelephonyProvider(UV_PROVIDER, [PIN_FIELD]);
  await d.http.start();
  return d;
};

conferenceProviderContract({
  name: 'Adobe Connect (meeting per booking)',
  stateful: true,
  remote: true,
  hostIdOf: (u) => u.email,
  double: startDouble,
  provider: (d, o) => adapter(d as AdobeConnectDouble, o),
  roomAudio: { configured: 'dials-in', unconfigured: null },
});

describe('Adobe Connect details', () => {
  it('lists the meetings of its folder the portal did not make, apart from its own, and deletes one on release', async () => {
    const d = await startDouble();
    try {
      const p = adapter(d);
      const other = d.fixedRoom('corso-di-storia');
      const bookingId = '5a1b2c3d-0000-4000-8000-000000000001';
      const mine = await p.prepare({ bookingId, meetingKey: contractMeetingKey(bookingId), title: 'Ours', start: new Date('2026-04-01T08:00:00Z'), end: new Date('2026-04-01T09:00:00Z'), seats: 5, timeZone: 'Europe/Rome', host: { userId: 'u1', email: 'host@example.org', name: 'Host' }, guestPolicy: 'open', settings: {} });
      const outside = await p.listOutsideMeetings();
      expect(outside.map((m) => [m.ref.id, m.name])).toEqual([[other, 'Fixed room']]);
      expect(outside.map((m) => m.ref.id)).not.toContain(mine.id);
      await p.end(outside[0]!.ref);
      await p.release(outside[0]!.ref);
      expect(d.scos.has(other)).toBe(false);
    } finally {
      await d.http.stop();
    }
  });

  it('reassigns a fixed room to each booking and resets it on release', async () => {
    const d = new AdobeConnectDouble();
    await d.http.start();
    const p = adapter(d);
    const scoId = d.fixedRoom('aula-magna');
    const spec = (bookingId: string, email: string) => ({
      bookingId,
      meetingKey: contractMeetingKey(bookingId),
      title: `Meeting of ${email}`,
      start: new Date('2026-04-01T08:00:00Z'),
      end: new Date('2026-04-01T09:00:00Z'),
      seats: 5,
      timeZone: 'Europe/Rome',
      host: { userId: email, email, name: 'Host Person' },
      guestPolicy: 'lobby' as const,
      settings: { scoId },
    });
    const first = spec('11111111-1111-4111-8111-111111111111', 'first@example.org');
    const ref = await p.prepare(first);
    expect(ref.id).toBe(scoId);
    expect(d.scos.get(scoId)!.name).toBe('Meeting of first@example.org');
    expect(d.permissions.get(scoId)!.get('public-access')).toBe('remove');
    expect(await d.follow(await p.hostJoinUrl(ref, { id: 'first@example.org', email: 'first@example.org', name: 'Host Person' }, first))).toMatchObject({ ok: true, role: 'host' });
    // "remove": guests knock and wait for the host (§6.1)
    expect(await d.follow(await p.attendeeJoinUrl(ref, { id: 'g', name: 'Guest' }, first))).toEqual({ ok: false, reason: 'knock' });
    await p.release(ref, first);
    const hostPrincipal = ref.data!.hostPrincipalId!;
    expect(d.permissions.get(scoId)!.has(hostPrincipal)).toBe(false);
    expect(d.permissions.get(scoId)!.get('public-access')).toBe('denied');
    expect(d.scos.has(scoId)).toBe(true);
    await d.http.stop();
  });

  it('logs in again when the session expired', async () => {
    const d = new AdobeConnectDouble();
    await d.http.start();
    const p = adapter(d);
    expect(await p.listMeetings()).toEqual([]);
    // Forget every session on the server side: the next call gets no-login and must re-login.
    (d as unknown as { sessions: Map<string, string | null> }).sessions.clear();
    expect(await p.listMeetings()).toEqual([]);
    expect(d.log.filter((a) => a === 'login').length).toBe(2);
    await d.http.stop();
  });
});

describe('Adobe Connect Universal Voice', () => {
  const audio = { numbers: ['+390612345678', '+41445550000'], pin: '4825193', sipUri: null };
  const spec = (bookingId: string, over: Partial<MeetingSpec> = {}): MeetingSpec => ({ bookingId, meetingKey: contractMeetingKey(bookingId), title: 'Board meeting', start: new Date('2026-05-04T08:00:00Z'), end: new Date('2026-05-04T09:00:00Z'), seats: 8, timeZone: 'Europe/Rome', host: { userId: 'h', email: 'host@example.org', name: 'Host Person' }, guestPolicy: 'open', settings: {}, audio, ...over });

  it('gives the meeting a telephony profile with our first number and the booking PIN, attached to it', async () => {
    const d = await startDouble();
    const p = adapter(d, { audio: true });
    const bookingId = '3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
    const ref = await p.prepare(spec(bookingId));
    const profile = d.profileOf(bookingId)!;
    expect(profile.providerId).toBe(UV_PROVIDER);
    expect(profile.confNumbers).toEqual([{ number: '+390612345678', location: 'IT' }]);
    expect(profile.fields.get(PIN_FIELD)).toBe('4825193');
    expect(profile.attachedTo).toEqual([ref.id]);
    expect(ref.data?.telephonyProfileId).toBe(profile.id);
    expect(p.roomAudio()).toEqual({ mode: 'dials-in' });
    await d.http.stop();
  });

  it('updates the profile in place when the PIN changes, and deletes it when the booking loses its audio', async () => {
    const d = await startDouble();
    const p = adapter(d, { audio: true });
    const bookingId = '7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a';
    const ref = await p.prepare(spec(bookingId));
    const id = d.profileOf(bookingId)!.id;
    await p.update(ref, spec(bookingId, { audio: { ...audio, pin: '7351904' } }));
    expect(d.profileOf(bookingId)).toMatchObject({ id, status: 'enabled', attachedTo: [ref.id] });
    expect(d.profileOf(bookingId)!.fields.get(PIN_FIELD)).toBe('7351904');
    const after = await p.update(ref, spec(bookingId, { audio: null }));
    expect(d.audioSetups(bookingId)).toBe(0);
    expect(after.data?.telephonyProfileId).toBeUndefined();
    await d.http.stop();
  });

  it('detaches a fixed room from the booking’s profile on release', async () => {
    const d = await startDouble();
    const p = adapter(d, { audio: true });
    const scoId = d.fixedRoom('aula-telefonica');
    const bookingId = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b';
    const ref = await p.prepare(spec(bookingId, { settings: { scoId } }));
    expect(d.aclFields.get(scoId)?.get('telephony-profile')).toBe(ref.data?.telephonyProfileId);
    await p.release(ref, spec(bookingId, { settings: { scoId } }));
    expect(d.aclFields.get(scoId)?.has('telephony-profile')).toBe(false);
    expect(d.audioSetups(bookingId)).toBe(0);
    expect(d.scos.has(scoId)).toBe(true);
    await d.http.stop();
  });

  it('names the settings to check when Connect does not know the provider', async () => {
    const d = await startDouble();
    const p = new AdobeConnectProvider({ url: d.http.baseUrl, login: d.admin.login, password: d.admin.password!, ssoHeader: d.ssoHeader, timeoutMs: 2000, telephony: { ...telephony, providerId: '999' } });
    const e = await p.prepare(spec('6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d')).catch((err: unknown) => err);
    expect(e).toMatchObject({ retryable: false, code: 'PROVIDER_REFUSED', message: expect.stringMatching(/ADOBE_CONNECT_TELEPHONY_PROVIDER_ID/) });
    await d.http.stop();
  });
});
