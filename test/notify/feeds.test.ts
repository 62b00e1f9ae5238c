// Calendar feeds: secret ICS addresses per user and per room, parsed with ical.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let bob: Caller;
let roomA: string;
let roomB: string;

beforeAll(async () => {
  // No SMTP_URL: mail is only logged, and the API says so.
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z', env: { PUBLIC_URL: 'https://meet.example.org' } });
  const uni = await t.institution();
  alice = await t.user('member', uni.id, 'Alice');
  bob = await t.user('member', uni.id, 'Bob');
  [roomA, roomB] = t.rooms.filter((r) => r.capacity === 50).map((r) => r.id) as [string, string];
});
afterAll(() => t.close());

const book = async (as: Caller, roomId: string, title: string, day: string) => {
  const res = await t.api('POST', '/api/v1/bookings', { as, body: { title, seats: 5, roomId, start: `${day}T10:00`, end: `${day}T11:00` } });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const fetchFeed = (url: string) => t.api('GET', new URL(url).pathname);
const eventsOf = (ics: string) => new ICAL.Component(ICAL.parse(ics) as unknown[]).getAllSubcomponents('vevent');

describe('calendar feeds', () => {
  it('a user feed holds exactly that user’s confirmed bookings, with their titles and room-zone times', async () => {
    const a1 = await book(alice, roomA, 'Alice one', '2026-03-24');
    const a2 = await book(alice, roomB, 'Alice two', '2026-03-31');
    const cancelled = await book(alice, roomA, 'Alice cancelled', '2026-03-25');
    await t.api('DELETE', `/api/v1/bookings/${cancelled}`, { as: alice });
    await book(bob, roomA, 'Bob private', '2026-03-26');

    const created = await t.api('POST', '/api/v1/me/feeds', { as: alice, body: {} });
    expect(created.status).toBe(201);
    expect(created.body.url).toMatch(/^https:\/\/meet\.example\.org\/api\/v1\/feeds\/[A-Za-z0-9_-]{32}$/);
    const res = await fetchFeed(created.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const events = eventsOf(res.body as string);
    expect(events.map((e) => e.getFirstPropertyValue('uid')).sort()).toEqual([`booking-${a1}@meet.example.org`, `booking-${a2}@meet.example.org`].sort());
    const one = events.find((e) => e.getFirstPropertyValue('summary') === 'Alice one')!;
    const start = one.getFirstProperty('dtstart')!;
    expect(`${(start.getFirstValue() as ICAL.Time).toString()} ${start.getParameter('tzid')}`).toBe('2026-03-24T10:00:00 Europe/Rome');
    // The listing never shows the secret again.
    const listed = await t.api('GET', '/api/v1/me/feeds', { as: alice });
    expect(listed.body.items).toEqual([{ id: created.body.id, roomId: null, url: null, createdAt: expect.any(String) }]);
  });

  it('a user feed gives each date of a series as an event of its own (no RECURRENCE-ID without the series’ master event)', async () => {
    const s = await t.api('POST', '/api/v1/series', { as: bob, body: { title: 'Bob weekly', seats: 5, roomId: roomB, start: '2026-04-14T15:00', end: '2026-04-14T16:00', rrule: 'FREQ=WEEKLY;COUNT=2' } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const created = await t.api('POST', '/api/v1/me/feeds', { as: bob, body: {} });
    const events = eventsOf((await fetchFeed(created.body.url)).body as string).filter((e) => e.getFirstPropertyValue('summary') === 'Bob weekly');
    expect(events.map((e) => e.getFirstPropertyValue('uid')).sort()).toEqual((s.body.booked as { id: string }[]).map((b) => `booking-${b.id}@meet.example.org`).sort());
    expect(events.every((e) => e.getFirstProperty('recurrence-id') === null)).toBe(true);
  });

  it('a user feed gives each booking its join link, guest link, page and an online location', async () => {
    const id = await book(alice, roomB, 'Alice linked', '2026-04-07');
    const guestUrl = (await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body.guestUrl as string;
    expect(guestUrl).toMatch(/^https:\/\/meet\.example\.org\/g\//);
    const created = await t.api('POST', '/api/v1/me/feeds', { as: alice, body: {} });
    const event = eventsOf((await fetchFeed(created.body.url)).body as string).find((e) => e.getFirstPropertyValue('summary') === 'Alice linked')!;
    const joinUrl = `https://meet.example.org/join/${id}`;
    expect(event.getFirstPropertyValue('url')).toBe(joinUrl);
    const description = String(event.getFirstPropertyValue('description'));
    expect(description).toContain(`Join / Entra: ${joinUrl}`);
    expect(description).toContain(`Guests / Ospiti: ${guestUrl}`);
    expect(description).toContain(`https://meet.example.org/bookings/${id}`);
    const roomName = t.rooms.find((r) => r.id === roomB)!.name;
    expect(event.getFirstPropertyValue('location')).toBe(`WebMeetings – ${roomName} (online) – ${joinUrl}`);
  });

  it('a room feed shows busy times only, of everyone, in that room alone', async () => {
    const created = await t.api('POST', '/api/v1/me/feeds', { as: bob, body: { roomId: roomA } });
    expect(created.status).toBe(201);
    const ics = (await fetchFeed(created.body.url)).body as string;
    const events = eventsOf(ics);
    expect(events.map((e) => e.getFirstPropertyValue('summary'))).toEqual(['Busy / Occupato', 'Busy / Occupato']);
    expect(ics).not.toMatch(/Alice one|Bob private/);
    expect(events.map((e) => (e.getFirstPropertyValue('dtstart') as ICAL.Time).toString())).toEqual(['2026-03-24T10:00:00', '2026-03-26T10:00:00']);
  });

  it('regenerating ends the old address; a wrong or removed token is 404', async () => {
    const first = await t.api('POST', '/api/v1/me/feeds', { as: bob, body: {} });
    const second = await t.api('POST', '/api/v1/me/feeds', { as: bob, body: {} });
    expect(second.body.id).toBe(first.body.id);
    expect((await fetchFeed(first.body.url)).status).toBe(404);
    expect((await fetchFeed(second.body.url)).status).toBe(200);
    const wrong = await t.api('GET', '/api/v1/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(wrong.status).toBe(404);
    expect(wrong.body.code).toBe('FEED_NOT_FOUND');
    expect((await t.api('GET', '/api/v1/feeds/short')).status).toBe(404);
    expect((await t.api('DELETE', `/api/v1/me/feeds/${second.body.id}`, { as: bob })).status).toBe(204);
    expect((await fetchFeed(second.body.url)).status).toBe(404);
    expect((await t.api('DELETE', `/api/v1/me/feeds/${second.body.id}`, { as: alice })).status).toBe(404);
  });

  it('refuses a room that does not exist', async () => {
    const res = await t.api('POST', '/api/v1/me/feeds', { as: bob, body: { roomId: '00000000-0000-4000-8000-000000000000' } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ROOM_NOT_FOUND');
  });
});

describe('without SMTP', () => {
  it('tells clients that mail is not configured (admins see a notice)', async () => {
    expect((await t.api('GET', '/api/v1/mail/status', { as: alice })).body).toEqual({ mailConfigured: false });
  });
});
