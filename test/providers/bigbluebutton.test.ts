import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conferenceProviderContract, contractMeetingKey } from '../../src/providers/contract.ts';
import { BigBlueButtonProvider, voiceBridgeFor } from '../../src/providers/bigbluebutton/adapter.ts';
import type { MeetingSpec } from '../../src/providers/port.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';

for (const checksum of ['sha1', 'sha256'] as const) {
  conferenceProviderContract({
    name: `BigBlueButton (${checksum})`,
    stateful: true,
    remote: true,
    hostIdOf: (u) => u.id,
    double: async () => {
      const d = new BigBlueButtonDouble();
      await d.http.start();
      return d;
    },
    provider: (d, o = {}) =>
      new BigBlueButtonProvider({
        url: (d as BigBlueButtonDouble).apiUrl,
        secret: o.badCredentials ? 'wrong-secret' : (d as BigBlueButtonDouble).secret,
        checksum,
        timeoutMs: o.timeoutMs ?? 2000,
        sipEndpoint: o.audio ? 'bbb-freeswitch' : undefined,
        now: () => new Date(),
      }),
    // Every meeting has a voice bridge; the endpoint name has a default (BBB_SIP_ENDPOINT).
    roomAudio: { configured: 'originate', unconfigured: 'originate' },
  });
}

describe('BigBlueButton checksum', () => {
  it('matches the example of the API documentation (SHA-1)', () => {
    // docs/docs/development/api.md, "API Security Model": create + query + secret.
    const expected = createHash('sha1')
      .update('createname=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444639259d4-9dd8-4b25-bf01-95f9567eaf4b')
      .digest('hex');
    expect(expected).toBe('1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17');
    const p = new BigBlueButtonProvider({ url: 'http://bbb/bigbluebutton/api', secret: '639259d4-9dd8-4b25-bf01-95f9567eaf4b', checksum: 'sha1', timeoutMs: 1000, now: () => new Date() });
    expect(p.signedUrl('create', { name: 'Test Meeting', meetingID: 'abc123', attendeePW: '111222', moderatorPW: '333444' })).toBe(
      'http://bbb/bigbluebutton/api/create?name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17',
    );
  });

  it('creates the meeting with the booking seats, guest policy and metadata', async () => {
    const d = new BigBlueButtonDouble();
    await d.http.start();
    const p = new BigBlueButtonProvider({ url: d.apiUrl, secret: d.secret, checksum: 'sha256', timeoutMs: 2000, now: () => new Date() });
    const bookingId = '0b5f4a8e-8f5e-4b44-9f7c-3f4c1d2e5a61';
    const meetingKey = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    await p.prepare({ bookingId, meetingKey, title: 'Lab', start: new Date(), end: new Date(Date.now() + 3_600_000), seats: 7, timeZone: 'Europe/Rome', host: { userId: 'u', email: 'u@x', name: 'U' }, guestPolicy: 'lobby', settings: {} });
    expect(d.meetings.has(`wm-${bookingId}`)).toBe(false);
    const m = d.meetings.get(`wm-${meetingKey}`)!;
    expect(m.maxParticipants).toBe(7);
    expect(m.guestPolicy).toBe('ASK_MODERATOR');
    expect(m.metadata.bookingid).toBe(bookingId);
    await d.http.stop();
  });
});

describe('BigBlueButton phone audio', () => {
  const audio = { numbers: ['+390612345678', '+41445550000'], pin: '4825193', sipUri: null };
  const spec = (bookingId: string, over: Partial<MeetingSpec> = {}): MeetingSpec => ({ bookingId, meetingKey: contractMeetingKey(bookingId), title: 'Seminar', start: new Date(), end: new Date(Date.now() + 3_600_000), seats: 20, timeZone: 'Europe/Rome', host: { userId: 'u', email: 'u@x', name: 'U' }, guestPolicy: 'open', settings: {}, audio, ...over });
  const setup = async () => {
    const d = new BigBlueButtonDouble();
    await d.http.start();
    const p = new BigBlueButtonProvider({ url: d.apiUrl, secret: d.secret, checksum: 'sha256', timeoutMs: 2000, sipEndpoint: 'bbb-freeswitch', now: () => new Date() });
    return { d, p };
  };

  it('asks for the voice bridge derived from the booking, shows our first number and PIN, and dials that bridge', async () => {
    const { d, p } = await setup();
    const bookingId = '5f0c8a52-3a57-4c1e-9d0e-2b8f9c7a6e11';
    const ref = await p.prepare(spec(bookingId));
    const m = d.meetings.get(`wm-${contractMeetingKey(bookingId)}`)!;
    expect(m.voiceBridge).toBe(voiceBridgeFor(contractMeetingKey(bookingId)));
    expect(m.voiceBridge).toBeGreaterThanOrEqual(10000);
    expect(m.voiceBridge).toBeLessThanOrEqual(99999);
    expect(m.dialNumber).toBe('+390612345678');
    expect(m.welcome).toContain('PIN 4825193');
    expect(p.roomAudio(ref)).toEqual({ mode: 'originate', endpoint: `PJSIP/${m.voiceBridge}@bbb-freeswitch` });
    await d.http.stop();
  });

  it('takes the next derived voice bridge when another meeting holds it, and the server’s choice after a few', async () => {
    const { d, p } = await setup();
    const first = '0e6f3b8d-7c21-4f5a-8e3d-1a2b3c4d5e6f';
    d.occupyVoiceBridge(voiceBridgeFor(contractMeetingKey(first), 0));
    const ref = await p.prepare(spec(first));
    expect(d.meetings.get(`wm-${contractMeetingKey(first)}`)!.voiceBridge).toBe(voiceBridgeFor(contractMeetingKey(first), 1));
    expect(p.roomAudio(ref)).toEqual({ mode: 'originate', endpoint: `PJSIP/${voiceBridgeFor(contractMeetingKey(first), 1)}@bbb-freeswitch` });

    const crowded = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    for (const attempt of [0, 1, 2]) d.occupyVoiceBridge(voiceBridgeFor(contractMeetingKey(crowded), attempt));
    const ref2 = await p.prepare(spec(crowded));
    const chosen = d.meetings.get(`wm-${contractMeetingKey(crowded)}`)!.voiceBridge;
    expect([0, 1, 2].map((a) => voiceBridgeFor(contractMeetingKey(crowded), a))).not.toContain(chosen);
    expect(ref2.data?.voiceBridge).toBe(String(chosen));
    // A repeated create (at join) keeps the meeting's bridge, whatever the derived one is now.
    expect((await p.update(ref2, spec(crowded))).data?.voiceBridge).toBe(String(chosen));
    await d.http.stop();
  });

  it('shows no dial-in number without an audio conference, and has no room audio for a ref without a bridge', async () => {
    const { d, p } = await setup();
    const bookingId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    await p.prepare(spec(bookingId, { audio: null }));
    expect(d.meetings.get(`wm-${contractMeetingKey(bookingId)}`)!.dialNumber).toBe('613-555-1234');
    expect(d.meetings.get(`wm-${contractMeetingKey(bookingId)}`)!.welcome).not.toContain('PIN');
    expect(p.roomAudio({ id: `wm-${contractMeetingKey(bookingId)}` })).toBeNull();
    await d.http.stop();
  });
});
