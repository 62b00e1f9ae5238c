// The audio conference of a booking in the web UI: dial-in numbers with one-tap links, PINs, SIP
// and the window in the booking details; for whoever may manage it, the live list of phone
// participants with mute, remove and the conference lock, and the on/off switch; the booking
// form's "audio conference" box, for single bookings and series.
//
// The first block is the real portal wired to the ARI test double (Asterisk 22): callers dial in
// through the double and the page follows through the real `audio` events (NOTIFY on PGlite or
// PostgreSQL). The second answers /api/v1/bookings/{id}/audio* from a fake, for the cases the
// real server does not produce on demand (a race with a hang-up, views it never sends to a
// booker); its views have the shape of the API's AudioViewSchema (src/http/routes/audio.ts).
import type { Browser, BrowserContext, Locator, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AriDouble } from '../doubles/ari/index.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { addDays, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';
// The web client's own type of the API answer: one definition for the UI and its test.
import type { AudioConference as AudioView } from '../../web/src/api/types.ts';

type Booking = { id: string; title: string; start: string; end: string; seats: number; timeZone: string };

const NUMBER = '+390612345678';
// Configured without a country label (DIAL_IN_NUMBERS allows it): the API sends country null.
const BARE_NUMBER = '+41445551234';
const SIP_DOMAIN = 'audio.example.org';

function body(request: Request): unknown {
  const text = request.postData();
  return text ? JSON.parse(text) : null;
}

/** Opens a booking's card on "My bookings", and waits for the audio view's answer to be shown. */
async function openDetails(page: Page, booking: Pick<Booking, 'id' | 'title'>, reload = true): Promise<Locator> {
  if (reload) await page.goto('/bookings');
  const card = page.getByRole('listitem').filter({ hasText: booking.title });
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === `/api/v1/bookings/${booking.id}/audio`),
    card.getByRole('button', { name: /^(Details|Dettagli)/ }).click(),
  ]);
  const view = (await answer.json()) as AudioView;
  // While loading there is no dial-in row, as on a portal without telephony.
  if (view.available) await card.locator(`[data-slot="dial-in"] ${view.enabled ? '.dial-in' : '.muted'}`).waitFor();
  return card;
}

