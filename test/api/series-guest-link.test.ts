// A series keeps one guest link for all its occurrences when the booker chooses so (the default),
// and that link opens the occurrence that is current or next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
let alice: Caller;
let rooms: string[];
beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z' });
  alice = await t.user('member', (await t.institution()).id, 'Alice');
  rooms = t.rooms.filter((r) => r.capacity === 50).map((r) => r.id);
});
afterAll(() => t.close());

const weekly = async (title: string, sharedAccess: boolean, room: string) => {
  const res = await t.api('POST', '/api/v1/series', {
    as: alice,
    body: { title, roomId: room, seats: 10, start: '2026-03-23T10:00', end: '2026-03-23T11:00', rrule: 'FREQ=WEEKLY;COUNT=3', sharedAccess },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.booked as { id: string }[];
};
const guestUrl = async (bookingId: string) => (await t.api('GET', `/api/v1/bookings/${bookingId}/room`, { as: alice })).body.guestUrl as string;
const guestPage = async (url: string) => {
  const res = await fetch(`${t.baseUrl}${new URL(url).pathname}?lang=en`);
  return { status: res.status, html: await res.text() };
};

describe('guest links of a series', () => {
  it('gives every occurrence the same link, which opens the current or next occurrence', async () => {
    const booked = await weekly('Shared lecture', true, rooms[0]!);
    const urls = await Promise.all(booked.map((b) => guestUrl(b.id)));
    expect(new Set(urls).size).toBe(1);
    expect((await guestPage(urls[0]!)).html).toContain('23 March');
    // After the first meeting (and its grace) the same link leads to the second.
    t.clock.set('2026-03-23T11:00:00Z');
    const second = await guestPage(urls[0]!);
    expect(second.status).toBe(200);
    expect(second.html).toContain('30 March');
    // Regenerating from any occurrence replaces the one shared link.
    const fresh = (await t.api('POST', `/api/v1/bookings/${booked[2]!.id}/guest-link`, { as: alice })).body.guestUrl as string;
    expect(fresh).not.toBe(urls[0]);
    expect(await guestUrl(booked[0]!.id)).toBe(fresh);
    expect((await guestPage(urls[0]!)).status).toBe(404);
    t.clock.set('2026-03-20T09:00:00Z');
  });

  it('says a shared link is the series’, and its PIN set from any date holds for every date', async () => {
    const own = async (name: string) => (await t.portal.services.uow.repos.rooms.create({ name, capacity: 50, timeZone: 'Europe/Rome', provider: null, active: true })).id;
    const shared = await weekly('Shared with a PIN', true, await own('Aula PIN condiviso'));
    const room = async (id: string) => (await t.api('GET', `/api/v1/bookings/${id}/room`, { as: alice })).body;
    expect(await room(shared[0]!.id)).toMatchObject({ guestLinkForSeries: true, guestPin: null });
    const set = await t.api('PUT', `/api/v1/bookings/${shared[2]!.id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '2468' } });
    expect(set.status).toBe(200);
    for (const b of shared) expect(await room(b.id)).toMatchObject({ guestLinkForSeries: true, guestPolicy: 'pin', guestPin: '2468' });
    const separate = await weekly('Each date its own', false, await own('Aula PIN separati'));
    await t.api('PUT', `/api/v1/bookings/${separate[1]!.id}/guest-policy`, { as: alice, body: { policy: 'pin', pin: '1357' } });
    expect(await room(separate[1]!.id)).toMatchObject({ guestLinkForSeries: false, guestPin: '1357' });
    expect(await room(separate[0]!.id)).toMatchObject({ guestLinkForSeries: false, guestPolicy: 'open', guestPin: null });
  });

  it('leads the series’ join link (its first date’s, as in the invitation) to the date that is next once that one is over', async () => {
    const booked = await weekly('Joined by the series link', true, rooms[3]!);
    const join = async (id: string) => {
      const res = await fetch(`${t.baseUrl}/join/${id}?lang=en`, { redirect: 'manual', headers: { authorization: `Bearer ${alice.token}` } });
      return { status: res.status, location: res.headers.get('location'), html: await res.text() };
    };
    // Someone invited to the first date alone: its page says it ended, not another date's door.
    const guest = await t.user('member', alice.institutionId, 'Only the first');
    const guestEmail = (await t.portal.services.uow.repos.users.findById(guest.userId))!.email;
    expect((await t.api('POST', `/api/v1/bookings/${booked[0]!.id}/invitees`, { as: alice, body: { email: guestEmail } })).status).toBe(201);
    // Before the first meeting its own page waits for it.
    expect(await join(booked[0]!.id)).toMatchObject({ status: 200, location: null });
    t.clock.set('2026-03-23T10:30:00Z');
    try {
      expect(await join(booked[0]!.id)).toMatchObject({ status: 302, location: `/join/${booked[1]!.id}?lang=en` });
      const invitedOnce = await fetch(`${t.baseUrl}/join/${booked[0]!.id}?lang=en`, { redirect: 'manual', headers: { authorization: `Bearer ${guest.token}` } });
      expect(invitedOnce.status).toBe(410);
      // A date cancelled leads on too; after the last date, its own page says the meeting ended.
      expect((await t.api('DELETE', `/api/v1/bookings/${booked[1]!.id}`, { as: alice })).status).toBe(200);
      expect(await join(booked[1]!.id)).toMatchObject({ status: 302, location: `/join/${booked[2]!.id}?lang=en` });
      t.clock.set('2026-04-06T10:00:00Z');
      const last = await join(booked[0]!.id);
      expect(last.status).toBe(410);
      expect(last.html).toContain('ended');
    } finally {
      t.clock.set('2026-03-20T09:00:00Z');
    }
  });

  it('gives each occurrence its own link when the booker chose so', async () => {
    const booked = await weekly('Separate seminar', false, rooms[1]!);
    const urls = await Promise.all(booked.map((b) => guestUrl(b.id)));
    expect(new Set(urls).size).toBe(3);
    expect((await guestPage(urls[1]!)).html).toContain('30 March');
  });

  it('makes one link however many ask for it at once (made and read in one statement; a lost race reads it again)', async () => {
    const booked = await weekly('Asked at once', true, rooms[2] ?? t.rooms[t.rooms.length - 1]!.id);
    const urls = await Promise.all(Array.from({ length: 24 }, (_, i) => guestUrl(booked[i % booked.length]!.id)));
    expect(urls.every((u) => typeof u === 'string' && u.length > 0)).toBe(true);
    expect(new Set(urls).size).toBe(1);
  });
});
