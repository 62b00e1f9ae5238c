// Requests that an administrator approves (issue #17), in the browser, in English and Italian: a
// booking longer than the maximum is refused by the form, which offers to ask; the request form
// comes prefilled; the person sees it pending under "My requests"; an administrator sees the count
// in the navigation, approves it from the queue, and the person finds it approved. A fixed clock on
// the portal and in the browser; axe on every page; screenshots in test-output/screenshots.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const NOW = '2026-12-03T12:00:00Z';
const LONG = 240_000;

const LANGS = [
  { lang: 'en', locale: 'en-GB', book: 'Book the room', ask: 'Ask an administrator for it', reason: 'Reason', send: 'Send the request', pending: 'Pending', approved: 'Approved', approve: 'Approve', save: 'Save', queue: 'Requests', mine: 'My requests', noneWaiting: 'No request is waiting for a decision.', noneMatch: 'No request matches these filters.', room: 'Room' },
  { lang: 'it', locale: 'it-IT', book: 'Prenota l’aula', ask: 'Chiedilo a un amministratore', reason: 'Motivazione', send: 'Invia la richiesta', pending: 'In attesa', approved: 'Approvata', approve: 'Approva', save: 'Salva', queue: 'Richieste', mine: 'Le mie richieste', noneWaiting: 'Nessuna richiesta attende una decisione.', noneMatch: 'Nessuna richiesta corrisponde a questi filtri.', room: 'Aula' },
] as const;

