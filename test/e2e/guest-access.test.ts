// Guest access on a booking's page: a booker asks guests for a PIN (Italian), reads it beside the
// guest link, sends the people invited the invitation again (through a real SMTP server), shares the
// invitation with the PIN or without it, and makes a new link when the old one went too far; on a room whose service has no lobby (Jitsi) the lobby is not offered, and a PIN
// too short is said at its field (English).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { SmtpPeer, type Received } from '../notify/smtp-peer.ts';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const NOW = '2026-03-20T09:00:00Z';
const LONG = 180_000;

describeInBrowser('guest access', () => {
  let bbb: BigBlueButtonDouble;
  let smtp: SmtpPeer;
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  const contexts: BrowserContext[] = [];

  async function open(locale: 'en-GB' | 'it-IT', viewport?: { width: number; height: number }): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale, language: locale === 'it-IT' ? 'it' : 'en', ...(viewport && { viewport }) });
    await context.clock.setFixedTime(new Date(NOW));
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, maria.email, maria.password);
    return page;
  }
  const book = async (roomId: string, title: string, day: string) => {
    const made = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId, start: `${day}T10:00:00`, end: `${day}T11:00:00`, seats: 10, title });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return made.body.id as string;
  };
  const roomOf = async (id: string) => (await portal.api(maria, 'GET', `/api/v1/bookings/${id}/room`)).body;

  beforeAll(async () => {
    bbb = new BigBlueButtonDouble();
    await bbb.http.start();
    smtp = new SmtpPeer();
    await smtp.start();
    portal = await startBrowserPortal(
      { SMTP_URL: smtp.url, MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://meet.example.org', BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, BBB_CHECKSUM: 'sha1', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', HOUSEKEEPING_TICK_SECONDS: '0' },
      undefined,
      { clock: new TestClock(NOW) },
    );
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
    await bbb?.http.stop();
    await smtp?.stop();
  }, LONG);

  it('asks guests for a PIN, shows it beside the guest link, shares it or leaves it out, and makes a new link', async () => {
    const id = await book((await portal.rooms())[0]!.id, 'Seminario di dottorato', '2026-03-26');
    for (const email of ['anna@uni.example', 'bruno@uni.example']) expect((await portal.api(maria, 'POST', `/api/v1/bookings/${id}/invitees`, { email, locale: 'it' })).status).toBe(201);
    const mailTo = (to: string, subject: string) => (m: Received) => m.to.includes(to) && m.parsed.subject === subject;
    await smtp.waitFor(mailTo('anna@uni.example', 'Invito: Seminario di dottorato'));
    const page = await open('it-IT');
    await page.goto(`/bookings/${id}`);
    const section = page.getByRole('region', { name: 'Accesso degli ospiti' });
    const how = section.getByRole('group', { name: 'Come entrano gli ospiti' });
    expect(await how.getByRole('radio', { name: 'Con il solo link' }).isChecked()).toBe(true);
    // BigBlueButton holds guests at a door: the lobby is offered.
    await how.getByRole('radio', { name: 'Attendono che un organizzatore li faccia entrare' }).waitFor();
    const save = section.getByRole('button', { name: 'Salva l’accesso degli ospiti' });
    expect(await save.isDisabled()).toBe(true);

    await how.getByRole('radio', { name: 'Con il link e un PIN' }).check();
    const pin = section.getByLabel('PIN per gli ospiti (da 4 a 10 cifre)');
    // A PIN to start from, which the booker may keep or change.
    expect(await pin.inputValue()).toMatch(/^\d{6}$/);
    await pin.fill('2468');
    await expectAccessible(page, 'guest access with a PIN');
    await save.click();
    await page.getByText('Ora gli ospiti devono inserire il PIN 2468.').waitFor();
    expect(await roomOf(id)).toMatchObject({ guestPolicy: 'pin', guestPin: '2468' });
    const details = page.locator('.details-list');
    await details.locator('[data-slot="guest-pin"]').getByText('2468', { exact: true }).waitFor();
    expect(await save.isDisabled()).toBe(true);
    await screenshot(page, 'guest-access-it');

    // Those invited before have no PIN in their mail: the page offers them the invitation again.
    await section.getByText('Le persone invitate hanno nella loro email il link per gli ospiti precedente, o nessun PIN.').waitFor();
    await section.getByRole('button', { name: 'Invia di nuovo l’invito a tutti e 2' }).click();
    const again = section.getByRole('group', { name: /^Inviare di nuovo l’invito alle 2 persone invitate\?/ });
    await again.getByLabel('Messaggio con il nuovo invio').fill('Da oggi serve il PIN.');
    await expectAccessible(page, 'invitation sent again, asked');
    await screenshot(page, 'guest-access-resend-it');
    await again.getByRole('button', { name: 'Sì, invialo di nuovo' }).click();
    await page.getByText('L’invito è stato inviato di nuovo a 2 persone.').waitFor();
    for (const to of ['anna@uni.example', 'bruno@uni.example']) {
      const m = await smtp.waitFor(mailTo(to, 'Invito inviato di nuovo: Seminario di dottorato'));
      expect(m.parsed.text).toContain('PIN per gli ospiti: 2468');
      expect(m.parsed.text).toContain('> Da oggi serve il PIN.');
    }
    // Sent: the offer goes (the invitees' own section keeps its button for another time).
    await section.getByRole('button', { name: /^Invia di nuovo/ }).waitFor({ state: 'detached' });

    // The invitation to share carries the PIN, or leaves it out for a public page.
    const share = page.getByRole('region', { name: 'Invito da condividere' });
    await share.getByRole('button', { name: 'Mostra il testo dell’invito' }).click();
    const text = share.getByLabel('Testo dell’invito');
    await text.waitFor();
    expect(await text.inputValue()).toContain('PIN per gli ospiti: 2468');
    await share.getByLabel('Con il PIN per gli ospiti').uncheck();
    await expect.poll(() => text.inputValue()).not.toContain('2468');
    expect(await text.inputValue()).toContain('Entra come ospite (senza account): ');

    // A new link: asked first, then the old one stops at once and the page shows the new one.
    const oldUrl = (await roomOf(id)).guestUrl as string;
    await details.locator('[data-slot="guest-link"]').getByText(oldUrl).waitFor();
    await section.getByRole('button', { name: 'Crea un nuovo link per gli ospiti' }).click();
    const question = section.getByRole('group', { name: /^Creare un nuovo link per gli ospiti\?/ });
    await expectAccessible(page, 'new guest link question');
    await question.getByRole('button', { name: 'Sì, crea un nuovo link' }).click();
    await page.getByText('Il link per gli ospiti è nuovo; il precedente non funziona più.').waitFor();
    const newUrl = (await roomOf(id)).guestUrl as string;
    expect(newUrl).not.toBe(oldUrl);
    await details.locator('[data-slot="guest-link"]').getByText(newUrl).waitFor();
    // The invitees' mails hold the old link now: the offer comes back.
    await section.getByRole('button', { name: 'Invia di nuovo l’invito a tutti e 2' }).waitFor();
    expect((await fetch(portal.baseUrl + new URL(oldUrl).pathname)).status).toBe(404);
    expect((await fetch(portal.baseUrl + new URL(newUrl).pathname)).status).toBe(200);
    // The PIN stays with the new link.
    expect(await roomOf(id)).toMatchObject({ guestPolicy: 'pin', guestPin: '2468' });
    // The booking's history says who did what, without the PIN.
    await page.reload();
    const history = page.locator('.history-list');
    await history.getByText('Nuovo link per gli ospiti').waitFor();
    await history.getByText('Agli ospiti serve un PIN').waitFor();
    await history.getByText('Invito inviato di nuovo').waitFor();
    expect(await history.innerText()).not.toContain('2468');
  });

  it('offers no lobby where the room’s service has none, and says a PIN too short at its field', async () => {
    const jitsi = await portal.api<{ id: string }>(portal.admin, 'POST', '/api/v1/rooms', { name: 'Jitsi room', capacity: 20, provider: 'jitsi' });
    expect(jitsi.status, JSON.stringify(jitsi.body)).toBe(201);
    const id = await book(jitsi.body.id, 'Reading group', '2026-03-27');
    const page = await open('en-GB');
    await page.goto(`/bookings/${id}`);
    const section = page.getByRole('region', { name: 'Guest access' });
    const how = section.getByRole('group', { name: 'How guests enter' });
    await how.getByRole('radio', { name: 'With the link alone' }).waitFor();
    expect(await how.getByRole('radio').count()).toBe(2);
    await how.getByRole('radio', { name: 'With the link and a PIN' }).check();
    const pin = section.getByLabel('Guest PIN (4 to 10 digits)');
    await pin.fill('12');
    await section.getByRole('button', { name: 'Save guest access' }).click();
    const error = section.locator('.field-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/4 to 10 digits/);
    expect(await pin.getAttribute('aria-invalid')).toBe('true');
    // Nothing changed, and nothing typed is lost.
    expect(await pin.inputValue()).toBe('12');
    expect(await roomOf(id)).toMatchObject({ guestPolicy: 'open', guestPin: null, lobbyAvailable: false });
    await expectAccessible(page, 'guest access with a PIN refused');
    await screenshot(page, 'guest-access-en');
    await pin.fill('1234');
    await section.getByRole('button', { name: 'Save guest access' }).click();
    await page.getByText('Guests now need the PIN 1234.').waitFor();
  });

  it('fits a 390 px phone: the invitees with their co-host boxes, guest access and its PIN, without sideways scrolling', async () => {
    const id = await book((await portal.rooms())[1]!.id, 'Ricevimento con ospiti', '2026-03-30');
    expect((await portal.api(maria, 'POST', `/api/v1/bookings/${id}/invitees`, { email: 'una.persona.con.un.indirizzo.lungo@dipartimento.universita.example.it', locale: 'it' })).status).toBe(201);
    expect((await portal.api(maria, 'PUT', `/api/v1/bookings/${id}/guest-policy`, { policy: 'pin', pin: '90210' })).status).toBe(200);
    const page = await open('it-IT', { width: 390, height: 844 });
    await page.goto(`/bookings/${id}`);
    const section = page.getByRole('region', { name: 'Accesso degli ospiti' });
    await section.getByLabel('PIN per gli ospiti (da 4 a 10 cifre)').waitFor();
    await page.getByRole('checkbox', { name: /^Co-organizzatore: / }).waitFor();
    const wide = await page.evaluate(() => [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > 391).map((e) => `${e.tagName}.${e.className}`).slice(0, 12));
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const button of await page.locator('main button, main input, main select, main textarea').all()) {
      const box = await button.boundingBox();
      if (box) expect(box.x + box.width, (await button.getAttribute('aria-label')) ?? (await button.innerText().catch(() => ''))).toBeLessThanOrEqual(390);
    }
    await expectAccessible(page, 'booking page with guest access at 390 px');
    await screenshot(page, 'guest-access-phone-it');
  });
});
