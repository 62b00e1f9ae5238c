// Every link leads somewhere (issue #12): the booking page at the address mails and calendar files
// link to, reached after sign-in; the way back to /join after sign-in; "My bookings" with a series
// as one row and the calendar-feed address; the 24-hour time entry in the evening. The browser runs
// at a fixed clock (Playwright's page clock), in English and Italian, with axe on every state.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn, todayAt } from './support/browser.ts';
import { addDays, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const LANGS = [
  { lang: 'en', locale: 'en-GB', signIn: 'Sign in', myBookings: 'My bookings', newBooking: 'New booking', join: 'Join the meeting', book: 'Book the room' },
  { lang: 'it', locale: 'it-IT', signIn: 'Accedi', myBookings: 'Le mie prenotazioni', newBooking: 'Nuova prenotazione', join: 'Entra nella riunione', book: 'Prenota l’aula' },
] as const;

describeInBrowser('every link leads somewhere', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let room: { id: string; name: string };
  const day = addDays(nextMonday(), 3);
  let bookingId: string;

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    room = (await portal.rooms())[2]!;
    const booked = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${day}T10:00:00`, end: `${day}T11:30:00`, seats: 12, title: 'Consiglio di dipartimento' });
    expect(booked.status).toBe(201);
    bookingId = booked.body.id;
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  /** A signed-out browser in that language, its clock fixed at 18:40 in Rome (an evening). */
  async function freshPage(locale: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, portal.baseUrl, { locale });
    await context.clock.setFixedTime(todayAt('18:40'));
    const page = await context.newPage();
    return { context, page };
  }

  for (const L of LANGS) {
    describe(`in ${L.lang}`, () => {
      it('opens the booking page of a mail link after sign-in, with its details and no dial-in without telephony', async () => {
        const { context, page } = await freshPage(L.locale);
        try {
          await page.goto(`/bookings/${bookingId}`);
          await page.getByRole('button', { name: L.signIn, exact: true }).waitFor();
          await page.getByLabel(/^(Email address|Indirizzo email)/).fill(maria.email);
          await page.getByLabel(/^Password/).fill(maria.password);
          await page.getByRole('button', { name: L.signIn, exact: true }).click();
          await page.getByRole('heading', { level: 1, name: 'Consiglio di dipartimento' }).waitFor();
          expect(new URL(page.url()).pathname).toBe(`/bookings/${bookingId}`);
          await expect(page.getByRole('link', { name: L.join }).first().getAttribute('href')).resolves.toBe(`/join/${bookingId}`);
          await page.locator('[data-slot="guest-link"] code').waitFor();
          await expect(page.locator('[data-slot="guest-link"] code').textContent()).resolves.toMatch(/^https?:\/\/[^/]+\/g\/[A-Za-z0-9_-]+$/);
          // The portal has no telephony: no dial-in row, no "appears here" promise.
          expect(await page.locator('[data-slot="dial-in"]').count()).toBe(0);
          await page.getByRole('heading', { level: 2, name: /^(Invited by e-mail|Invitati per e-mail)$/ }).waitFor();
          await expectAccessible(page, `booking page (${L.lang})`);
          await screenshot(page, `booking-page-${L.lang}`);

          // Cancel with the question, and the booking page's link back.
          await page.getByRole('button', { name: /^(Cancel booking|Cancella prenotazione)$/ }).click();
          await page.getByRole('group').filter({ hasText: /Consiglio di dipartimento/ }).waitFor();
          await expectAccessible(page, `booking page, cancel question (${L.lang})`);
          await screenshot(page, `booking-page-cancel-${L.lang}`);
          await page.getByRole('button', { name: /^(Keep it|Mantienila)$/ }).click();
        } finally {
          await context.close();
        }
      });

      it('after sign-in from /join, goes back to /join', async () => {
        const { context, page } = await freshPage(L.locale);
        try {
          await page.goto(`/join/${bookingId}`);
          await page.getByRole('link', { name: L.signIn }).click();
          await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('next') === `/join/${bookingId}`);
          await page.getByLabel(/^(Email address|Indirizzo email)/).fill(maria.email);
          await page.getByLabel(/^Password/).fill(maria.password);
          await page.getByRole('button', { name: L.signIn, exact: true }).click();
          await page.waitForURL((url) => url.pathname === `/join/${bookingId}`);
          // The meeting is days ahead: the join page waits, in the person's language.
          await page.getByRole('heading', { level: 1, name: /^(The room is not open yet|La stanza non è ancora aperta)$/ }).waitFor();
        } finally {
          await context.close();
        }
      });

      it('takes "0930" typed in the evening as 09:30 on a 24-hour entry, whatever the browser', async () => {
        const { context, page } = await freshPage(L.locale);
        const other = addDays(day, L.lang === 'en' ? 1 : 2);
        try {
          await signIn(page, maria.email, maria.password);
          await page.goto('/bookings/new');
          await page.getByRole('heading', { level: 1, name: L.newBooking }).waitFor();
          // At 18:40 the form offers the next hour, 19:00–20:00, on 24 hours (no AM/PM box anywhere).
          const start = page.locator('#field-startTime');
          await expect(start.inputValue()).resolves.toBe('19:00');
          await expect(start.getAttribute('type')).resolves.toBe('text');
          await page.locator('#field-roomId').selectOption(room.id);
          await page.locator('#field-date').fill(other);
          await start.focus();
          await page.keyboard.type('0930');
          await page.keyboard.press('Tab');
          await expect(start.inputValue()).resolves.toBe('09:30');
          const end = page.locator('#field-endTime');
          await end.focus();
          await page.keyboard.type('1045');
          await page.keyboard.press('Tab');
          await expect(end.inputValue()).resolves.toBe('10:45');
          // Seats come pre-filled; no audio-conference box without telephony.
          await expect(page.locator('#field-seats').inputValue()).resolves.toBe('10');
          expect(await page.getByRole('checkbox', { name: /Audio conference|Audioconferenza/ }).count()).toBe(0);
          await page.locator('#field-title').fill(`Seminario serale ${L.lang}`);
          // A repeat starts on the first meeting's weekday (a Friday here, a Saturday in Italian).
          const repeat = page.getByRole('checkbox', { name: /^(Repeat this meeting|Ripeti questa riunione)$/ });
          await repeat.check();
          await expect(page.getByRole('checkbox', { name: L.lang === 'en' ? 'Friday' : 'sabato', exact: true }).isChecked()).resolves.toBe(true);
          expect(await page.locator('.repeat-day-list input:checked').count()).toBe(1);
          await expectAccessible(page, `booking form in the evening (${L.lang})`);
          await screenshot(page, `booking-form-24h-${L.lang}`);
          await repeat.uncheck();
          await page.getByRole('button', { name: L.book }).click();
          await page.getByRole('heading', { level: 1, name: L.myBookings }).waitFor();
          const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}&status=confirmed`)).body.items as Array<{ id: string; title: string; startLocal: string; endLocal: string }>;
          const made = items.find((b) => b.title === `Seminario serale ${L.lang}`)!;
          expect(made.startLocal.slice(0, 16)).toBe(`${other}T09:30`);
          expect(made.endLocal.slice(11, 16)).toBe('10:45');
          // The same slot again: the form says it is the person's own booking, with a link to it.
          await page.goto('/bookings/new');
          await page.getByRole('heading', { level: 1, name: L.newBooking }).waitFor();
          await page.locator('#field-roomId').selectOption(room.id);
          await page.locator('#field-date').fill(other);
          await page.locator('#field-startTime').fill('09:30');
          await page.locator('#field-endTime').fill('10:45');
          await page.locator('#field-title').fill('Doppione');
          await page.getByRole('button', { name: L.book }).click();
          const summary = page.getByRole('alert').filter({ hasText: /You already have a booking there|Hai già una prenotazione/ });
          await summary.waitFor();
          await expect(summary.getByRole('link', { name: /Open your booking|Apri la tua prenotazione/ }).getAttribute('href')).resolves.toBe(`/bookings/${made.id}`);
          await expectAccessible(page, `own booking refused (${L.lang})`);
          await screenshot(page, `booking-form-yours-${L.lang}`);
        } finally {
          await context.close();
        }
      });
    });
  }

  it('groups a series into one row in My bookings, and shows the calendar address with copy and reset', async () => {
    const anna = await portal.member('Anna Verdi');
    const first = addDays(nextMonday(), 1);
    const series = await portal.api(anna, 'POST', '/api/v1/series', { roomId: room.id, start: `${first}T14:00:00`, end: `${first}T15:00:00`, seats: 4, title: 'Laboratorio', rrule: 'FREQ=WEEKLY;COUNT=4' });
    expect(series.status).toBe(201);
    const single = await portal.api(anna, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${first}T09:00:00`, end: `${first}T10:00:00`, seats: 4, title: 'Colloquio' });
    expect(single.status).toBe(201);
    for (const L of LANGS) {
      const { context, page } = await freshPage(L.locale);
      try {
        await signIn(page, anna.email, anna.password);
        await page.goto('/bookings');
        const list = page.getByRole('list', { name: /^(Upcoming|Prossime)$/ });
        const row = list.locator(':scope > li').filter({ hasText: 'Laboratorio' });
        await row.waitFor();
        // One row for the four meetings, beside the single booking.
        await expect(list.locator(':scope > li').count()).resolves.toBe(2);
        await expect(row.textContent()).resolves.toMatch(/4 (meetings|riunioni)/);
        const toggle = row.getByRole('button', { name: /^(Show the meetings|Mostra le riunioni)/ });
        await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
        await toggle.click();
        const meetings = row.getByRole('list', { name: 'Laboratorio' }).getByRole('listitem');
        await expect(meetings.count()).resolves.toBe(4);
        await expect(meetings.first().getByRole('link').first().getAttribute('href')).resolves.toMatch(/^\/bookings\/[0-9a-f-]{36}$/);

        // The calendar feed: made once, copied, reset.
        const panel = page.getByRole('region', { name: /^(Your calendar address|Il tuo indirizzo di calendario)$/ });
        if (L.lang === 'en') await panel.getByRole('button', { name: 'Make my calendar address' }).click();
        else {
          await panel.getByRole('button', { name: 'Reimposta l’indirizzo' }).click();
          await panel.getByRole('button', { name: 'Sì, reimposta' }).click();
        }
        const address = panel.locator('[data-slot="feed-address"] code');
        await address.waitFor();
        const url = (await address.textContent())!;
        expect(url).toMatch(/^https?:\/\/[^/]+\/api\/v1\/feeds\/[A-Za-z0-9_-]{32}$/);
        const feed = await fetch(portal.baseUrl + new URL(url).pathname);
        expect(feed.status).toBe(200);
        const ics = await feed.text();
        expect(ics.match(/SUMMARY:Laboratorio/g)).toHaveLength(4);
        expect(ics).toContain('SUMMARY:Colloquio');
        await expectAccessible(page, `my bookings, series open, feed address (${L.lang})`);
        await screenshot(page, `my-bookings-series-feed-${L.lang}`);
        if (L.lang === 'it') {
          // The address made in English stopped working when it was reset.
          expect(url).not.toBe(previous);
          expect((await fetch(portal.baseUrl + new URL(previous).pathname)).status).toBe(404);
        }
        previous = url;
      } finally {
        await context.close();
      }
    }
  });
  let previous = '';
});
