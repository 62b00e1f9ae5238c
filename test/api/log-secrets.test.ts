// No log line carries a secret (issue #15): the logs go to Elasticsearch (deploy/elastic/), where
// many people can read them. A whole day of use runs with the portal logging at info level: an
// administrator adds a person, who sets a password through the link, signs in (once wrongly),
// makes an API token and a calendar feed, books a room, protects its guest link with a PIN, joins;
// a guest enters with the PIN; someone invited answers from their mail's link; someone posts a SAML response. Then every secret of that day is
// looked for in every line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { settled } from './provisioning-support.ts';

let t: TestPortal;
let bbb: BigBlueButtonDouble;
const logs: Record<string, unknown>[] = [];
const secrets = new Map<string, string>();

beforeAll(async () => {
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  t = await startTestPortal({
    now: '2026-03-20T09:00:00Z',
    logs,
    ecsLogs: true,
    env: { BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, BBB_CHECKSUM: 'sha1', PUBLIC_URL: 'http://portal.test', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' },
  });
});
afterAll(async () => {
  await t?.close();
  await bbb?.http.stop();
});

const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(t.baseUrl + path, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });

describe('a day of use, logged at info level', () => {
  it('runs the whole flow', async () => {
    const uni = await t.institution();
    const address = `laura-${Date.now()}@uni.example.org`;
    const created = await t.api('POST', '/api/v1/users', { as: t.admin, body: { name: 'Laura Conti', email: address, institutionId: uni.id, locale: 'it' } });
    expect(created.status).toBe(201);
    const link = await t.api('POST', `/api/v1/users/${created.body.id}/password-link`, { as: t.admin });
    const linkToken = new URL(link.body.url as string).hash.slice(1);
    secrets.set('password link', linkToken);
    const password = 'laura-chooses-Zq8-a-long-one';
    secrets.set('password', password);
    expect((await t.api('POST', '/api/v1/password/link', { body: { token: linkToken } })).status).toBe(200);
    expect((await t.api('POST', '/api/v1/password', { body: { token: linkToken, password } })).status).toBe(200);

    const wrong = 'not-lauras-password-Xy7';
    secrets.set('wrong password', wrong);
    expect((await t.api('POST', '/api/v1/session', { body: { email: address, password: wrong } })).status).toBe(401);
    const session = await t.api('POST', '/api/v1/session', { body: { email: address, password } });
    expect(session.status).toBe(200);
    const sid = /wm_session=([^;]+)/.exec(session.headers.get('set-cookie') ?? '')![1]!;
    secrets.set('session', sid);
    secrets.set('csrf token', session.body.csrfToken as string);
    const asLaura = { cookie: `wm_session=${sid}`, 'x-csrf-token': session.body.csrfToken as string };

    const token = await t.api('POST', '/api/v1/me/tokens', { headers: asLaura, body: { name: 'script' } });
    expect(token.status).toBe(201);
    secrets.set('API token', token.body.token as string);
    const laura = { token: token.body.token as string, userId: created.body.id as string, institutionId: uni.id };

    const feed = await t.api('POST', '/api/v1/me/feeds', { headers: asLaura, body: {} });
    expect(feed.status).toBe(201);
    const feedUrl = new URL(feed.body.url as string);
    secrets.set('feed secret', feedUrl.pathname.split('/').pop()!.replace(/\.ics$/, ''));
    expect((await fetch(t.baseUrl + feedUrl.pathname + feedUrl.search)).status).toBe(200);

    const booking = await t.api('POST', '/api/v1/bookings', { as: laura, body: { title: 'Seminario', roomId: t.rooms[0]!.id, start: '2026-03-20T10:10', end: '2026-03-20T11:40', seats: 10 } });
    expect(booking.status, JSON.stringify(booking.body)).toBe(201);
    const id = booking.body.id as string;
    await settled(t, id);
    const guestPin = '739152';
    secrets.set('guest PIN', guestPin);
    expect((await t.api('PUT', `/api/v1/bookings/${id}/guest-policy`, { as: laura, body: { policy: 'pin', pin: guestPin } })).status).toBe(200);
    const room = await t.api('GET', `/api/v1/bookings/${id}/room`, { as: laura });
    const guestPath = new URL(room.body.guestUrl as string).pathname;
    secrets.set('guest link', guestPath.split('/').pop()!);

    const join = await fetch(`${t.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${laura.token}` } });
    expect(join.status).toBe(302);
    const joinUrl = new URL(join.headers.get('location')!);
    secrets.set('host join checksum', joinUrl.searchParams.get('checksum') ?? joinUrl.search);

    expect((await fetch(t.baseUrl + guestPath)).status).toBe(200);
    expect((await form(guestPath, { name: 'Ospite', pin: '000000' })).status).toBe(422);
    const guest = await form(guestPath, { name: 'Ospite', pin: guestPin });
    expect(guest.status).toBe(303);

    // Someone invited answers from the link in their mail, and stops the mails in one click.
    const invited = await t.api('POST', `/api/v1/bookings/${id}/invitees`, { as: laura, body: { email: 'ospite@uni.example.org', locale: 'it' } });
    expect(invited.status).toBe(201);
    const replyToken = (await sql<{ reply_token: string }>`SELECT reply_token FROM booking_invitees WHERE id = ${invited.body.id as string}`.execute(t.db.database.db)).rows[0]!.reply_token;
    secrets.set('invitee reply link', replyToken);
    expect((await fetch(`${t.baseUrl}/i/${replyToken}`)).status).toBe(200);
    expect((await form(`/i/${replyToken}`, { answer: 'yes' })).status).toBe(303);
    expect((await form(`/i/${replyToken}/mail-off`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);

    const assertion = 'PHNhbWxwOlJlc3BvbnNlIHNlY3JldC1hc3NlcnRpb24tbWFya2Vy';
    secrets.set('SAML response', assertion);
    await form('/auth/saml/acs', { SAMLResponse: assertion, RelayState: '/' });

    const ended = await fetch(`${t.baseUrl}/api/v1/session`, { method: 'DELETE', headers: asLaura });
    expect(ended.status).toBeLessThan(500);
  });

  it('has logged the requests of that day, one line each, with the secret part of their addresses masked', () => {
    type Line = { url?: { path?: string }; http?: { request?: { method?: string } } };
    const requests = logs.filter((l) => l.message === 'request completed') as (Record<string, unknown> & Line)[];
    const paths = requests.map((l) => l.url?.path);
    expect(paths).toContain('/g/[redacted]');
    expect(paths).toContain('/api/v1/feeds/[redacted]');
    expect(paths).toContain('/i/[redacted]');
    expect(paths).toContain('/i/[redacted]/mail-off');
    // One line per request, written when it is answered (http/access-log.ts): the day's one booking.
    expect(requests.filter((l) => l.http?.request?.method === 'POST' && l.url?.path === '/api/v1/bookings')).toHaveLength(1);
    expect(logs.filter((l) => l.message === 'incoming request')).toEqual([]);
    // The join's redirect: its status and time, not its Location (the signed room URL).
    const join = requests.find((l) => (l.http as { response?: { status_code?: number } }).response?.status_code === 302);
    expect(join).toMatchObject({ url: { path: expect.stringMatching(/^\/join\/[0-9a-f-]{36}$/) }, event: { duration: expect.any(Number) }, reqId: expect.any(String) });
    expect(JSON.stringify(join)).not.toContain('location');
  });

  it('never writes one of its secrets into a log line', () => {
    expect(secrets.size).toBe(12);
    const found: string[] = [];
    for (const line of logs) {
      const text = JSON.stringify(line);
      for (const [what, secret] of secrets) if (secret && text.includes(secret)) found.push(`${what} in: ${text.slice(0, 300)}`);
    }
    expect(found).toEqual([]);
  });
});
