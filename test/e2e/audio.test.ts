// The audio conference of a booking in the web UI: dial-in numbers with one-tap links, PINs, SIP
// and the window in the booking details; for whoever may manage it, the live list of phone
// participants with mute, remove and the conference lock, and the on/off switch; the booking
// form's "audio conference" box.
//
// Everything is the real portal except GET/PUT/POST/DELETE /api/v1/bookings/{id}/audio*, which
// a fake conference below answers with the shapes of the API contract (the telephony routes are
// written separately); one test also feeds the event stream an `audio` event.
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { addDays, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

type Participant = { id: string; caller: string; role: 'participant' | 'host' | 'room'; muted: boolean; joinedAt: string };
type AudioView = {
  available: boolean;
  bookingId: string;
  enabled: boolean;
  pin: string | null;
  hostPin: string | null;
  numbers: Array<{ number: string; country: string; tel: string }>;
  sipUri: string | null;
  locked: boolean;
  opensAt: string;
  closesAt: string;
  canManage: boolean;
  participants: Participant[];
  phoneSeats: number;
  seats: number;
};
type Call = { method: string; path: string; body: unknown; csrf: string | undefined };

const AUDIO_PATH = /^\/api\/v1\/bookings\/([^/]+)\/audio(?:\/(lock|participants\/([^/]+)(?:\/(mute|unmute))?))?$/;
const PIN = '4825913';
const HOST_PIN = '9137264';

/** Answers the audio routes of one booking like the API would, and records what the page sent. */
class FakeConference {
  view: AudioView;
  calls: Call[] = [];
  reads = 0;

  constructor(booking: { id: string; start: string; end: string; seats: number }, canManage = true) {
    this.view = {
      bookingId: booking.id,
      available: true,
      enabled: true,
      pin: PIN,
      hostPin: canManage ? HOST_PIN : null,
      numbers: [
        { number: '+390612345678', country: 'IT', tel: `tel:+390612345678,,${PIN}%23` },
        { number: '+41445551234', country: 'CH', tel: `tel:+41445551234,,${PIN}%23` },
      ],
      sipUri: `sip:${PIN}@audio.example.org`,
      locked: false,
      opensAt: new Date(new Date(booking.start).getTime() - 15 * 60_000).toISOString(),
      closesAt: new Date(new Date(booking.end).getTime() + 15 * 60_000).toISOString(),
      canManage,
      participants: [
        { id: '1795642610.0', caller: '•••• 4567', role: 'participant', muted: false, joinedAt: booking.start },
        { id: '1795642611.3', caller: '•••• 1234', role: 'host', muted: false, joinedAt: booking.start },
        { id: 'wm-leg-room', caller: 'Adobe Connect', role: 'room', muted: false, joinedAt: booking.start },
      ],
      phoneSeats: 2,
      seats: booking.seats,
    };
  }

  join(p: Participant) {
    this.view.participants.push(p);
    this.view.phoneSeats = this.view.participants.filter((x) => x.role !== 'room').length;
  }

  async serve(page: Page) {
    await page.route((url) => AUDIO_PATH.test(url.pathname), (route) => this.answer(route));
  }

  private answer(route: Route) {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    const [, bookingId, sub, participantId, verb] = path.match(AUDIO_PATH)!;
    const problem = (status: number, code: string) =>
      route.fulfill({ status, contentType: 'application/problem+json', body: JSON.stringify({ status, code, title: code }) });
    if (bookingId !== this.view.bookingId) return problem(404, 'BOOKING_NOT_FOUND');
    const method = request.method();
    if (method === 'GET' && !sub) {
      this.reads++;
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(this.view) });
    }
    this.calls.push({ method, path, body: body(request), csrf: request.headers()['x-csrf-token'] });
    const ok = (view?: AudioView) =>
      view ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(view) }) : route.fulfill({ status: 204 });
    if (sub === 'lock' && method === 'PUT') {
      this.view.locked = (body(request) as { locked: boolean }).locked;
      return ok(this.view);
    }
    if (!sub && method === 'PUT') {
      const enabled = (body(request) as { enabled: boolean }).enabled;
      Object.assign(this.view, { enabled, pin: enabled ? PIN : null, participants: enabled ? this.view.participants : [], phoneSeats: enabled ? this.view.phoneSeats : 0 });
      return ok(this.view);
    }
    const who = this.view.participants.find((p) => p.id === decodeURIComponent(participantId ?? ''));
    if (!who) return problem(404, 'PARTICIPANT_NOT_FOUND');
    if (method === 'POST' && verb) {
      who.muted = verb === 'mute';
      return ok();
    }
    if (method === 'DELETE' && !verb) {
      this.view.participants = this.view.participants.filter((p) => p !== who);
      this.view.phoneSeats = this.view.participants.filter((x) => x.role !== 'room').length;
      return ok();
    }
    return problem(405, 'METHOD_NOT_ALLOWED');
  }
}

