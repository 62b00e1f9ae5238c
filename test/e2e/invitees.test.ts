// Inviting people from a booking's page: several addresses at once, pasted as a list or as a mail's
// To line; a wrong one is named and nothing is lost; those already invited are said, not mailed again.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { addDays, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

describeInBrowser('inviting people by e-mail', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  let luca: Person;
  let bookingId: string;

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    const room = (await portal.rooms())[0]!;
    const day = addDays(nextMonday(), 8);
    const made = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${day}T10:00:00`, end: `${day}T11:00:00`, seats: 10, title: 'Commissione di laurea' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    bookingId = made.body.id;
    context = await newContext(browser, portal.baseUrl, { language: 'it', locale: 'it-IT' });
    page = await context.newPage();
    await signIn(page, maria.email, maria.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  const invited = async () => ((await portal.api(maria, 'GET', `/api/v1/bookings/${bookingId}/invitees`)).body.items as Array<{ email: string }>).map((i) => i.email);

  it('invites a pasted To line at once, names a wrong address and keeps the text, and says who was invited already', async () => {
    await page.goto(`/bookings/${bookingId}`);
    const box = page.getByLabel('Indirizzi e-mail');
    const invite = page.getByRole('button', { name: 'Invita', exact: true });
    // A To line with a name holding a comma, and one piece that is no address.
    const pasted = '"Neri, Anna" <anna.neri@uni.example>, Bruno Bianchi <bruno@uni.example>; carla@uni.example, dario@';
    await box.fill(pasted);
    await invite.click();
    await page.getByText('«dario@» non è un indirizzo e-mail.').waitFor();
    expect(await box.inputValue()).toBe(pasted);
    expect(await invited()).toEqual([]);
    await expectAccessible(page, 'invite box with a wrong address');

    await box.fill(pasted.replace(', dario@', '\ndario@uni.example'));
    await page.getByLabel('Messaggio con l’invito').fill('Siete nella commissione di Anna.');
    await invite.click();
    await page.getByText('4 persone sono invitate.').waitFor();
    expect(await box.inputValue()).toBe('');
    expect(await page.getByLabel('Messaggio con l’invito').inputValue()).toBe('');
    const list = page.locator('.invitee-list');
    for (const email of ['anna.neri@uni.example', 'bruno@uni.example', 'carla@uni.example', 'dario@uni.example']) await list.getByText(email, { exact: true }).waitFor();
    expect(await invited()).toEqual(['anna.neri@uni.example', 'bruno@uni.example', 'carla@uni.example', 'dario@uni.example']);

    // Again with one already there (in other letters) and one new.
    await box.fill('Carla@uni.example elena@uni.example');
    await invite.click();
    await page.getByText('Già invitato, quindi non invitato di nuovo: Carla@uni.example.').waitFor();
    await list.getByText('elena@uni.example', { exact: true }).waitFor();
    expect(await invited()).toHaveLength(5);
    await expectAccessible(page, 'invitees after a second list');
    await screenshot(page, 'invitees-several');
  });

  it('shows the invitation as text to paste, in the language chosen, and copies it', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(`/bookings/${bookingId}`);
    const section = page.getByRole('region', { name: 'Invito da condividere' });
    const show = section.getByRole('button', { name: 'Mostra il testo dell’invito' });
    expect(await show.getAttribute('aria-expanded')).toBe('false');
    await show.click();
    const box = section.getByLabel('Testo dell’invito');
    await box.waitFor();
    const italian = await box.inputValue();
    expect(italian).toMatch(/^Commissione di laurea\n\nSei invitato a una riunione virtuale\.\n\nQuando: .+ 10:00–11:00 \(Europe\/Rome\)\n/);
    expect(italian).toMatch(new RegExp(`Entra con l’account del tuo ente: \\S+/join/${bookingId}\n`));
    expect(italian).toMatch(/Entra come ospite \(senza account\): \S+\/g\/[A-Za-z0-9_-]+$/);
    expect(italian).not.toContain('/bookings/');
    await expectAccessible(page, 'invitation text to share');
    await screenshot(page, 'invitation-text-it');

    await section.getByLabel('Lingua del testo').selectOption('en');
    await expect.poll(() => box.inputValue()).toContain('You are invited to a virtual meeting.');
    await section.getByRole('button', { name: 'Copia il testo' }).click();
    await section.getByRole('button', { name: 'Copiato' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await box.inputValue());
    expect(copied).toContain('Join as a guest (no account needed): ');
  });

  it('shows an invited colleague the meeting on their My bookings, with the way in and his answer', async () => {
    luca = await portal.member('Luca Neri');
    expect((await portal.api(maria, 'POST', `/api/v1/bookings/${bookingId}/invitees`, { email: luca.email })).status).toBe(201);
    const lucaContext = await newContext(browser, portal.baseUrl, { language: 'it', locale: 'it-IT' });
    try {
      const his = await lucaContext.newPage();
      await signIn(his, luca.email, luca.password);
      await his.goto('/bookings');
      const section = his.getByRole('region', { name: 'Riunioni a cui sei invitato' });
      const item = section.getByRole('listitem').filter({ hasText: 'Commissione di laurea' });
      await item.getByText('prenotata da Maria Rossi').waitFor();
      expect(await item.getByRole('link', { name: 'Entra: Commissione di laurea' }).getAttribute('href')).toBe(`/join/${bookingId}`);
      // He answers there, signed in: Maria sees it (below).
      const answer = item.getByRole('group', { name: 'Parteciperai? Commissione di laurea' });
      expect(await answer.getByRole('button', { name: 'Parteciperò' }).getAttribute('aria-pressed')).toBe('false');
      await answer.getByRole('button', { name: 'Parteciperò' }).click();
      await his.getByText('Maria Rossi vede che parteciperai.').waitFor();
      await expect.poll(() => answer.getByRole('button', { name: 'Parteciperò' }).getAttribute('aria-pressed')).toBe('true');
      await expectAccessible(his, 'my bookings with a meeting one is invited to');
      await screenshot(his, 'invited-meetings-it');
      // Maria, who booked it, does not see it among her invitations.
      await page.goto('/bookings');
      await page.getByRole('heading', { level: 1, name: 'Le mie prenotazioni' }).waitFor();
      await page.locator('.booking-list').waitFor();
      expect(await page.getByRole('region', { name: 'Riunioni a cui sei invitato' }).count()).toBe(0);
    } finally {
      await lucaContext.close();
    }
  });

  it('makes someone invited a co-host (they enter as host: test/api/join.test.ts) and back', async () => {
    await page.goto(`/bookings/${bookingId}`);
    const list = page.locator('.invitee-list');
    await page.getByText('Un co-organizzatore entra nella riunione come organizzatore, come te, quando accede con l’indirizzo invitato').waitFor();
    const box = list.getByRole('checkbox', { name: 'Co-organizzatore: bruno@uni.example' });
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await page.getByText('bruno@uni.example ora entra nella riunione come organizzatore, e lo sa per e-mail.').waitFor();
    const cohosts = async () => ((await portal.api(maria, 'GET', `/api/v1/bookings/${bookingId}/invitees`)).body.items as Array<{ email: string; cohost: boolean }>).filter((i) => i.cohost).map((i) => i.email);
    expect(await cohosts()).toEqual(['bruno@uni.example']);
    await expectAccessible(page, 'invitees with a co-host');
    await screenshot(page, 'invitees-cohost-it');
    await box.uncheck();
    await page.getByText('bruno@uni.example ora entra nella riunione come partecipante.').waitFor();
    expect(await cohosts()).toEqual([]);
  });

  it('shows someone abroad the meeting in their own time zone too, on its page and among their invitations', async () => {
    // Each signed in on a browser of their own, both set to New York.
    const abroad = await newContext(browser, portal.baseUrl, { language: 'en', locale: 'en-US', timezoneId: 'America/New_York' });
    const abroadToo = await newContext(browser, portal.baseUrl, { language: 'en', locale: 'en-US', timezoneId: 'America/New_York' });
    try {
      const his = await abroad.newPage();
      await signIn(his, luca.email, luca.password);
      await his.goto('/bookings');
      const item = his.getByRole('region', { name: 'Meetings you are invited to' }).getByRole('listitem').filter({ hasText: 'Commissione di laurea' });
      // 10:00–11:00 in Rome is 04:00–05:00 in New York (both on standard time in December).
      await expect.poll(() => item.locator('[data-slot="own-time"]').textContent()).toMatch(/^In your time zone \(America\/New_York\): .*04:00.*05:00/);
      await expectAccessible(his, 'invitations with the time abroad');
      const hers = await abroadToo.newPage();
      await signIn(hers, maria.email, maria.password);
      await hers.goto(`/bookings/${bookingId}`);
      await expect.poll(() => hers.locator('[data-slot="own-time"]').textContent()).toMatch(/^In your time zone \(America\/New_York\): .*04:00.*05:00/);
      await expectAccessible(hers, 'booking page with the time abroad');
      await screenshot(hers, 'booking-own-time-en');
    } finally {
      await abroad.close();
      await abroadToo.close();
    }
    // In Rome, the room's time alone.
    await page.goto(`/bookings/${bookingId}`);
    await page.getByRole('heading', { level: 1, name: 'Commissione di laurea' }).waitFor();
    expect(await page.locator('[data-slot="own-time"]').count()).toBe(0);
  });

  it('asks those invited, on a page of their own without an account, whether they will come, and shows Maria the answers', async () => {
    const rows = await portal.portal.services.uow.repos.bookings.invitees.list({ bookingId });
    const linkOf = (email: string) => `/i/${rows.find((r) => r.email === email)!.replyToken}`;
    // Anna reads Italian (the language Maria invited her in); Bruno opens his in English.
    const guests = await newContext(browser, portal.baseUrl, { language: 'it', locale: 'it-IT' });
    try {
      const anna = await guests.newPage();
      await anna.goto(linkOf('anna.neri@uni.example'));
      await anna.getByRole('heading', { level: 1, name: 'Il tuo invito' }).waitFor();
      await anna.getByText('Organizzata da Maria Rossi').waitFor();
      await anna.getByText('Non hai ancora risposto.').waitFor();
      await expectAccessible(anna, 'an invitee’s reply page');
      await screenshot(anna, 'invitee-reply-it');
      await anna.getByRole('group', { name: 'Parteciperai?' }).getByRole('button', { name: 'Sì, parteciperò' }).click();
      await anna.getByRole('status').getByText('Grazie: Maria Rossi vede che parteciperai.').waitFor();
      expect(await anna.getByRole('button', { name: 'Sì, parteciperò' }).getAttribute('aria-pressed')).toBe('true');
      await expectAccessible(anna, 'an invitee’s reply page after the answer');

      const bruno = await guests.newPage();
      await bruno.goto(`${linkOf('bruno@uni.example')}?lang=en`);
      await bruno.getByRole('button', { name: 'No, I cannot come' }).click();
      await bruno.getByText('Thank you: Maria Rossi sees that you cannot come. We will send you no reminders.').waitFor();
      await bruno.getByRole('group', { name: 'Mail about this meeting' }).getByRole('button', { name: 'Send me no more mail about this meeting' }).click();
      await bruno.getByRole('status').getByText('Done: you will get no more mail about this meeting.').waitFor();
      await bruno.getByRole('button', { name: 'Send me mail about this meeting again' }).waitFor();
      await expectAccessible(bruno, 'an invitee’s reply page, mail stopped');
      await screenshot(bruno, 'invitee-reply-en');
    } finally {
      await guests.close();
    }

    // Maria's page: the count, each answer beside the address, and who asked for no mail.
    await page.goto(`/bookings/${bookingId}`);
    const section = page.getByRole('region', { name: 'Invitati per e-mail' });
    await section.getByText('Parteciperanno: 2 · Non parteciperanno: 1 · Senza risposta: 3').waitFor();
    const item = (email: string) => section.getByRole('listitem').filter({ hasText: email });
    await item('anna.neri@uni.example').getByText('Parteciperà', { exact: true }).waitFor();
    await item('bruno@uni.example').getByText('Non parteciperà', { exact: true }).waitFor();
    await item('bruno@uni.example').getByText('Niente e-mail', { exact: true }).waitFor();
    await item(luca.email).getByText('Parteciperà', { exact: true }).waitFor();
    expect(await item('carla@uni.example').locator('.tag-ok, .tag-warn').count()).toBe(0);
    await section.getByText('Ha chiesto di non ricevere più e-mail su questa riunione').waitFor();
    // The invitation sent again goes to the five who read their mail (Luca is invited too).
    await section.getByRole('button', { name: 'Invia di nuovo l’invito a tutti e 5' }).waitFor();
    await expectAccessible(page, 'invitees with their answers');
    await screenshot(page, 'invitees-answers-it');
  });
});
