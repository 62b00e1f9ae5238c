// Admins' page of the meetings made on a conferencing service without the portal (issue #17): the
// list reconcile keeps, "adopt as a booking" (a dialog: room, time, owner) and "remove" (with a
// confirmation), in the admin navigation; English and Italian, axe on each state, a fixed clock.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

// Thursday 3 December 2026, 13:00 in Rome.
const NOW = '2026-12-03T12:00:00Z';

describeInBrowser('admin: meetings outside the portal', () => {
  let portal: BrowserPortal;
  let bbb: BigBlueButtonDouble;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;

  beforeAll(async () => {
    bbb = new BigBlueButtonDouble();
    await bbb.http.start();
    portal = await startBrowserPortal(
      { BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, BBB_CHECKSUM: 'sha1', DEFAULT_PROVIDER: 'bigbluebutton', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' },
      undefined,
      { clock: new TestClock(NOW) },
    );
    maria = await portal.member('Maria Rossi');
    browser = await launchBrowser();
    context = await newContext(browser, portal.baseUrl, { locale: 'en-GB', viewport: { width: 1366, height: 768 } });
    await context.clock.setFixedTime(new Date(NOW));
    page = await context.newPage();
    await signIn(page, portal.admin.email, portal.admin.password);
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
    await bbb?.http.stop();
  });

  it('lists them, adopts one as a booking for an owner, removes another after a confirmation, in English and Italian', async () => {
    bbb.plantOutside('lab-chimica', 'Laboratorio di chimica', new Date('2026-12-03T11:30:00Z'));
    bbb.plantOutside('consiglio', 'Consiglio di corso', new Date('2026-12-03T11:45:00Z'));
    await portal.portal.provisioning.service.reconcile();

    await page.goto('/calendar');
    // From the admin navigation: Provisioning, then its link to the meetings outside the portal.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Provisioning' }).click();
    await page.getByRole('heading', { level: 1, name: 'Room provisioning' }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Outside meetings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Meetings outside the portal' }).waitFor();
    const rows = page.locator('[data-slot="outside-meetings"] tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/Laboratorio di chimica.*lab-chimica.*BigBlueButton.*3 Dec 2026.*12:30/);
    await screenshot(page, 'admin-outside-meetings');
    await expectAccessible(page, 'outside meetings list');

    // Adopt: the room's time, an owner found by name; the booking is made by the rules, in her name.
    await page.getByRole('button', { name: /^Adopt as a booking\W+Laboratorio di chimica$/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Adopt “Laboratorio di chimica”' });
    await dialog.waitFor();
    // Prefilled from the service's start (12:30 today in the room's zone); the end is asked for.
    expect(await dialog.getByLabel('Date').inputValue()).toBe('03/12/2026');
    expect(await dialog.getByLabel('Start').inputValue()).toBe('12:30');
    await dialog.getByLabel('Date').fill('08/12/2026');
    await dialog.getByLabel('Start').fill('14:00');
    await dialog.getByLabel('End').fill('15:30');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Give a title, a room, the start, the end and the owner.').waitFor();
    await dialog.getByLabel('Owner').fill('Maria');
    await dialog.getByRole('button', { name: /Maria Rossi/ }).click();
    await expectAccessible(page, 'adopt dialog');
    await screenshot(page, 'admin-outside-adopt');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('“Laboratorio di chimica” is now a booking.').waitFor();
    // Still on the service: listed as adopted, with its booking, until removed there or gone.
    await page.getByRole('link', { name: /^Adopted: see the booking\W+Laboratorio di chimica$/ }).waitFor();
    const mine = await portal.api(maria, 'GET', '/api/v1/bookings?from=2026-12-08T00:00:00Z&to=2026-12-09T00:00:00Z');
    expect(mine.body.items.map((b: { title: string; startLocal: string }) => [b.title, b.startLocal])).toEqual([['Laboratorio di chimica', '2026-12-08T14:00:00+01:00']]);

    // Remove, after a confirmation that says what happens on the service.
    await page.getByRole('button', { name: /^Remove\W+Consiglio di corso$/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove “Consiglio di corso”?' });
    await confirm.getByText('The meeting is ended and deleted on BigBlueButton').waitFor();
    await expectAccessible(page, 'remove confirmation');
    await confirm.getByRole('button', { name: 'Remove from the service' }).click();
    await page.getByText('“Consiglio di corso” was removed from the service.').waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    expect(bbb.isEnded('consiglio')).toBe(true);
    // The adopted one ends on the service: the list is empty.
    bbb.dropMeeting('lab-chimica');
    await portal.portal.provisioning.service.reconcile();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('Every meeting on the services was booked through the portal.').waitFor();

    // In Italian.
    bbb.plantOutside('seminario', 'Seminario di dottorato', new Date('2026-12-03T11:50:00Z'));
    await portal.portal.provisioning.service.reconcile();
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('button', { name: 'Aggiorna' }).click();
    await page.getByRole('heading', { level: 1, name: 'Riunioni fuori dal portale' }).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await expectAccessible(page, 'outside meetings list in Italian');
    await page.getByRole('button', { name: /^Adotta come prenotazione\W+Seminario di dottorato$/ }).click();
    const it_ = page.getByRole('dialog', { name: 'Adotta «Seminario di dottorato»' });
    await it_.getByText('La prenotazione segue le regole di sempre').waitFor();
    await expectAccessible(page, 'adopt dialog in Italian');
    await it_.getByRole('button', { name: 'Annulla' }).click();
    await page.getByRole('button', { name: /^Rimuovi\W+Seminario di dottorato$/ }).click();
    const conferma = page.getByRole('dialog', { name: 'Rimuovere «Seminario di dottorato»?' });
    await conferma.getByText('La riunione viene chiusa e cancellata su BigBlueButton').waitFor();
    await expectAccessible(page, 'remove confirmation in Italian');
    await screenshot(page, 'admin-outside-remove-it');
    await conferma.getByRole('button', { name: 'Annulla' }).click();
    await page.getByLabel('Lingua').selectOption('en');
  }, 240_000);
});