describeInBrowser('requests that an administrator approves', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let room: { id: string; name: string };
  const clock = new TestClock(NOW);
  const contexts: BrowserContext[] = [];

  async function open(locale: string, language: 'en' | 'it'): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale, clock: new Date(NOW), language, viewport: { width: 1366, height: 900 } });
    contexts.push(context);
    return context.newPage();
  }

  beforeAll(async () => {
    portal = await startBrowserPortal({}, undefined, { clock });
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    room = (await portal.rooms()).find((r) => r.capacity === 50)!;
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
  }, LONG);

  for (const L of LANGS) {
    describe(`in ${L.lang}`, () => {
      const title = `Convegno ${L.lang}`;

      it('offers to ask for a booking longer than the maximum, with the form prefilled, and lists it as pending', async () => {
        const page = await open(L.locale, L.lang);
        await signIn(page, maria.email, maria.password);
        const date = L.lang === 'en' ? '2026-12-10' : '2026-12-11';
        await page.goto(`/bookings/new?roomId=${room.id}&date=${date}&start=08:00&end=21:00&seats=10&title=${encodeURIComponent(title)}`);
        await page.getByRole('button', { name: L.book }).click();
        const ask = page.getByRole('link', { name: L.ask });
        await ask.waitFor();
        await expectAccessible(page, `booking form refused, ask offered (${L.lang})`);
        await screenshot(page, `requests-offer-${L.lang}`);
        await ask.click();
        await page.getByRole('button', { name: L.send }).waitFor();
        expect(await page.locator('#request-title').inputValue()).toBe(title);
        expect(await page.locator('#request-seats').inputValue()).toBe('10');
        expect(await page.locator('#request-room').inputValue()).toBe(room.id);
        await page.getByLabel(new RegExp(`^${L.reason}`)).fill('Un convegno con ospiti esterni per tutta la giornata');
        await expectAccessible(page, `request form (${L.lang})`);
        await screenshot(page, `requests-form-${L.lang}`);
        await page.getByRole('button', { name: L.send }).click();
        const row = page.getByRole('row', { name: new RegExp(title) });
        await row.waitFor();
        await expect(row.textContent()).resolves.toContain(L.pending);
        await expect(page.locator('.nav-badge').first().textContent()).resolves.toMatch(/^1/);
        await expectAccessible(page, `my requests (${L.lang})`);
        await screenshot(page, `requests-mine-${L.lang}`);
      }, LONG);

      it('lets an administrator approve it from the queue, whose count shows in the navigation', async () => {
        const page = await open(L.locale, L.lang);
        await signIn(page, portal.admin.email, portal.admin.password);
        const link = page.getByRole('link', { name: new RegExp(`^${L.queue}`) });
        await expect(link.locator('.nav-badge').textContent()).resolves.toMatch(/^1/);
        await expect(page.locator('.topbar-tools .button-quiet').last().boundingBox().then((b) => b!.x + b!.width)).resolves.toBeLessThanOrEqual(1366);
        await link.click();
        const row = page.getByRole('row', { name: new RegExp(title) });
        await row.waitFor();
        await expectAccessible(page, `request queue (${L.lang})`);
        await screenshot(page, `requests-queue-${L.lang}`);
        await row.getByRole('button', { name: new RegExp(`^${L.approve}`) }).click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        await expectAccessible(page, `approve dialog (${L.lang})`);
        await screenshot(page, `requests-approve-${L.lang}`);
        // The dialog's button says what it does (was "Save").
        expect(await dialog.getByRole('button', { name: L.save }).count()).toBe(0);
        await dialog.getByRole('button', { name: L.approve, exact: true }).click();
        await row.waitFor({ state: 'detached' });
        // Was "No requests." whatever the filters: now it says which.
        await page.getByText(L.noneWaiting).waitFor();
        await page.getByLabel(L.room).selectOption(room.id);
        await page.getByText(L.noneMatch).waitFor();
        const mine = await portal.api(maria, 'GET', '/api/v1/requests');
        const q = mine.body.items.find((i: { title: string }) => i.title === title);
        expect(q).toMatchObject({ state: 'approved' });
        const booking = await portal.api(maria, 'GET', `/api/v1/bookings/${q.bookingId}`);
        expect(booking.body).toMatchObject({ booker: { id: maria.id }, roomId: room.id, title });

        const person = await open(L.locale, L.lang);
        await signIn(person, maria.email, maria.password);
        await person.getByRole('link', { name: new RegExp(`^${L.mine}`) }).click();
        const approved = person.getByRole('row', { name: new RegExp(title) });
        await approved.waitFor();
        await expect(approved.textContent()).resolves.toContain(L.approved);
      }, LONG);
    });
  }

  it('tells a person with no requests when to ask and leads to the form, and shows a long list a page at a time', async () => {
    const luca = await portal.member('Luca Bianchi');
    const page = await open('it-IT', 'it');
    await signIn(page, luca.email, luca.password);
    await page.getByRole('link', { name: /^Le mie richieste/ }).click();
    // Was "Nessuna richiesta." and nothing else: no word of what a request is for, no way to make one.
    await page.getByText('Non hai ancora chiesto nulla.', { exact: false }).waitFor();
    await expectAccessible(page, 'my requests, none yet');
    await screenshot(page, 'requests-mine-empty-it');
    await page.getByRole('link', { name: 'Chiedi una prenotazione' }).click();
    await page.waitForURL(/\/requests\/new$/);
    await page.getByRole('button', { name: 'Invia la richiesta' }).waitFor();

    // 201 requests: the list read the first 200 and said nothing of the rest; now it pages by 100.
    for (let day = 0; day < 201; day++) {
      const date = new Date(Date.UTC(2027, 0, 4) + day * 86_400_000).toISOString().slice(0, 10);
      const made = await portal.api(luca, 'POST', '/api/v1/requests', {
        title: `Giornata ${day + 1}`,
        roomId: room.id,
        start: `${date}T08:00`,
        end: `${date}T21:00`,
        seats: 10,
        reason: 'Un ciclo di giornate di studio',
      });
      expect(made.status).toBe(201);
      // Withdrawn as they come: a person may have only 20 waiting at once.
      expect((await portal.api(luca, 'POST', `/api/v1/requests/${made.body.id}/withdraw`)).status).toBe(200);
    }
    await page.goto('/requests');
    await page.getByRole('link', { name: 'Chiedi una prenotazione' }).waitFor();
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(100);
    for (const shown of [200, 201]) {
      await page.getByRole('button', { name: /^Mostra altr/ }).click();
      await expect.poll(() => rows.count()).toBe(shown);
    }
    expect(await page.getByRole('button', { name: /^Mostra altr/ }).count()).toBe(0);
  }, LONG);

  it('asks for the seats of a request for any room in the person’s words, and sends one that needs no approval to the booking form', async () => {
    const page = await open('en-GB', 'en');
    await signIn(page, maria.email, maria.password);
    await page.goto('/requests/new');
    const before = (await portal.api(maria, 'GET', '/api/v1/requests')).body.items.length;
    expect(await page.locator('#request-room').inputValue()).toBe('');
    await page.getByLabel(/^Title/).fill('Open day');
    await page.getByLabel(/^Date/).fill('14/12/2026');
    await page.getByLabel(/^Start/).fill('09:00');
    await page.getByLabel(/^End/).fill('19:00');
    await page.getByLabel(/^Reason/).fill('The whole department presents its courses');
    await page.getByRole('button', { name: 'Send the request' }).click();
    // Was the API's "Required when roomId is missing." after a round trip.
    await page.locator('#request-seats-error').getByText('Enter a whole number of seats, 1 or more.').waitFor();
    expect(await page.getByText(/roomId/).count()).toBe(0);
    expect(await page.locator('#request-seats').evaluate((el) => (el as HTMLInputElement).required)).toBe(true);
    await page.getByText('How many people will join.').waitFor();
    expect((await portal.api(maria, 'GET', '/api/v1/requests')).body.items.length).toBe(before);
    // Nothing in it needs an administrator (a 200-seat room is free all day): the form says so and
    // offers the booking form with the same details instead of a dead end.
    await page.getByLabel(/^Seats/).fill('120');
    await page.getByRole('button', { name: 'Send the request' }).click();
    const summary = page.locator('.error-summary');
    await summary.getByText('The request was not sent').waitFor();
    await summary.getByText('You may book this yourself: nothing in it needs an approval.').waitFor();
    expect((await portal.api(maria, 'GET', '/api/v1/requests')).body.items.length).toBe(before);
    await expectAccessible(page, 'request form, nothing to ask');
    await summary.getByRole('link', { name: 'Book it yourself, with these details' }).click();
    await page.waitForURL(/\/bookings\/new\?/);
    await expect.poll(() => page.getByLabel(/^Title/).inputValue()).toBe('Open day');
    expect(await page.getByLabel(/^Seats/).inputValue()).toBe('120');
    expect(await page.getByLabel(/^Start/).inputValue()).toBe('09:00');
    expect(await page.getByLabel(/^End/).inputValue()).toBe('19:00');
    expect(await page.getByLabel(/^Date/).inputValue()).toBe('14/12/2026');
    await page.getByRole('button', { name: 'Book the room' }).click();
    await page.waitForURL(/\/bookings$/);
    await page.getByRole('heading', { name: /Open day/ }).waitFor();
    const mine = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}`)).body.items as Array<{ title: string; seats: number; start: string }>;
    expect(mine.filter((b) => b.title === 'Open day')).toMatchObject([{ seats: 120, start: '2026-12-14T08:00:00.000Z' }]);
  }, LONG);
});
