// The dial-in on the join pages (issue #7): guests see the numbers with one-tap tel: links, the PIN
// and the SIP URI, never the host PIN; the booker and those who manage the booking also see the
// host PIN on /join; a booking without audio shows none of it. The pages pass axe-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot } from '../e2e/support/browser.ts';
import type { Caller } from '../support/portal.ts';
import { book, NUMBER, room, SIP_DOMAIN, startPhonePortal, stopPhonePortal, type Phone } from '../telephony/support.ts';
import { invite, settled } from './provisioning-support.ts';
import { within } from '../support/within.ts';

let p: Phone;
beforeAll(async () => {
  p = await startPhonePortal(); // the clock stands at 2026-03-20T09:20Z
});
afterAll(async () => {
  await stopPhonePortal(p);
});

// 13:00–14:00 in Rome (the rooms' zone): the room and the PIN open at 12:45 and the PIN closes at 14:15.
const LATER = { start: '2026-03-20T12:00:00Z', end: '2026-03-20T13:00:00Z' };

const page = async (path: string, o: { as?: Caller; lang?: 'it' | 'en' } = {}) => {
  const res = await fetch(`${p.t.baseUrl}${path}?lang=${o.lang ?? 'en'}`, { redirect: 'manual', headers: o.as ? { authorization: `Bearer ${o.as.token}` } : {} });
  return { status: res.status, html: await res.text() };
};
const postForm = async (path: string, form: Record<string, string>) => {
  const res = await fetch(`${p.t.baseUrl}${path}?lang=en`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, html: await res.text() };
};
const guestPath = async (bookingId: string) => new URL((await p.t.api('GET', `/api/v1/bookings/${bookingId}/room`, { as: p.booker })).body.guestUrl).pathname;

/** The dial-in section as the page shows it, or null when the page has none. */
const dialInOf = (html: string) => /<section class="dial-in"[\s\S]*?<\/section>/.exec(html)?.[0] ?? null;

