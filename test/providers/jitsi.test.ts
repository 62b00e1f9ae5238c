import { describe, expect, it, vi } from 'vitest';
import * as signedToken from '../../src/providers/signed-token.ts';
import { conferenceProviderContract } from '../../src/providers/contract.ts';
import { JitsiProvider } from '../../src/providers/jitsi/adapter.ts';
import { hasParticipantCounter } from '../../src/providers/port.ts';
import { JitsiDouble } from '../doubles/jitsi.ts';
import { rememberMeetingKey } from '../doubles/meeting-keys.ts';

// Signing counted (the real signer still signs): which tokens the adapter keeps and which it makes again.
vi.mock('../../src/providers/signed-token.ts', async (actual) => {
  const real = await actual<typeof signedToken>();
  return { ...real, signHs256: vi.fn(real.signHs256) };
});

conferenceProviderContract({
  name: 'Jitsi with tokens',
  stateful: false,
  remote: false,
  hostIdOf: (u) => u.id,
  // Started for its room census (the tokens themselves are judged without a server).
  double: async () => {
    const d = new JitsiDouble();
    await d.http.start();
    return d;
  },
  provider: (d, o = {}) => {
    const j = d as JitsiDouble;
    const jigasi = o.audio ? { endpoint: 'jigasi', roomHeader: 'Jitsi-Conference-Room', mucDomain: 'conference.meet.example.org' } : null;
    return new JitsiProvider({ url: j.http.baseUrl, appId: j.appId, appSecret: j.secret!, audience: j.audience, subject: '*', openMinutesBefore: 15, jigasi, censusUrl: `${j.http.baseUrl}/room-census`, now: () => new Date() });
  },
  roomAudio: { configured: 'originate', unconfigured: null },
});