function body(request: Request): unknown {
  const text = request.postData();
  return text ? JSON.parse(text) : null;
}

describeInBrowser('audio conference in the booking details', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  let booking: { id: string; title: string; start: string; end: string; seats: number };
  const day = addDays(nextMonday(), 3);

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    const room = (await portal.rooms())[0]!;
    const created = await portal.api(maria, 'POST', '/api/v1/bookings', {
      roomId: room.id,
      start: `${day}T09:30:00`,
      end: `${day}T11:00:00`,
      seats: 10,
      title: 'Consiglio di dipartimento',
    });
    expect(created.status).toBe(201);
    booking = created.body;
    context = await newContext(browser, portal.baseUrl);
    page = await context.newPage();
    await signIn(page, maria.email, maria.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  async function openDetails(p: Page) {
    await p.goto('/bookings');
    const card = p.getByRole('listitem').filter({ hasText: booking.title });
    await card.getByRole('button', { name: /^(Details|Dettagli)/ }).click();
    await card.locator('[data-slot="dial-in"] .dial-in').waitFor();
    return card;
  }

  it('shows the numbers with one-tap links, the PIN, SIP and the window; the host PIN and controls only to managers', async () => {
    const fake = new FakeConference(booking, false);
    await fake.serve(page);
    const card = await openDetails(page);
    const dialIn = card.locator('[data-slot="dial-in"]');

    await expect(dialIn.getByRole('list', { name: 'Telephone numbers' }).getByRole('listitem').allTextContents()).resolves.toEqual([
      'Italy+390612345678',
      'Switzerland+41445551234',
    ]);
    await expect(dialIn.getByRole('link', { name: '+390612345678' }).getAttribute('href')).resolves.toBe(`tel:+390612345678,,${PIN}%23`);
    await expect(dialIn.locator('.pin').allTextContents()).resolves.toEqual([PIN]);
    await expect(dialIn.getByRole('link', { name: `sip:${PIN}@audio.example.org` }).getAttribute('href')).resolves.toBe(`sip:${PIN}@audio.example.org`);
    // The window in the room's zone (Europe/Rome): a quarter of an hour either side of 09:30–11:00.
    await expect(dialIn.locator('.dial-in-window').textContent()).resolves.toMatch(/^Opens .*09:15, closes 11:15 \(CES?T\)\.$/);
    expect(await dialIn.getByText('Host PIN').count()).toBe(0);
    expect(await card.getByRole('switch').count()).toBe(0);
    expect(await card.getByText(/^Phone participants/).count()).toBe(0);
    await expectAccessible(page, 'booking details with dial-in');
    await page.unrouteAll();
  });

  it('lets the booker mute, unmute, remove and lock, with buttons named after the caller', async () => {
    const fake = new FakeConference(booking);
    await fake.serve(page);
    const card = await openDetails(page);
    await card.getByText('Phone participants (3)').waitFor();
    await expect(card.locator('[data-slot="dial-in"] .pin').allTextContents()).resolves.toEqual([PIN, HOST_PIN]);
    await card.getByText('makes you the host and opens a locked conference').waitFor();
    await card.getByText('Seats taken by phone: 2 of 10').waitFor();
    const participants = card.getByRole('list', { name: 'People on the phone' });
    await expect(participants.getByRole('listitem').count()).resolves.toBe(3);
    await participants.getByRole('listitem').filter({ hasText: 'Adobe Connect' }).getByText('Virtual room').waitFor();
    await participants.getByRole('listitem').filter({ hasText: '•••• 1234' }).getByText('Host').waitFor();
    await expectAccessible(page, 'phone participants for the booker');
    await screenshot(page, 'audio-participants');

    // Mute: the right endpoint with the CSRF header; the list is read again and says so.
    const reads = fake.reads;
    await card.getByRole('button', { name: 'Mute •••• 4567', exact: true }).click();
    await card.getByRole('button', { name: 'Unmute •••• 4567', exact: true }).waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'POST', path: `/api/v1/bookings/${booking.id}/audio/participants/1795642610.0/mute` });
    expect(fake.calls.at(-1)!.csrf).toBeTruthy();
    expect(fake.reads).toBeGreaterThan(reads);
    await participants.getByRole('listitem').filter({ hasText: '•••• 4567' }).getByText('Muted').waitFor();

    // The same button, still focused, unmutes with the keyboard.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Unmute •••• 4567');
    await page.keyboard.press('Enter');
    await card.getByRole('button', { name: 'Mute •••• 4567', exact: true }).waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'POST', path: `/api/v1/bookings/${booking.id}/audio/participants/1795642610.0/unmute` });

    // Remove asks first; "keep" leaves the caller on the call.
    await card.getByRole('button', { name: 'Remove •••• 1234', exact: true }).click();
    const confirm = card.getByRole('group', { name: 'Remove •••• 1234 from the call?' });
    await confirm.getByRole('button', { name: 'Keep on the call' }).click();
    expect(fake.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
    await card.getByRole('button', { name: 'Remove •••• 1234', exact: true }).click();
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await card.getByText('Phone participants (2)').waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'DELETE', path: `/api/v1/bookings/${booking.id}/audio/participants/1795642611.3` });
    await page.getByRole('status').filter({ hasText: '2 people on the phone.' }).waitFor();
    await card.getByText('Seats taken by phone: 1 of 10').waitFor();

    // Lock, then unlock.
    await card.getByRole('button', { name: 'Lock the conference' }).click();
    await card.getByRole('button', { name: 'Unlock the conference' }).waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PUT', path: `/api/v1/bookings/${booking.id}/audio/lock`, body: { locked: true } });
    await card.getByText('New callers get in only with the host PIN.').waitFor();
    await card.getByRole('button', { name: 'Unlock the conference' }).click();
    await card.getByRole('button', { name: 'Lock the conference' }).waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PUT', body: { locked: false } });
    expect(fake.calls.every((c) => c.csrf)).toBe(true);
    await page.unrouteAll();
  });

  it('says so when a caller has already hung up, and shows the list as it is now', async () => {
    const fake = new FakeConference(booking);
    await fake.serve(page);
    const card = await openDetails(page);
    await card.getByText('Phone participants (3)').waitFor();
    fake.view.participants = fake.view.participants.filter((p) => p.caller !== '•••• 4567');
    await card.getByRole('button', { name: 'Mute •••• 4567', exact: true }).click();
    await card.getByRole('alert').filter({ hasText: 'That caller is no longer on the call.' }).waitFor();
    await card.getByText('Phone participants (2)').waitFor();
    await page.unrouteAll();
  });

  it('refreshes the list on an audio event of this booking, not on another booking’s', async () => {
    const fake = new FakeConference(booking);
    const live = await context.newPage();
    await fake.serve(live);
    // The event stream stays pending until the test has seen the list, then delivers two events.
    let deliver!: () => void;
    const delivered = new Promise<void>((resolve) => (deliver = resolve));
    await live.route('**/api/v1/events', async (route) => {
      await delivered;
      const other = { bookingId: '00000000-0000-4000-8000-000000000000' };
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        // A long retry keeps EventSource from reconnecting (a reconnect would refetch everything).
        body: `retry: 600000\n\nevent: audio\ndata: ${JSON.stringify(other)}\n\nevent: audio\ndata: ${JSON.stringify({ bookingId: booking.id })}\n\n`,
      });
    });
    const card = await openDetails(live);
    await card.getByText('Phone participants (3)').waitFor();
    const reads = fake.reads;
    fake.join({ id: '1795642700.9', caller: '•••• 9876', role: 'participant', muted: false, joinedAt: new Date().toISOString() });
    deliver();
    await card.getByText('Phone participants (4)').waitFor();
    await card.getByRole('button', { name: 'Mute •••• 9876', exact: true }).waitFor();
    await live.getByRole('status').filter({ hasText: '4 people on the phone.' }).waitFor();
    await card.getByText('Seats taken by phone: 3 of 10').waitFor();
    await live.waitForTimeout(300);
    expect(fake.reads).toBe(reads + 1);
    await live.close();
  });

  it('turns the audio conference off (asking first while people are on the phone) and on again', async () => {
    const fake = new FakeConference(booking);
    await fake.serve(page);
    const card = await openDetails(page);
    const onOff = card.getByRole('switch', { name: 'Audio conference' });
    await expect(onOff.isChecked()).resolves.toBe(true);
    await onOff.focus();
    await page.keyboard.press('Space');
    const question = card.getByRole('group', { name: 'Turn off the audio conference? The 3 people on the phone will be cut off.' });
    await question.getByRole('button', { name: 'Keep it on' }).click();
    expect(fake.calls).toHaveLength(0);
    await expect(onOff.isChecked()).resolves.toBe(true);

    await onOff.click();
    await question.getByRole('button', { name: 'Yes, turn it off' }).click();
    await card.getByText('The audio conference of this booking is turned off.').waitFor();
    expect(fake.calls).toEqual([{ method: 'PUT', path: `/api/v1/bookings/${booking.id}/audio`, body: { enabled: false }, csrf: expect.any(String) }]);
    await expect.poll(() => onOff.isChecked()).toBe(false);
    expect(await card.getByText(/^Phone participants/).count()).toBe(0);
    await expectAccessible(page, 'audio conference turned off');

    await onOff.click();
    await card.locator('[data-slot="dial-in"] .pin').first().waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PUT', body: { enabled: true } });
    await expect(onOff.isChecked()).resolves.toBe(true);
    await page.unrouteAll();
  });

  it('speaks Italian too, on a phone-sized screen', async () => {
    const italian = await newContext(browser, portal.baseUrl, { locale: 'it-IT', viewport: { width: 390, height: 844 } });
    const pagina = await italian.newPage();
    const fake = new FakeConference(booking);
    await fake.serve(pagina);
    await signIn(pagina, maria.email, maria.password);
    const card = await openDetails(pagina);
    await card.getByText('Accesso telefonico').waitFor();
    await card.getByRole('list', { name: 'Numeri di telefono' }).getByText('Italia').waitFor();
    await card.getByText('Partecipanti al telefono (3)').waitFor();
    await card.getByRole('button', { name: 'Silenzia •••• 4567', exact: true }).waitFor();
    await card.getByRole('switch', { name: 'Audioconferenza' }).waitFor();
    await expectAccessible(pagina, 'dial-in in Italian');
    await screenshot(pagina, 'audio-participants-it-phone');
    await italian.close();
  });

  it('shows the placeholder where the server offers no telephony', async () => {
    const fake = new FakeConference(booking);
    Object.assign(fake.view, { available: false, enabled: false, pin: null, hostPin: null, numbers: [], sipUri: null, participants: [], phoneSeats: 0 });
    await fake.serve(page);
    await page.goto('/bookings');
    const card = page.getByRole('listitem').filter({ hasText: booking.title });
    await card.getByRole('button', { name: /^Details/ }).click();
    await card.getByText('Appears here once telephone access is available.').waitFor();
    expect(fake.reads).toBeGreaterThan(0);
    expect(await card.getByRole('switch').count()).toBe(0);
    await page.unrouteAll();
  });

  it('books with the audio conference box checked by default, and sends audio: false when unchecked', async () => {
    async function book(title: string, start: string, end: string, audio: boolean) {
      await page.goto('/bookings/new');
      const box = page.getByRole('checkbox', { name: 'Audio conference (telephone and SIP dial-in)' });
      await expect(box.isChecked()).resolves.toBe(true);
      await page.getByLabel('Room').selectOption({ index: 1 });
      await page.getByLabel('Date').fill(day);
      await page.getByLabel('Start').fill(start);
      await page.getByLabel('End').fill(end);
      await page.getByLabel('Seats').fill('4');
      await page.getByLabel('Title').fill(title);
      if (!audio) await box.uncheck();
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/bookings'),
        page.getByRole('button', { name: 'Book the room' }).click(),
      ]);
      return { body: body(request) as Record<string, unknown>, response: await request.response() };
    }
    const withAudio = await book('Ricevimento studenti', '14:00', '15:00', true);
    expect(withAudio.body).not.toHaveProperty('audio');
    expect(withAudio.response?.status()).toBe(201);

    const without = await book('Riunione senza telefono', '16:00', '17:00', false);
    expect(without.body).toMatchObject({ audio: false, title: 'Riunione senza telefono' });
    // Against the real audio API (once the server has it) the booking is made with audio off.
    const probe = await portal.api(maria, 'GET', `/api/v1/bookings/${booking.id}/audio`);
    if (probe.status === 200) {
      expect(without.response?.status()).toBe(201);
      const id = ((await without.response!.json()) as { id: string }).id;
      expect((await portal.api(maria, 'GET', `/api/v1/bookings/${id}/audio`)).body).toMatchObject({ enabled: false, pin: null });
    }

    // A series is booked without the box (POST /series has no audio field).
    await page.goto('/bookings/new');
    await page.getByLabel('Repeat this meeting').check();
    expect(await page.getByRole('checkbox', { name: /^Audio conference/ }).count()).toBe(0);
  });
});