/** "HH:MM" of an instant in a zone, as the page writes times. */
const hhmm = (iso: string, zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

describeInBrowser('audio conference against the real server and the ARI double', () => {
  let ari: AriDouble;
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  let rooms = 0;

  beforeAll(async () => {
    ari = await AriDouble.start({ playbackMs: 10 });
    portal = await startBrowserPortal({
      ARI_URL: ari.url,
      ARI_USERNAME: ari.username,
      ARI_PASSWORD: ari.password,
      DIAL_IN_NUMBERS: `IT:${NUMBER},${BARE_NUMBER}`,
      SIP_DOMAIN,
      AUDIO_HOLDER_RETRY_SECONDS: '0.2',
      AUDIO_DIGIT_TIMEOUT_SECONDS: '0.4',
      // Turning a conference off leaves the hang-ups to the application's sweep.
      AUDIO_SWEEP_SECONDS: '0.5',
    });
    await ari.waitFor(() => ari.socketCount() === 1, 'the portal to hold the ARI events socket', 15_000);
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    context = await newContext(browser, portal.baseUrl);
    page = await context.newPage();
    await signIn(page, maria.email, maria.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
    await ari?.close();
  });

  /** A room of its own (no conferencing provider, so no room leg joins the calls). */
  async function newRoom(): Promise<string> {
    const res = await portal.api<{ id: string }>(portal.admin, 'POST', '/api/v1/rooms', { name: `Aula telefonica ${++rooms}`, capacity: 50, provider: null });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  /** A booking that starts at the next step of the 5-minute grid: its dial-in opened 15 minutes before. */
  async function bookNow(title: string): Promise<{ booking: Booking; view: AudioView }> {
    const step = 5 * 60_000;
    const start = Math.ceil((Date.now() + 30_000) / step) * step;
    const res = await portal.api<Booking>(maria, 'POST', '/api/v1/bookings', {
      roomId: await newRoom(),
      start: new Date(start).toISOString(),
      end: new Date(start + 60 * 60_000).toISOString(),
      seats: 10,
      title,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const view = await portal.api<AudioView>(maria, 'GET', `/api/v1/bookings/${res.body.id}/audio`);
    expect(view.body).toMatchObject({ available: true, enabled: true, canManage: true, participants: [] });
    return { booking: res.body, view: view.body };
  }

  /** A phone dials the number, hears the PIN prompt and types the PIN and #. */
  async function dialIn(pin: string, callerNumber: string): Promise<string> {
    const id = await ari.call({ args: [NUMBER], callerNumber });
    expect(id, 'Asterisk refused the call: no events socket').not.toBeNull();
    await ari.waitFor(() => ari.channel(id!)!.heard.includes('sound:conf-getpin'), 'the PIN prompt');
    await ari.pressDigits(id!, `${pin}#`);
    return id!;
  }

  const inBridge = (channelId: string, bookingId: string) =>
    ari.waitFor(() => ari.channel(channelId)?.bridgeId === `wm-conf-${bookingId}`, `${channelId} in the bridge of ${bookingId}`);
  const hungUp = (channelId: string) => ari.waitFor(() => ari.channel(channelId)?.hungUp === true, `${channelId} hung up`);

  it('shows the real dial-in, follows callers live, and mutes, removes and locks on the PBX', async () => {
    const { booking, view } = await bookNow('Consiglio di dipartimento');
    const card = await openDetails(page, booking);
    const dialInRow = card.locator('[data-slot="dial-in"]');

    // The dial-in row carries the booking's own PIN and the configured numbers.
    expect(view.pin).toMatch(/^[1-9]\d{6}$/);
    await expect(dialInRow.getByRole('list', { name: 'Telephone numbers' }).getByRole('listitem').allTextContents()).resolves.toEqual([
      `Italy${NUMBER}`,
      BARE_NUMBER,
    ]);
    await expect(dialInRow.getByRole('link', { name: NUMBER }).getAttribute('href')).resolves.toBe(`tel:${NUMBER},,${view.pin}%23`);
    await expect(dialInRow.getByRole('link', { name: BARE_NUMBER }).getAttribute('href')).resolves.toBe(`tel:${BARE_NUMBER},,${view.pin}%23`);
    await expect(dialInRow.locator('.pin').allTextContents()).resolves.toEqual([view.pin, view.hostPin]);
    await expect(dialInRow.getByRole('link', { name: `sip:${view.pin}@${SIP_DOMAIN}` }).getAttribute('href')).resolves.toBe(`sip:${view.pin}@${SIP_DOMAIN}`);
    // The window in the room's zone: a quarter of an hour before the start to a quarter after the end.
    expect(new Date(view.opensAt).getTime()).toBe(new Date(booking.start).getTime() - 15 * 60_000);
    const windowText = new RegExp(`^Opens .*${hhmm(view.opensAt, booking.timeZone)}, closes .*${hhmm(view.closesAt, booking.timeZone)} \\(\\S+\\)\\.$`);
    await expect(dialInRow.locator('.dial-in-window').textContent()).resolves.toMatch(windowText);
    await card.getByText('Phone participants (0)').waitFor();
    await card.getByText('Nobody is on the phone.').waitFor();

    // A marker that a reload or navigation would wipe: the list below must change without one.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const participants = card.getByRole('list', { name: 'People on the phone' });
    const caller = await dialIn(view.pin!, '+39 347 1234567');
    await inBridge(caller, booking.id);
    await card.getByText('Phone participants (1)').waitFor();
    await expect(participants.getByRole('listitem').allTextContents()).resolves.toEqual([expect.stringMatching(/^•••• 4567since \d\d:\d\dMuteRemove$/)]);
    await page.getByRole('status').filter({ hasText: '1 person on the phone.' }).waitFor();

    // Mute: ARI mutes asynchronously (channels.json "mute"), so wait for the double's channel.
    await card.getByRole('button', { name: 'Mute •••• 4567', exact: true }).click();
    await ari.waitFor(() => ari.channel(caller)!.muted.in, 'the caller muted on the PBX');
    await participants.getByRole('listitem').filter({ hasText: '•••• 4567' }).getByText('Muted').waitFor();
    // The same button, still focused, unmutes with the keyboard.
    await card.getByRole('button', { name: 'Unmute •••• 4567', exact: true }).waitFor();
    await expect(page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('Unmute •••• 4567');
    await page.keyboard.press('Enter');
    await ari.waitFor(() => !ari.channel(caller)!.muted.in, 'the caller unmuted on the PBX');
    await card.getByRole('button', { name: 'Mute •••• 4567', exact: true }).waitFor();

    // Lock: a caller with the participant PIN is turned away; the host PIN still enters.
    await card.getByRole('button', { name: 'Lock the conference' }).click();
    await card.getByText('New callers get in only with the host PIN.').waitFor();
    await ari.waitFor(() => ari.channel(caller)!.heard.includes('sound:conf-lockednow'), 'the lock announcement');
    const refused = await dialIn(view.pin!, '+39 333 7654321');
    await hungUp(refused);
    expect(ari.channel(refused)!.heard).toContain('sound:conf-locked');
    const host = await dialIn(view.hostPin!, '+39 02 5555 9999');
    await inBridge(host, booking.id);
    await card.getByText('Phone participants (2)').waitFor();
    await participants.getByRole('listitem').filter({ hasText: '•••• 9999' }).getByText('Host').waitFor();
    await card.getByText('Seats taken by phone: 2 of 10').waitFor();
    expect(await participants.getByText('•••• 4321').count()).toBe(0);
    await expectAccessible(page, 'phone participants from the real API');
    await screenshot(page, 'audio-participants');

    // Remove asks first; "keep" leaves the caller on the call.
    await card.getByRole('button', { name: 'Remove •••• 4567', exact: true }).click();
    const confirm = card.getByRole('group', { name: 'Remove •••• 4567 from the call?' });
    await confirm.getByRole('button', { name: 'Keep on the call' }).click();
    await expect(confirm.count()).resolves.toBe(0);
    expect(ari.channel(caller)!.hungUp).toBe(false);
    await card.getByRole('button', { name: 'Remove •••• 4567', exact: true }).click();
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await hungUp(caller);
    await card.getByText('Phone participants (1)').waitFor();
    await expect(participants.getByRole('listitem').allTextContents()).resolves.toEqual([expect.stringMatching(/^•••• 9999Host/)]);

    // Unlock: the participant PIN works again.
    await card.getByRole('button', { name: 'Unlock the conference' }).click();
    await card.getByRole('button', { name: 'Lock the conference' }).waitFor();
    const again = await dialIn(view.pin!, '+39 347 1112222');
    await inBridge(again, booking.id);
    await card.getByText('Phone participants (2)').waitFor();
    await expect(page.evaluate(() => (window as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
    ari.hangup(again);
    ari.hangup(host);
    await card.getByText('Phone participants (0)').waitFor();
  });

  it('refreshes only the details of the booking whose conference changed', async () => {
    const first = await bookNow('Ricevimento studenti');
    const second = await bookNow('Seminario di dottorato');
    await page.goto('/bookings');
    const firstCard = await openDetails(page, first.booking, false);
    const secondCard = await openDetails(page, second.booking, false);
    await firstCard.getByText('Phone participants (0)').waitFor();
    await secondCard.getByText('Phone participants (0)').waitFor();
    const reads = { first: 0, second: 0 };
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.method() !== 'GET') return;
      if (path === `/api/v1/bookings/${first.booking.id}/audio`) reads.first++;
      if (path === `/api/v1/bookings/${second.booking.id}/audio`) reads.second++;
    });

    const caller = await dialIn(second.view.pin!, '+39 347 5556666');
    await inBridge(caller, second.booking.id);
    await secondCard.getByText('Phone participants (1)').waitFor();
    // Both cards heard the same events, in order, before the second one drew its new list.
    expect(reads.second).toBeGreaterThan(0);
    expect(reads.first).toBe(0);
    await firstCard.getByText('Phone participants (0)').waitFor();
    ari.hangup(caller);
    await secondCard.getByText('Phone participants (0)').waitFor();
  });

  it('turns the conference off (asking first while people are on the phone), which hangs them up, and on again', async () => {
    const { booking, view } = await bookNow('Collegio dei docenti');
    const card = await openDetails(page, booking);
    const caller = await dialIn(view.pin!, '+39 347 9990000');
    await inBridge(caller, booking.id);
    await card.getByText('Phone participants (1)').waitFor();

    const onOff = card.getByRole('switch', { name: 'Audio conference' });
    await expect(onOff.isChecked()).resolves.toBe(true);
    await onOff.focus();
    await page.keyboard.press('Space');
    const question = card.getByRole('group', { name: 'Turn off the audio conference? The person on the phone will be cut off.' });
    await question.getByRole('button', { name: 'Keep it on' }).click();
    await expect(onOff.isChecked()).resolves.toBe(true);
    expect((await portal.api<AudioView>(maria, 'GET', `/api/v1/bookings/${booking.id}/audio`)).body.enabled).toBe(true);

    await onOff.click();
    await question.getByRole('button', { name: 'Yes, turn it off' }).click();
    await card.getByText('The audio conference of this booking is turned off.').waitFor();
    await expect.poll(() => onOff.isChecked()).toBe(false);
    await hungUp(caller);
    expect(await card.getByText(/^Phone participants/).count()).toBe(0);
    await expectAccessible(page, 'audio conference turned off');

    await onOff.click();
    const pin = card.locator('[data-slot="dial-in"] .pin').first();
    await pin.waitFor();
    const on = (await portal.api<AudioView>(maria, 'GET', `/api/v1/bookings/${booking.id}/audio`)).body;
    expect(on.enabled).toBe(true);
    await expect(pin.textContent()).resolves.toBe(on.pin);
    await expect(onOff.isChecked()).resolves.toBe(true);
  });

  it('books with the audio conference box checked by default, and without audio when unchecked, also for a series', async () => {
    const day = addDays(nextMonday(), 3);
    const roomId = await newRoom();
    async function fill(title: string, start: string, end: string) {
      await page.goto('/bookings/new');
      await page.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
      await page.getByLabel('Room').selectOption(roomId);
      await page.getByLabel('Date').fill(day);
      await page.getByLabel('Start').fill(start);
      await page.getByLabel('End').fill(end);
      await page.getByLabel('Seats').fill('4');
      await page.getByLabel('Title').fill(title);
    }
    const box = page.getByRole('checkbox', { name: 'Audio conference (telephone and SIP dial-in)' });
    async function submit(path: string, button: string) {
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === path),
        page.getByRole('button', { name: button }).click(),
      ]);
      const response = await request.response();
      return { sent: body(request) as Record<string, unknown>, status: response?.status(), answer: (await response?.json()) as Record<string, unknown> };
    }
    const audioOf = async (id: string) => (await portal.api<AudioView>(maria, 'GET', `/api/v1/bookings/${id}/audio`)).body;

    await fill('Ricevimento con telefono', '14:00', '15:00');
    await expect(box.isChecked()).resolves.toBe(true);
    const withAudio = await submit('/api/v1/bookings', 'Book the room');
    expect(withAudio.sent).not.toHaveProperty('audio');
    expect(withAudio.status).toBe(201);
    expect(await audioOf(withAudio.answer.id as string)).toMatchObject({ enabled: true, pin: expect.stringMatching(/^\d{7}$/) });

    await fill('Riunione senza telefono', '16:00', '17:00');
    await box.uncheck();
    const without = await submit('/api/v1/bookings', 'Book the room');
    expect(without.sent).toMatchObject({ audio: false, title: 'Riunione senza telefono' });
    expect(without.status).toBe(201);
    expect(await audioOf(without.answer.id as string)).toMatchObject({ enabled: false, pin: null, numbers: [] });

    // A series offers the box too, with its own hint, and sends audio: false for every occurrence.
    await fill('Tutorato senza telefono', '10:00', '11:00');
    await page.getByLabel('Repeat this meeting').check();
    await page.getByLabel('Repeats').selectOption('daily');
    await expect(box.isChecked()).resolves.toBe(true);
    await page.getByText('For every meeting of the series: people can also join by phone with a PIN.', { exact: false }).waitFor();
    await page.getByLabel('Number of meetings', { exact: true }).fill('2');
    await box.uncheck();
    await expectAccessible(page, 'series form with the audio box');
    const series = await submit('/api/v1/series', 'Book the series');
    expect(series.sent).toMatchObject({ audio: false, title: 'Tutorato senza telefono' });
    expect(series.status).toBe(201);
    const booked = series.answer.booked as Array<{ id: string }>;
    expect(booked).toHaveLength(2);
    for (const b of booked) expect(await audioOf(b.id)).toMatchObject({ enabled: false, pin: null });

    // Left checked, the series leaves the field out and gets its conference.
    await fill('Tutorato con telefono', '12:00', '13:00');
    await page.getByLabel('Repeat this meeting').check();
    await page.getByLabel('Repeats').selectOption('daily');
    await page.getByLabel('Number of meetings', { exact: true }).fill('2');
    const seriesWith = await submit('/api/v1/series', 'Book the series');
    expect(seriesWith.sent).not.toHaveProperty('audio');
    expect(seriesWith.status).toBe(201);
    for (const b of seriesWith.answer.booked as Array<{ id: string }>) expect(await audioOf(b.id)).toMatchObject({ enabled: true, pin: expect.stringMatching(/^\d{7}$/) });
  });
});

type Call = { method: string; path: string; body: unknown; csrf: string | undefined };

const AUDIO_PATH = /^\/api\/v1\/bookings\/([^/]+)\/audio(?:\/(lock|participants\/([^/]+)(?:\/(mute|unmute))?))?$/;
const PIN = '4825913';
const HOST_PIN = '9137264';

/** Answers the audio routes of one booking like the API would, and records what the page sent. */
class FakeConference {
  view: AudioView;
  calls: Call[] = [];
  reads = 0;

  constructor(booking: Booking, o: { canManage?: boolean; roomLeg?: boolean } = {}) {
    const canManage = o.canManage ?? true;
    this.view = {
      bookingId: booking.id,
      available: true,
      enabled: true,
      pin: PIN,
      hostPin: canManage ? HOST_PIN : null,
      numbers: [
        { number: NUMBER, country: 'IT', tel: `tel:${NUMBER},,${PIN}%23` },
        { number: '+41445551234', country: 'CH', tel: `tel:+41445551234,,${PIN}%23` },
      ],
      sipUri: `sip:${PIN}@${SIP_DOMAIN}`,
      locked: false,
      opensAt: new Date(new Date(booking.start).getTime() - 15 * 60_000).toISOString(),
      closesAt: new Date(new Date(booking.end).getTime() + 15 * 60_000).toISOString(),
      canManage,
      participants: [
        { id: '1795642610.0', caller: '•••• 4567', role: 'participant', muted: false, joinedAt: booking.start },
        { id: '1795642611.3', caller: '•••• 1234', role: 'host', muted: false, joinedAt: booking.start },
        // The room's own leg: channel id wm-leg-<booking>, no caller number (src/telephony/conference-app.ts).
        ...(o.roomLeg ? [{ id: `wm-leg-${booking.id}`, caller: '', role: 'room' as const, muted: false, joinedAt: booking.start }] : []),
      ],
      phoneSeats: 2,
      seats: booking.seats,
    };
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
    const who = this.view.participants.find((p) => p.id === decodeURIComponent(participantId ?? ''));
    if (!who) return problem(404, 'PARTICIPANT_NOT_FOUND');
    if (method === 'POST' && verb) {
      who.muted = verb === 'mute';
      return route.fulfill({ status: 204 });
    }
    return problem(405, 'METHOD_NOT_ALLOWED');
  }
}

describeInBrowser('audio conference in the booking details, against a fake of the audio API', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  let booking: Booking;
  const day = addDays(nextMonday(), 3);

  beforeAll(async () => {
    // No ARI_URL: this portal has no telephony of its own.
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    const room = (await portal.rooms())[0]!;
    const created = await portal.api<Booking>(maria, 'POST', '/api/v1/bookings', {
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

  it('shows no dial-in at all where the server offers no telephony (the real API, unmocked)', async () => {
    const view = await portal.api<AudioView>(maria, 'GET', `/api/v1/bookings/${booking.id}/audio`);
    expect(view.body).toMatchObject({ available: false, enabled: false, pin: null, numbers: [] });
    const card = await openDetails(page, booking);
    await card.locator('[data-slot="guest-link"]').waitFor();
    expect(await card.locator('[data-slot="dial-in"]').count()).toBe(0);
    expect(await card.getByText('Appears here once telephone access is available.').count()).toBe(0);
    expect(await card.getByRole('switch').count()).toBe(0);
    expect(await card.getByText(/^Phone participants/).count()).toBe(0);
  });

  it('shows no host PIN and no controls in a view that says the viewer may not manage the booking', async () => {
    // The API answers such views to nobody today (only managers read /audio): the page must still hold.
    const fake = new FakeConference(booking, { canManage: false });
    await fake.serve(page);
    const card = await openDetails(page, booking);
    const dialIn = card.locator('[data-slot="dial-in"]');
    await expect(dialIn.locator('.pin').allTextContents()).resolves.toEqual([PIN]);
    expect(await dialIn.getByText('Host PIN').count()).toBe(0);
    expect(await card.getByRole('switch').count()).toBe(0);
    expect(await card.getByText(/^Phone participants/).count()).toBe(0);
    await page.unrouteAll();
  });

  it('names the virtual room’s audio leg, which has no caller number, and does not count it as a phone seat', async () => {
    const fake = new FakeConference(booking, { roomLeg: true });
    await fake.serve(page);
    const card = await openDetails(page, booking);
    await card.getByText('Phone participants (3)').waitFor();
    await card.getByText('Seats taken by phone: 2 of 10').waitFor();
    const leg = card.getByRole('list', { name: 'People on the phone' }).getByRole('listitem').filter({ hasText: 'Virtual room' });
    await expect(leg.locator('.phone-caller').textContent()).resolves.toBe('Virtual room');
    await card.getByRole('button', { name: 'Mute Virtual room', exact: true }).click();
    await card.getByRole('button', { name: 'Unmute Virtual room', exact: true }).waitFor();
    expect(fake.calls.at(-1)).toMatchObject({ method: 'POST', path: `/api/v1/bookings/${booking.id}/audio/participants/wm-leg-${booking.id}/mute`, csrf: expect.any(String) });
    await expectAccessible(page, 'phone participants with the room leg');
    await page.unrouteAll();
  });

  it('says so when a caller has already hung up, and shows the list as it is now', async () => {
    const fake = new FakeConference(booking);
    await fake.serve(page);
    const card = await openDetails(page, booking);
    await card.getByText('Phone participants (2)').waitFor();
    // The caller leaves between the page's last read and the click (no event in between).
    fake.view.participants = fake.view.participants.filter((p) => p.caller !== '•••• 4567');
    fake.view.phoneSeats = 1;
    await card.getByRole('button', { name: 'Mute •••• 4567', exact: true }).click();
    await card.getByRole('alert').filter({ hasText: 'That caller is no longer on the call.' }).waitFor();
    await card.getByText('Phone participants (1)').waitFor();
    await page.unrouteAll();
  });

  it('speaks Italian too, on a phone-sized screen', async () => {
    const italian = await newContext(browser, portal.baseUrl, { locale: 'it-IT', viewport: { width: 390, height: 844 } });
    const pagina = await italian.newPage();
    const fake = new FakeConference(booking, { roomLeg: true });
    await fake.serve(pagina);
    await signIn(pagina, maria.email, maria.password);
    const card = await openDetails(pagina, booking);
    await card.getByText('Accesso telefonico').waitFor();
    await card.getByRole('list', { name: 'Numeri di telefono' }).getByText('Italia').waitFor();
    await card.getByText('Partecipanti al telefono (3)').waitFor();
    await card.getByRole('button', { name: 'Silenzia •••• 4567', exact: true }).waitFor();
    await card.getByRole('button', { name: 'Silenzia Aula virtuale', exact: true }).waitFor();
    await card.getByRole('switch', { name: 'Audioconferenza' }).waitFor();
    await expectAccessible(pagina, 'dial-in in Italian');
    await screenshot(pagina, 'audio-participants-it-phone');
    await italian.close();
  });
});