describe('Jitsi', () => {
  const spec = { bookingId: '22222222-2222-4222-8222-222222222222', meetingKey: '5f0c9a7be2d14c6f8a3b1e9d7c2f4a60', title: 'T', start: new Date('2026-04-01T08:00:00Z'), end: new Date('2026-04-01T09:00:00Z'), seats: 3, timeZone: 'Europe/Rome', host: { userId: 'u', email: 'u@x.org', name: 'U' }, guestPolicy: 'open' as const, settings: {} };

  // A provider signing with the double's secret, ten minutes before the meeting.
  const signing = () => {
    const d = new JitsiDouble();
    return { d, p: new JitsiProvider({ url: 'https://meet.example.org', appId: d.appId, appSecret: d.secret!, audience: 'jitsi', subject: '*', openMinutesBefore: 15, now: () => new Date('2026-04-01T07:50:00Z') }) };
  };

  it('signs tokens that expire at the end of the booking', async () => {
    const { d, p } = signing();
    const ref = await p.prepare(spec);
    const url = await p.hostJoinUrl(ref, { id: 'u', email: 'u@x.org', name: 'U' }, spec);
    d.now = () => new Date('2026-04-01T08:30:00Z');
    expect(await d.follow(url)).toMatchObject({ ok: true, role: 'host' });
    d.now = () => new Date('2026-04-01T09:01:00Z');
    expect((await d.follow(url)).ok).toBe(false);
  });

  it('signs a person’s token for a meeting once, and a new one when anything in it changes', async () => {
    const { d, p } = signing();
    const ref = await p.prepare(spec);
    const u = { id: 'u', email: 'u@x.org', name: 'U' };
    const first = await p.hostJoinUrl(ref, u, spec);
    expect(await p.hostJoinUrl(ref, u, spec)).toBe(first);
    const tokenOf = (url: string) => new URL(url).searchParams.get('jwt');
    // As a guest, another person, a renamed person, a meeting moved to end later: each its own token.
    const others = [
      await p.attendeeJoinUrl(ref, u, spec),
      await p.hostJoinUrl(ref, { ...u, id: 'v' }, spec),
      await p.hostJoinUrl(ref, { ...u, name: 'U. Rossi' }, spec),
      await p.hostJoinUrl(ref, u, { ...spec, end: new Date('2026-04-01T10:00:00Z') }),
    ];
    expect(new Set([first, ...others].map(tokenOf)).size).toBe(5);
    d.now = () => new Date('2026-04-01T09:30:00Z');
    expect(await d.follow(others[3]!)).toMatchObject({ ok: true, role: 'host' });
    expect((await d.follow(first)).ok).toBe(false);
  });

  it('keeps the tokens of the latest people when thousands of signed-in people each get one, and every token it hands out is valid', async () => {
    const { d, p } = signing();
    d.now = () => new Date('2026-04-01T08:30:00Z');
    const ref = await p.prepare(spec);
    const host = { id: 'u', email: 'u@x.org', name: 'U' };
    const first = await p.hostJoinUrl(ref, host, spec);
    const person = (i: number) => ({ id: `p-${i}`, name: `Person ${i}` });
    const urls: string[] = [];
    for (let i = 0; i < 12_000; i++) urls.push(await p.attendeeJoinUrl(ref, person(i), spec));
    // The latest person again gets the very URL it got; the host, twelve thousand tokens ago, a new
    // one that is just as valid (HS256 over the same claims: the same text).
    expect(await p.attendeeJoinUrl(ref, person(11_999), spec)).toBe(urls[11_999]);
    expect(await p.hostJoinUrl(ref, host, spec)).toBe(first);
    for (const i of [0, 4_999, 5_000, 11_999]) expect(await d.follow(urls[i]!)).toMatchObject({ ok: true, role: 'attendee', name: `Person ${i}` });
    expect(await d.follow(first)).toMatchObject({ ok: true, role: 'host' });
  });

  it('keeps no guest’s token (each guest is a new participant): a lecture’s guests leave the members’ tokens kept', async () => {
    const { d, p } = signing();
    d.now = () => new Date('2026-04-01T08:30:00Z');
    const ref = await p.prepare(spec);
    const host = { id: 'u', email: 'u@x.org', name: 'U' };
    const sign = vi.mocked(signedToken.signHs256);
    const first = await p.hostJoinUrl(ref, host, spec);
    sign.mockClear();
    const guests: string[] = [];
    for (let i = 0; i < 12_000; i++) guests.push(await p.attendeeJoinUrl(ref, { id: `guest-${i}`, name: `Guest ${i}`, guest: true }, spec));
    expect(sign).toHaveBeenCalledTimes(12_000);
    // The booker joins again after twelve thousand guests: the kept token, not a new signature.
    expect(await p.hostJoinUrl(ref, host, spec)).toBe(first);
    expect(sign).toHaveBeenCalledTimes(12_000);
    for (const i of [0, 11_999]) expect(await d.follow(guests[i]!)).toMatchObject({ ok: true, role: 'attendee', name: `Guest ${i}` });
  });

  it('has Asterisk call Jigasi with the room’s MUC address in the header Jigasi reads', async () => {
    const p = new JitsiProvider({ url: 'https://meet.example.org', audience: 'jitsi', subject: '*', openMinutesBefore: 15, jigasi: { endpoint: 'jigasi', roomHeader: 'X-Room', mucDomain: 'muc.meet.example.org' }, now: () => new Date() });
    const ref = await p.prepare(spec);
    expect(p.roomAudio(ref, spec)).toEqual({ mode: 'originate', endpoint: 'PJSIP/jigasi', variables: { 'PJSIP_HEADER(add,X-Room)': `wm-${spec.meetingKey}@muc.meet.example.org` } });
  });

  it('uses a public server without tokens when no secret is configured', async () => {
    const d = new JitsiDouble({ secret: null });
    const p = new JitsiProvider({ url: 'https://meet.jit.si', audience: 'jitsi', subject: '*', openMinutesBefore: 15, now: () => new Date() });
    const ref = await p.prepare(spec);
    const url = await p.attendeeJoinUrl(ref, { id: 'g', name: 'Ospite Uno' }, spec);
    // Named after the secret meeting key, not the booking id every member sees (issue #11).
    expect(url).toBe(`https://meet.jit.si/wm-${spec.meetingKey}#userInfo.displayName=${encodeURIComponent('"Ospite Uno"')}`);
    expect(url).not.toContain(spec.bookingId);
    // A meeting prepared before the keys (its handle named after the booking id) moves to the secret name.
    expect(await p.attendeeJoinUrl({ id: `wm-${spec.bookingId}`, url: `https://meet.jit.si/wm-${spec.bookingId}` }, { id: 'g', name: 'Ospite Uno' }, spec)).toBe(url);
    expect(await d.follow(url)).toEqual({ ok: true, role: 'attendee', name: 'Ospite Uno' });
  });

  it('counts people only from a room census: meet.jit.si cannot, so it offers no count at all', async () => {
    const open = new JitsiProvider({ url: 'https://meet.jit.si', audience: 'jitsi', subject: '*', openMinutesBefore: 15, now: () => new Date() });
    expect(hasParticipantCounter(open)).toBe(false);
    const d = new JitsiDouble();
    await d.http.start();
    try {
      const own = new JitsiProvider({ url: d.http.baseUrl, audience: 'jitsi', subject: '*', openMinutesBefore: 15, censusUrl: `${d.http.baseUrl}/room-census`, now: () => new Date() });
      expect(hasParticipantCounter(own)).toBe(true);
      const ref = await own.prepare(spec);
      rememberMeetingKey(spec.bookingId, spec.meetingKey);
      d.setParticipants(spec.bookingId, 4);
      expect(await own.participantCount!({ ...ref, id: ref.id.toUpperCase() })).toBe(4);
      d.http.failures = { status: 503, left: 1 };
      await expect(own.participantCount!(ref)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    } finally {
      await d.http.stop();
    }
  });
});
