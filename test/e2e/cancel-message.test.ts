// A message with a cancellation or a change: an administrator who takes a member's room back says
// why, in the booking's page (Italian); a booker cancelling one date of a series from the calendar's
// dialog says when they meet instead, and one moving a meeting in the edit form says why (English).
// The words reach the people told through a real SMTP server.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SmtpPeer, type Received } from '../notify/smtp-peer.ts';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { goToDate } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

// A Friday; the series below runs on the three Tuesdays after it, across the change to summer time.
const NOW = '2026-03-20T09:00:00Z';
const LONG = 180_000;

describeInBrowser('a message with a cancellation', () => {
  let portal: BrowserPortal;
  let smtp: SmtpPeer;
  let browser: Browser;
  let maria: Person;
  const contexts: BrowserContext[] = [];

  async function open(as: Person, locale: 'en-GB' | 'it-IT'): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale, language: locale === 'it-IT' ? 'it' : 'en' });
    await context.clock.setFixedTime(new Date(NOW));
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, as.email, as.password);
    return page;
  }
  const mailTo = (to: string, subject: string) => (m: Received) => m.to.includes(to) && m.parsed.subject === subject;

  beforeAll(async () => {
    smtp = new SmtpPeer();
    await smtp.start();
    portal = await startBrowserPortal({ SMTP_URL: smtp.url, MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://meet.example.org' }, undefined, { clock: new TestClock(NOW) });
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
    await smtp?.stop();
  }, LONG);

  it('an administrator cancels a member’s booking from its page and tells her why', async () => {
    const room = (await portal.rooms())[0]!;
    const day = '2026-03-25';
    const made = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${day}T10:00:00`, end: `${day}T11:00:00`, seats: 10, title: 'Ricevimento studenti' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await portal.api(maria, 'POST', `/api/v1/bookings/${made.body.id}/invitees`, { email: 'studente@uni.example', locale: 'it' })).status).toBe(201);

    const page = await open(portal.admin, 'it-IT');
    await page.goto(`/bookings/${made.body.id}`);
    await page.getByRole('button', { name: /^Cancella prenotazione/ }).click();
    const question = page.getByRole('group', { name: /^Cancellare «Ricevimento studenti»\?/ });
    const box = question.getByLabel('Messaggio con l’annullamento');
    await box.waitFor();
    await question.getByText('Facoltativo. Arriva per e-mail con l’annullamento a chi ha prenotato e a tutti gli invitati.').waitFor();
    await box.fill('L’aula serve per le lauree.\nUsa pure la Sala 2 alla stessa ora.');
    await expectAccessible(page, 'cancel question with a message');
    await screenshot(page, 'cancel-message-it');
    await question.getByRole('button', { name: 'Sì, cancellala' }).click();
    await page.getByText('«Ricevimento studenti» è stata cancellata.').waitFor();
    expect((await portal.api(maria, 'GET', `/api/v1/bookings/${made.body.id}`)).body.status).toBe('cancelled');

    for (const to of [maria.email, 'studente@uni.example']) {
      const m = await smtp.waitFor(mailTo(to, 'Annullato: Ricevimento studenti'));
      expect(m.parsed.text).toContain(`Messaggio di ${portal.admin.name}:\n> L’aula serve per le lauree.\n> Usa pure la Sala 2 alla stessa ora.`);
    }
    // Maria, who may have missed the mail, reads why on the booking's page.
    const hers = await open(maria, 'it-IT');
    await hers.goto(`/bookings/${made.body.id}`);
    const cancelled = hers.locator('.history-list li').filter({ hasText: 'Annullata' });
    await expect(cancelled.locator('blockquote').innerText()).resolves.toBe('L’aula serve per le lauree.\nUsa pure la Sala 2 alla stessa ora.');
    await expect(cancelled.innerText()).resolves.toContain(portal.admin.name);
    await expectAccessible(hers, 'a cancelled booking’s history with its message');
    await screenshot(hers, 'cancel-message-history-it');
  }, LONG);

  it('a booker cancels one date of a series from the calendar and says when they meet instead', async () => {
    const room = (await portal.rooms())[1]!;
    const tuesday = '2026-03-24';
    const made = await portal.api(maria, 'POST', '/api/v1/series', { roomId: room.id, start: `${tuesday}T14:00:00`, end: `${tuesday}T15:00:00`, seats: 8, title: 'Journal club', rrule: 'FREQ=WEEKLY;COUNT=3' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await portal.api(maria, 'POST', `/api/v1/series/${made.body.series.id}/invitees`, { email: 'reader@uni.example', locale: 'en' })).status).toBe(201);

    const page = await open(maria, 'en-GB');
    await goToDate(page, /^Go to date$/, tuesday);
    await page.locator('.ec-event.wm-slot-own', { hasText: 'Journal club' }).click();
    const dialog = page.getByRole('dialog', { name: 'Journal club' });
    await dialog.getByRole('button', { name: 'Cancel booking' }).click();
    await dialog.getByLabel('Message with the cancellation').fill('We meet on Thursday this week.');
    await expectAccessible(page, 'calendar dialog: cancel with a message');
    await screenshot(page, 'cancel-message-calendar-en');
    await dialog.getByRole('button', { name: 'This meeting' }).click();
    await page.getByText(/^One meeting of “Journal club” is cancelled/).waitFor();

    const m = await smtp.waitFor((x) => mailTo('reader@uni.example', 'Cancelled: Journal club')(x) && (x.parsed.text ?? '').includes('Thursday'));
    expect(m.parsed.text).toContain('Only this date of the series is cancelled.\n\nMessage from Maria Rossi:\n> We meet on Thursday this week.');
    const left = (await portal.api(maria, 'GET', `/api/v1/series/${made.body.series.id}`)).body.occurrences as Array<{ status: string }>;
    expect(left.map((o) => o.status)).toEqual(['cancelled', 'confirmed', 'confirmed']);
  }, LONG);

  it('a booker moves a meeting from the edit form and says why', async () => {
    const room = (await portal.rooms())[2]!;
    const made = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, start: '2026-03-26T15:00:00', end: '2026-03-26T16:00:00', seats: 6, title: 'Thesis review' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await portal.api(maria, 'POST', `/api/v1/bookings/${made.body.id}/invitees`, { email: 'student@uni.example', locale: 'en' })).status).toBe(201);

    const page = await open(maria, 'en-GB');
    await page.goto(`/bookings/${made.body.id}/edit`);
    await page.getByRole('heading', { level: 1, name: 'Edit booking' }).waitFor();
    await page.getByLabel('Start').fill('16:00');
    await page.getByLabel('End').fill('17:00');
    await page.getByLabel('Message with the change').fill('A faculty meeting runs until four.');
    await page.getByText('Optional. It is mailed with the update to the person who booked and to everyone invited.').waitFor();
    await expectAccessible(page, 'edit form with a message');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/^Saved “Thesis review”/).waitFor();

    const m = await smtp.waitFor(mailTo('student@uni.example', 'Updated: Thesis review'));
    expect(m.parsed.text).toContain('Message from Maria Rossi:\n> A faculty meeting runs until four.\n\nWhen: Thursday 26 March 2026, 16:00–17:00 (Europe/Rome)\nPreviously: Thursday 26 March 2026, 15:00–16:00 (Europe/Rome)\n');
  }, LONG);
});
