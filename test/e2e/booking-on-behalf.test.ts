// Booking on behalf (issue #17) in the browser, in English and Italian with axe: a professor names
// a secretary as delegate, the secretary accepts on the Delegates page, books for the professor
// with "Book for" in the booking form, and both see "Booked by X for Y".
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn, todayAt } from './support/browser.ts';
import { addDays, at, drag, goToDate, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const LONG = 240_000;
const LANGS = [
  {
    lang: 'en' as const,
    delegatesTitle: 'Delegates',
    bookForSection: 'People I book for',
    accept: 'Accept',
    accepted: 'Accepted',
    newBooking: 'New booking',
    bookFor: 'Book for',
    room: 'Room',
    date: 'Date',
    start: 'Start',
    end: 'End',
    seats: 'Seats',
    title: 'Title',
    submit: 'Book the room',
    quickSubmit: 'Book',
    goToDate: 'Go to date',
    myBookings: 'My bookings',
    bookedFor: (owner: string) => `You booked this for ${owner}`,
    bookedByFor: (by: string, owner: string) => `${by} for ${owner}`,
    mine: 'My delegates',
  },
  {
    lang: 'it' as const,
    delegatesTitle: 'Deleghe',
    bookForSection: 'Persone per cui prenoto',
    accept: 'Accetta',
    accepted: 'Accettata',
    newBooking: 'Nuova prenotazione',
    bookFor: 'Prenota per',
    room: 'Aula',
    date: 'Data',
    start: 'Inizio',
    end: 'Fine',
    seats: 'Posti',
    title: 'Titolo',
    submit: 'Prenota l’aula',
    quickSubmit: 'Prenota',
    goToDate: 'Vai alla data',
    myBookings: 'Le mie prenotazioni',
    bookedFor: (owner: string) => `Prenotata da te per ${owner}`,
    bookedByFor: (by: string, owner: string) => `${by} per ${owner}`,
    mine: 'I miei delegati',
  },
];

describeInBrowser('booking on behalf', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const day = addDays(nextMonday(), 2);

  async function open(lang: 'en' | 'it', who: Person): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale: lang === 'it' ? 'it-IT' : 'en-GB', language: lang, clock: todayAt('09:00') });
    contexts.push(context);
    await context.addInitScript(() => window.localStorage.setItem('wm.calendar.view', 'resourceTimeGridDay'));
    const page = await context.newPage();
    await signIn(page, who.email, who.password);
    return page;
  }

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
  }, LONG);

  for (const [i, L] of LANGS.entries()) {
    it(`names, accepts and books for someone else (${L.lang})`, async () => {
      const professor = await portal.member(L.lang === 'it' ? 'Paolo Neri' : 'Paul Black');
      const secretary = await portal.member(L.lang === 'it' ? 'Sara Bianchi' : 'Sarah White');
      const named = await portal.api(professor, 'POST', '/api/v1/account/delegates', { email: secretary.email });
      expect(named.status).toBe(201);

      // The secretary accepts on the Delegates page.
      const page = await open(L.lang, secretary);
      // Delegates are reached from My bookings (and Help), not the top bar.
      await page.goto('/bookings');
      await page.getByRole('main').getByRole('link', { name: L.delegatesTitle }).click();
      await page.getByRole('heading', { level: 1, name: L.delegatesTitle }).waitFor();
      await page.getByRole('heading', { level: 2, name: L.bookForSection }).waitFor();
      await page.getByText(professor.name, { exact: true }).waitFor();
      await expectAccessible(page, `delegates page, a request to answer (${L.lang})`);
      await screenshot(page, `delegates-request-${L.lang}`);
      await page.getByRole('button', { name: new RegExp(`^${L.accept} ?: ${professor.name}$`) }).click();
      await page.locator('.delegation-list .tag', { hasText: L.accepted }).waitFor();

      // Books for the professor with "Book for".
      await page.goto('/bookings/new');
      await page.getByRole('heading', { level: 1, name: L.newBooking }).waitFor();
      await page.getByLabel(L.bookFor).selectOption({ label: professor.name });
      await page.getByLabel(L.room).selectOption({ index: 2 + i });
      await page.getByLabel(L.date).fill(day.split('-').reverse().join('/'));
      await page.getByLabel(L.start).fill('10:00');
      await page.getByLabel(L.end).fill('11:00');
      await page.getByLabel(L.seats).fill('5');
      await page.getByLabel(L.title).fill(L.lang === 'it' ? 'Ricevimento studenti' : 'Office hours');
      await expectAccessible(page, `booking form with Book for (${L.lang})`);
      await screenshot(page, `book-for-form-${L.lang}`);
      await page.getByRole('button', { name: L.submit }).click();
      await page.getByRole('heading', { level: 1, name: L.myBookings }).waitFor();
      await page.getByText(L.bookedFor(professor.name)).waitFor();
      await expectAccessible(page, `my bookings with a booking made for someone else (${L.lang})`);
      await screenshot(page, `book-for-my-bookings-${L.lang}`);

      // The calendar's quick dialog offers the same choice.
      await page.goto('/');
      await goToDate(page, L.goToDate, day);
      await drag(page, await at(page, i, 0, '14:00'), await at(page, i, 0, '15:00', -3));
      const dialog = page.getByRole('dialog', { name: L.newBooking });
      await dialog.waitFor();
      await dialog.getByLabel(L.bookFor).selectOption({ label: professor.name });
      await dialog.getByLabel(L.title).fill(L.lang === 'it' ? 'Consiglio' : 'Board');
      await expectAccessible(page, `quick booking dialog with Book for (${L.lang})`);
      await screenshot(page, `book-for-quick-${L.lang}`);
      await dialog.getByRole('button', { name: L.quickSubmit, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      // On the calendar the delegate sees it by its title, as one they manage (it was a bare busy block).
      await page.locator('.wm-slot-visible', { hasText: L.lang === 'it' ? 'Consiglio' : 'Board' }).waitFor();

      const list = await portal.api(professor, 'GET', `/api/v1/bookings?userId=${professor.id}`);
      expect(list.body.items.filter((b: { bookedBy: { id: string } | null }) => b.bookedBy?.id === secretary.id)).toHaveLength(2);
      const booking = list.body.items.find((b: { bookedBy: { id: string } | null }) => b.bookedBy?.id === secretary.id);
      expect(booking).toMatchObject({ ownerId: professor.id, booker: { id: professor.id } });

      // The secretary manages it from its page too, as on their list and in the API (the page showed
      // them no actions and no invitees: it knew the booker, managers and administrators only).
      await page.goto(`/bookings/${booking.id}`);
      const actions = page.getByRole('region', { name: /^(Actions|Azioni)$/ });
      await actions.getByRole('link', { name: /^(Edit|Modifica)$/ }).waitFor();
      await actions.getByRole('button', { name: /^(Cancel booking|Cancella prenotazione)$/ }).waitFor();
      await page.getByRole('heading', { level: 2, name: /^(Invited by e-mail|Invitati per e-mail)$/ }).waitFor();

      // The professor sees who booked it for them, and their delegate.
      const own = await open(L.lang, professor);
      await own.goto(`/bookings/${booking.id}`);
      await own.locator('.details-list dd', { hasText: L.bookedByFor(secretary.name, professor.name) }).waitFor();
      await expectAccessible(own, `booking details, booked on behalf (${L.lang})`);
      await screenshot(own, `book-for-details-${L.lang}`);
      await own.goto('/account/delegates');
      await own.getByRole('heading', { level: 2, name: L.mine }).waitFor();
      await own.getByText(secretary.name, { exact: true }).waitFor();
      await own.locator('.delegation-list .tag', { hasText: L.accepted }).waitFor();
      await expectAccessible(own, `delegates page, an accepted delegate (${L.lang})`);
      await screenshot(own, `delegates-mine-${L.lang}`);
    }, LONG);
  }
});