describe('the guest page', () => {
  it('shows the numbers with their country and one-tap links, the PIN and the SIP URI, never the host PIN', async () => {
    const b = await book(p, LATER);
    const guest = await guestPath(b.id);
    const en = await page(guest);
    expect(en.status).toBe(200);
    expect(en.html).toContain('The room opens in');
    const section = dialInOf(en.html);
    expect(section).not.toBeNull();
    expect(section).toContain('<h2 id="dial-in-title">Join by phone</h2>');
    expect(section).toContain(`<li>Italy: <a href="tel:${NUMBER},,${b.pin}%23">${NUMBER}</a></li>`);
    expect(section).toContain(`<dt>PIN</dt><dd><span class="pin">${b.pin}</span></dd>`);
    expect(section).toContain(`<dt>SIP address</dt><dd><a href="sip:${b.pin}@${SIP_DOMAIN}">sip:${b.pin}@${SIP_DOMAIN}</a></dd>`);
    expect(section).toContain('The PIN works from 12:45 to 14:15 (Europe/Rome).');
    expect(en.html).not.toContain(b.hostPin);
    expect(en.html).not.toContain('Host PIN');

    const it = await page(guest, { lang: 'it' });
    expect(dialInOf(it.html)).toContain('<h2 id="dial-in-title">Partecipa per telefono</h2>');
    expect(dialInOf(it.html)).toContain(`<li>Italia: <a href="tel:${NUMBER},,${b.pin}%23">`);
    expect(dialInOf(it.html)).toContain('Il PIN vale dalle 12:45 alle 14:15 (Europe/Rome).');
    expect(it.html).not.toContain(b.hostPin);
  });

  it('shows the dial-in beside the guest form while the room is open, and not once the meeting has ended', async () => {
    const b = await book(p, LATER);
    const guest = await guestPath(b.id);
    try {
      p.t.clock.set('2026-03-20T12:10:00Z');
      const open = await page(guest);
      expect(open.status).toBe(200);
      expect(open.html).toContain('Join as a guest');
      expect(dialInOf(open.html)).toContain(`<span class="pin">${b.pin}</span>`);
      expect(open.html).not.toContain(b.hostPin);
      // A name left empty brings the form back, still with the dial-in.
      const again = await postForm(guest, { name: ' ' });
      expect(again.status).toBe(422);
      expect(dialInOf(again.html)).toContain(`<span class="pin">${b.pin}</span>`);

      p.t.clock.set('2026-03-20T13:05:00Z');
      const ended = await page(guest);
      expect(ended.html).toContain('The meeting has ended');
      expect(dialInOf(ended.html)).toBeNull();
      expect(ended.html).not.toContain(b.pin);
    } finally {
      p.t.clock.set('2026-03-20T09:20:00Z');
    }
  });

  it('keeps the phone PIN off the page while the guest link asks for a web PIN (the phone would get round it)', async () => {
    const b = await book(p, LATER);
    const policy = await p.t.api('PUT', `/api/v1/bookings/${b.id}/guest-policy`, { as: p.booker, body: { policy: 'pin', pin: '4821' } });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const guest = await guestPath(b.id);
    const waiting = await page(guest);
    expect(waiting.html).toContain('The room opens in');
    expect(dialInOf(waiting.html)).toBeNull();
    expect(waiting.html).not.toContain(b.pin);
    try {
      p.t.clock.set('2026-03-20T12:10:00Z');
      const form = await page(guest);
      expect(form.html).toContain('Meeting PIN');
      expect(dialInOf(form.html)).toBeNull();
      const wrong = await postForm(guest, { name: 'Gianni Ospite', pin: '1111' });
      expect(wrong.status).toBe(422);
      expect(dialInOf(wrong.html)).toBeNull();
      // The right web PIN lets the guest into the room itself, once the room is prepared (CI on
      // PostgreSQL got 503, the page for a room being prepared, with the sync job still queued).
      await settled(p.t, b.id);
      expect((await postForm(guest, { name: 'Gianni Ospite', pin: '4821' })).status).toBe(303);
    } finally {
      p.t.clock.set('2026-03-20T09:20:00Z');
    }
  });

  it('shows the PIN of the occurrence a series’ shared link opens (a series shares one PIN)', async () => {
    const res = await p.t.api('POST', '/api/v1/series', {
      as: p.booker,
      body: { title: 'Weekly seminar', roomId: await room(p), seats: 5, start: '2026-03-23T10:00', end: '2026-03-23T11:00', rrule: 'FREQ=WEEKLY;COUNT=2', sharedAccess: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [first, second] = res.body.booked as { id: string }[];
    const pins = await Promise.all([first!, second!].map(async (o) => (await p.t.api('GET', `/api/v1/bookings/${o.id}/audio`, { as: p.booker })).body.pin as string));
    expect(pins[0]).toMatch(/^\d{7}$/);
    expect(pins[1]).toBe(pins[0]);
    const guest = await guestPath(first!.id);
    const now = await page(guest);
    expect(now.html).toContain('23 March');
    expect(dialInOf(now.html)).toContain(`<span class="pin">${pins[0]}</span>`);
    try {
      p.t.clock.set('2026-03-23T11:00:00Z'); // after the first meeting and its grace
      const next = await page(guest);
      expect(next.html).toContain('30 March');
      expect(dialInOf(next.html)).toContain(`<span class="pin">${pins[0]}</span>`);
      expect(dialInOf(next.html)).toContain('The PIN works from 09:45 to 11:15 (Europe/Rome).');
    } finally {
      p.t.clock.set('2026-03-20T09:20:00Z');
    }
  });
});

describe('the join page of signed-in people', () => {
  it('shows the booker and the institution’s manager the host PIN too, and other people only the PIN', async () => {
    const b = await book(p, LATER);
    expect(b.hostPin).toMatch(/^\d{7}$/);
    const booker = dialInOf((await page(`/join/${b.id}`, { as: p.booker })).html);
    expect(booker).toContain(`<dt>PIN</dt><dd><span class="pin">${b.pin}</span></dd>`);
    expect(booker).toContain(`<dt>Host PIN</dt><dd><span class="pin">${b.hostPin}</span>`);
    expect(booker).toContain(`<a href="tel:${NUMBER},,${b.pin}%23">`);
    expect(booker).toContain(`<a href="sip:${b.pin}@${SIP_DOMAIN}">`);
    expect(dialInOf((await page(`/join/${b.id}`, { as: p.booker, lang: 'it' })).html)).toContain(`<dt>PIN del moderatore</dt><dd><span class="pin">${b.hostPin}</span>`);

    const manager = await p.t.user('institution-manager', p.booker.institutionId);
    expect(dialInOf((await page(`/join/${b.id}`, { as: manager })).html)).toContain(b.hostPin);

    const colleague = await p.t.user('member', p.booker.institutionId);
    await invite(p.t, p.booker, b.id, colleague);
    const other = await page(`/join/${b.id}`, { as: colleague });
    expect(other.status).toBe(200);
    expect(dialInOf(other.html)).toContain(`<span class="pin">${b.pin}</span>`);
    expect(other.html).not.toContain(b.hostPin);
    expect(other.html).not.toContain('Host PIN');
  });

  it('gives the host PIN to the owner of a booking made on their behalf, not to the delegate who made it (issue #17)', async () => {
    const delegate = await p.t.user('member', (await p.t.institution()).id, 'Dora Delegate');
    expect((await p.t.api('POST', '/api/v1/account/delegates', { as: p.booker, body: { userId: delegate.userId } })).status).toBe(201);
    expect((await p.t.api('POST', `/api/v1/account/delegations/${p.booker.userId}/accept`, { as: delegate })).status).toBe(200);
    const res = await p.t.api('POST', '/api/v1/bookings', { as: delegate, body: { title: 'Per conto di Alice', roomId: await room(p), ...LATER, seats: 5, ownerId: p.booker.userId } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const audio = (await p.t.api('GET', `/api/v1/bookings/${res.body.id}/audio`, { as: p.booker })).body;
    expect(dialInOf((await page(`/join/${res.body.id}`, { as: p.booker })).html)).toContain(`<dt>Host PIN</dt><dd><span class="pin">${audio.hostPin}</span>`);
    // Booking for someone does not make one a participant: the delegate enters once invited, as a participant.
    expect((await page(`/join/${res.body.id}`, { as: delegate })).html).not.toContain(audio.hostPin);
    await invite(p.t, delegate, res.body.id, delegate);
    const theirs = await page(`/join/${res.body.id}`, { as: delegate });
    expect(theirs.status).toBe(200);
    expect(dialInOf(theirs.html)).toContain(`<span class="pin">${audio.pin}</span>`);
    expect(theirs.html).not.toContain(audio.hostPin);
  });
});

describe('a booking without audio', () => {
  it('shows no dial-in on the guest page nor on /join', async () => {
    const b = await book(p, { ...LATER, audio: false });
    expect(b.pin).toBeNull();
    for (const res of [await page(await guestPath(b.id)), await page(`/join/${b.id}`, { as: p.booker })]) {
      expect(res.html).toContain('The room opens in');
      expect(dialInOf(res.html)).toBeNull();
      expect(res.html).not.toContain('tel:');
      expect(res.html).not.toContain('sip:');
      expect(res.html).not.toContain('Join by phone');
    }
  });
});

// The pages read the conference from the instance's join cache (app/join-cache.ts): a lecture's
// guests opening the page at once cost no query, and a change shows on the next page.
describe('the dial-in kept in memory (issue #13)', () => {
  /**
   * Counts the database reads of conferences and bookings the join pages make while `work` runs
   * (by the route in the call's stack: the booking's own jobs, such as its mails, read them too).
   */
  async function pageReads(work: () => Promise<void>): Promise<number> {
    const { audio, bookings } = p.t.portal.services.uow.repos;
    const [get, findById] = [audio.get, bookings.findById];
    let reads = 0;
    const count = () => {
      if (new Error().stack?.includes('/src/http/routes/join.ts')) reads++;
    };
    audio.get = (bookingId) => {
      count();
      return get.call(audio, bookingId);
    };
    bookings.findById = (id) => {
      count();
      return findById.call(bookings, id);
    };
    try {
      await work();
    } finally {
      audio.get = get;
      bookings.findById = findById;
    }
    return reads;
  }

  it('reads nothing for a burst of guest and join pages, and shows a switch off or on at once', async () => {
    const b = await book(p, LATER);
    const guest = await guestPath(b.id);
    expect(dialInOf((await page(guest)).html)).toContain(`<span class="pin">${b.pin}</span>`);
    const burst = await pageReads(async () => {
      const pages = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? page(guest) : page(`/join/${b.id}`, { as: p.booker }))));
      for (const x of pages) expect(dialInOf(x.html)).toContain(`<span class="pin">${b.pin}</span>`);
      // The booker's join pages carry the host PIN, the guests' never.
      pages.forEach((x, i) => expect(x.html.includes(b.hostPin), `page ${i}`).toBe(i % 2 === 0));
    });
    // Twenty pages, not twenty or thirty reads: none, or one or two when a notice of the booking’s own writes
    // comes back through LISTEN (PostgreSQL) during the burst and rightly drops the entry.
    expect(burst).toBeLessThanOrEqual(2);

    const off = await p.t.api('PUT', `/api/v1/bookings/${b.id}/audio`, { as: p.booker, body: { enabled: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(dialInOf((await page(guest)).html)).toBeNull();
    expect(dialInOf((await page(`/join/${b.id}`, { as: p.booker })).html)).toBeNull();
    const on = await p.t.api('PUT', `/api/v1/bookings/${b.id}/audio`, { as: p.booker, body: { enabled: true } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(dialInOf((await page(guest)).html)).toContain(`<span class="pin">${on.body.pin}</span>`);
  });

  it('forgets a conference switched off on another instance within a second', async () => {
    const other = await startPhonePortal({ alongside: p });
    try {
      const b = await book(p, LATER);
      const guest = await guestPath(b.id);
      const shownOn = async (t: Phone['t']) => dialInOf(await (await fetch(`${t.baseUrl}${guest}?lang=en`)).text());
      expect(await shownOn(other.t)).toContain(`<span class="pin">${b.pin}</span>`);
      const off = await p.t.api('PUT', `/api/v1/bookings/${b.id}/audio`, { as: p.booker, body: { enabled: false } });
      expect(off.status, JSON.stringify(off.body)).toBe(200);
      expect(await shownOn(p.t)).toBeNull();
      expect(await within(1000, async () => (await shownOn(other.t)) === null)).toBe(true);
    } finally {
      await stopPhonePortal(other);
    }
  });

  it('shows the new dial-in window at once when the booking moves', async () => {
    const b = await book(p, LATER);
    const guest = await guestPath(b.id);
    // 13:00–14:00 in Rome: the PIN works until 14:15.
    expect(dialInOf((await page(guest)).html)).toContain('14:15');
    const moved = await p.t.api('PATCH', `/api/v1/bookings/${b.id}`, { as: p.booker, body: { start: '2026-03-20T14:00', end: '2026-03-20T15:00' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const after = dialInOf((await page(guest)).html);
    expect(after).toContain('15:15');
    expect(after).not.toContain('14:15');
  });
});

describeInBrowser('the dial-in in a browser', () => {
  it('passes axe-core on the guest page and the booker’s join page, and one tap dials with the PIN', async () => {
    const b = await book(p, LATER);
    const browser = await launchBrowser();
    try {
      const context = await newContext(browser, p.t.baseUrl, { locale: 'it-IT', viewport: { width: 400, height: 900 } });
      const guest = await context.newPage();
      await guest.goto(await guestPath(b.id));
      const call = guest.getByRole('link', { name: NUMBER });
      expect(await call.getAttribute('href')).toBe(`tel:${NUMBER},,${b.pin}%23`);
      expect(await guest.getByRole('region', { name: 'Partecipa per telefono' }).isVisible()).toBe(true);
      await expectAccessible(guest, 'the guest page with the dial-in');
      await screenshot(guest, 'join-dial-in-guest-it');

      const booker = await context.newPage();
      await booker.setExtraHTTPHeaders({ authorization: `Bearer ${p.booker.token}` });
      await booker.goto(`/join/${b.id}?lang=en`);
      expect(await booker.getByRole('list', { name: 'Telephone numbers' }).getByRole('listitem').count()).toBe(1);
      await expectAccessible(booker, 'the booker’s join page with the host PIN');
      await screenshot(booker, 'join-dial-in-booker-en');
    } finally {
      await browser.close();
    }
  });
});
