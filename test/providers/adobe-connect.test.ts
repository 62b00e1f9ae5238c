import { describe, expect, it } from 'vitest';
import { conferenceProviderContract } from '../../src/providers/contract.ts';
import { AdobeConnectProvider } from '../../src/providers/adobe-connect/adapter.ts';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';

const adapter = (d: AdobeConnectDouble, o: { badCredentials?: boolean; timeoutMs?: number } = {}) =>
  new AdobeConnectProvider({ url: d.http.baseUrl, login: d.admin.login, password: o.badCredentials ? 'wrong' : d.admin.password!, ssoHeader: d.ssoHeader, timeoutMs: o.timeoutMs ?? 2000 });

conferenceProviderContract({
  name: 'Adobe Connect (meeting per booking)',
  stateful: true,
  remote: true,
  hostIdOf: (u) => u.email,
  double: async () => {
    const d = new AdobeConnectDouble();
    await d.http.start();
    return d;
  },
  provider: (d, o) => adapter(d as AdobeConnectDouble, o),
});

describe('Adobe Connect details', () => {
  it('reassigns a fixed room to each booking and resets it on release', async () => {
    const d = new AdobeConnectDouble();
    await d.http.start();
    const p = adapter(d);
    const scoId = d.fixedRoom('aula-magna');
    const spec = (bookingId: string, email: string) => ({
      bookingId,
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
