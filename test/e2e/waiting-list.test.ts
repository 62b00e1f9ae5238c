// Waiting lists in the browser (issue #17), in English and Italian, axe on every state: a booking
// refused because the room is taken offers "Tell me if it frees"; when the booking in the way is
// cancelled, "My bookings" shows the slot held with the minutes left, and "Confirm" books it.
// A fixed clock on the portal and in the browser; screenshots in /tmp/shots-waiting.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

// Thursday 3 December 2026, 13:00 in Rome.
const NOW = '2026-12-03T12:00:00Z';
const SHOTS = process.env.WAITING_SHOTS ?? '/tmp/shots-waiting';
const LONG = 240_000;

const LANGS = [
  {
    lang: 'en',
    locale: 'en-GB',
    hour: '14',
    book: 'Book the room',
    join: 'Tell me if it frees',
    joined: /^You are on the waiting list\./,
    section: 'Waiting list',
    left: '30 minutes left to confirm (until 13:30)',
    confirm: /^Confirm/,
    leave: /^Leave the waiting list/,
    booked: /^Booked “Tesi en” in/,
  },
  {
    lang: 'it',
    locale: 'it-IT',
    hour: '16',
    book: 'Prenota l’aula',
    join: 'Avvisami se si libera',
    joined: /^Sei in lista d’attesa\./,
    section: 'Lista d’attesa',
    left: '30 minuti per confermare (fino alle 13:30)',
    confirm: /^Conferma/,
    leave: /^Esci dalla lista d’attesa/,
    booked: /^Prenotato «Tesi it» in/,
  },
] as const;

describeInBrowser('waiting list', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let room: { id: string; name: string; timeZone: string };
  const clock = new TestClock(NOW);
  const contexts: BrowserContext[] = [];

  async function open(L: (typeof LANGS)[number]): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale: L.locale, clock: new Date(NOW), language: L.lang, viewport: { width: 1366, height: 900 } });
    contexts.push(context);
    return context.newPage();
  }

  async function shot(page: Page, name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  }

  beforeAll(async () => {
    portal = await startBrowserPortal({ WAITLIST_HOLD_MINUTES: '30' }, undefined, { clock });
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    room = (await portal.rooms())[1]!;
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
  }, LONG);

  for (const L of LANGS) {
    describe(`in ${L.lang}`, () => {
      it('offers the waiting list on a taken room, then shows the hold with its time left and confirms it', async () => {
        const slot = { roomId: room.id, start: `2026-12-08T${L.hour}:00:00`, end: `2026-12-08T${L.hour}:45:00`, seats: 4 };
        const taken = await portal.api(maria, 'POST', '/api/v1/bookings', { ...slot, title: 'Consiglio di corso' });
        expect(taken.status).toBe(201);
        // Another slot that stays taken: a plain waiting entry next to the hold.
        const other = { roomId: room.id, start: `2026-12-09T${L.hour}:00:00`, end: `2026-12-09T${L.hour}:45:00`, seats: 4 };
        expect((await portal.api(maria, 'POST', '/api/v1/bookings', { ...other, title: `Altro ${L.lang}` })).status).toBe(201);

        const luca = await portal.member(`Luca ${L.lang}`);
        const page = await open(L);
        await signIn(page, luca.email, luca.password);
        await page.goto(`/bookings/new?roomId=${room.id}&date=2026-12-08&start=${L.hour}:00&end=${L.hour}:45&seats=4&title=${encodeURIComponent(`Tesi ${L.lang}`)}`);
        await page.getByRole('button', { name: L.book, exact: true }).click();
        const join = page.getByRole('button', { name: L.join });
        await join.waitFor();
        await expectAccessible(page, `refused booking with the waiting list (${L.lang})`);
        await shot(page, `refused-${L.lang}`);
        await join.click();
        await page.getByRole('status').filter({ hasText: L.joined }).waitFor();
        await expectAccessible(page, `joined the waiting list (${L.lang})`);

        expect((await portal.api(luca, 'POST', '/api/v1/waiting-list', { ...other, title: `Altro ${L.lang}` })).status).toBe(201);
        // Maria cancels: the offer job holds the slot for Luca.
        expect((await portal.api(maria, 'DELETE', `/api/v1/bookings/${taken.body.id}`)).status).toBe(200);
        for (let i = 0; i < 300; i++) {
          const mine = (await portal.api(luca, 'GET', '/api/v1/waiting-list')).body.items as { state: string }[];
          if (mine.some((e) => e.state === 'held')) break;
          await new Promise((r) => setTimeout(r, 100));
        }

        await page.goto('/bookings');
        const section = page.getByRole('region', { name: L.section });
        await section.waitFor();
        await expect(section.getByText(L.left).isVisible()).resolves.toBe(true);
        await expect(section.getByRole('button', { name: L.leave }).count()).resolves.toBe(1);
        await expectAccessible(page, `my bookings with a hold (${L.lang})`);
        await shot(page, `held-${L.lang}`);

        await section.getByRole('button', { name: L.confirm }).click();
        await page.getByText(L.booked).first().waitFor();
        const bookings = (await portal.api(luca, 'GET', `/api/v1/bookings?userId=${luca.id}`)).body.items as { title: string; status: string }[];
        expect(bookings).toMatchObject([{ title: `Tesi ${L.lang}`, status: 'confirmed' }]);
        await expectAccessible(page, `my bookings after confirming (${L.lang})`);
        await shot(page, `confirmed-${L.lang}`);
      }, LONG);
    });
  }
});
