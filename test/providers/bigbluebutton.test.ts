import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conferenceProviderContract } from '../../src/providers/contract.ts';
import { BigBlueButtonProvider } from '../../src/providers/bigbluebutton/adapter.ts';
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
        now: () => new Date(),
      }),
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
    await p.prepare({ bookingId, title: 'Lab', start: new Date(), end: new Date(Date.now() + 3_600_000), seats: 7, timeZone: 'Europe/Rome', host: { userId: 'u', email: 'u@x', name: 'U' }, guestPolicy: 'lobby', settings: {} });
    const m = d.meetings.get(`wm-${bookingId}`)!;
    expect(m.maxParticipants).toBe(7);
    expect(m.guestPolicy).toBe('ASK_MODERATOR');
    expect(m.metadata.bookingid).toBe(bookingId);
    await d.http.stop();
  });
});
