// The person's own account page, reached from their name in the top bar: who the portal knows
// them as, changing their password (the current one checked, the other browsers signed out) and
// their API tokens (made, shown once, working, revoked), signing out everywhere else, in English and
// in Italian.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

describeInBrowser('my account', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function open(person: Person, language: 'en' | 'it'): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { language });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, person.email, person.password);
    return page;
  }

  const status = (path: string, headers: Record<string, string>) => fetch(`${portal.baseUrl}${path}`, { headers }).then((r) => r.status);

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await portal?.close();
  });

  it('changes the password from the page behind the name, signing out the other browser', async () => {
    const maria = await portal.member('Maria Rossi');
    const page = await open(maria, 'en');
    const elsewhere = await open(maria, 'en');
    await page.getByRole('link', { name: 'My account: Maria Rossi' }).click();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await expect(page.locator('.details-list').innerText()).resolves.toContain('With your e-mail address and a password of this portal');

    const current = page.getByLabel(/^Current password/);
    const fresh = page.getByLabel(/^New password/);
    const repeat = page.getByLabel(/^Repeat the password/);
    const change = page.getByRole('button', { name: 'Change the password' });
    // A wrong current password: said on its field, nothing changed.
    await current.fill('not my password at all');
    await fresh.fill('a long new passphrase');
    await repeat.fill('a long new passphrase');
    await change.click();
    await page.getByText('This is not your current password.').waitFor();
    await expect(current.getAttribute('aria-invalid')).resolves.toBe('true');
    // A mismatch is caught before anything is sent.
    await current.fill(maria.password);
    await repeat.fill('a long new passphrasf');
    await change.click();
    await page.getByText('The two passwords are not the same.').waitFor();
    await repeat.fill('a long new passphrase');
    await change.click();
    await page.getByText('Your password is changed. 1 other session was signed out.').waitFor();
    await expect(current.inputValue()).resolves.toBe('');
    await expectAccessible(page, 'the account page');

    // This browser goes on; the other one is signed out; the new password opens the portal.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
    await elsewhere.reload();
    await elsewhere.getByLabel(/^Password/).waitFor();
    const signedIn = await fetch(`${portal.baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: maria.email, password: 'a long new passphrase' }) });
    expect(signedIn.status).toBe(200);
  });

  it('signs out everywhere else from the account page (in Italian), the way out for whoever has no password here', async () => {
    const luca = await portal.member('Luca Neri');
    const page = await open(luca, 'it');
    const lab = await open(luca, 'it');
    const phone = await open(luca, 'it');
    await page.goto('/account');
    const card = page.getByRole('region', { name: 'Dove hai effettuato l’accesso' });
    await card.getByText('Hai effettuato l’accesso in questo browser e in altri 2 browser o dispositivi.').waitFor();
    await expectAccessible(page, 'the account page with other sessions');
    await card.getByRole('button', { name: 'Esci da tutte le altre sessioni' }).click();
    await page.getByText('Sono state chiuse 2 altre sessioni.').waitFor();
    await card.getByText('Hai effettuato l’accesso solo in questo browser.').waitFor();
    expect(await card.getByRole('button').count()).toBe(0);
    // The other two are at the sign-in form; this one goes on.
    for (const other of [lab, phone]) {
      await other.reload();
      await other.getByLabel(/^Password/).waitFor();
    }
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Il mio account' }).waitFor();
  });

  it('lets an administrator turn off the mail of new requests (in Italian); a member has no such switch', async () => {
    const page = await open(portal.admin, 'it');
    await page.goto('/account');
    const card = page.getByRole('region', { name: 'Posta' });
    const box = card.getByRole('checkbox', { name: 'Inviami per e-mail ogni nuova richiesta di prenotazione' });
    await box.waitFor();
    expect(await box.isChecked()).toBe(true);
    await box.uncheck();
    await page.getByText('Le nuove richieste non ti saranno più inviate per e-mail.').waitFor();
    expect((await portal.api(portal.admin, 'GET', '/api/v1/me')).body.requestMails).toBe(false);
    await page.reload();
    expect(await page.getByRole('checkbox', { name: 'Inviami per e-mail ogni nuova richiesta di prenotazione' }).isChecked()).toBe(false);
    await expectAccessible(page, 'the account page of an administrator');
    await page.getByRole('checkbox', { name: 'Inviami per e-mail ogni nuova richiesta di prenotazione' }).check();
    await page.getByText('Le nuove richieste ti saranno inviate per e-mail.').waitFor();
    expect((await portal.api(portal.admin, 'GET', '/api/v1/me')).body.requestMails).toBe(true);
    const member = await open(await portal.member('Marta Galli'), 'it');
    await member.goto('/account');
    await member.getByRole('heading', { level: 1, name: 'Il mio account' }).waitFor();
    await member.getByRole('region', { name: 'Posta' }).getByRole('checkbox', { name: 'Mandami un promemoria prima delle mie riunioni' }).waitFor();
    expect(await member.getByRole('checkbox', { name: 'Inviami per e-mail ogni nuova richiesta di prenotazione' }).count()).toBe(0);
  });

  it('lets anyone turn off reminders and choose the time zone of their mails (in English)', async () => {
    const ana = await portal.member('Ana Pereira');
    const page = await open(ana, 'en');
    await page.goto('/account');
    const card = page.getByRole('region', { name: 'Mail' });
    const reminders = card.getByRole('checkbox', { name: 'Mail me a reminder before my meetings' });
    await reminders.waitFor();
    expect(await reminders.isChecked()).toBe(true);
    await reminders.uncheck();
    await page.getByText('You will no longer get reminders.').waitFor();
    const zone = card.getByLabel('Time zone of my mails');
    expect(await zone.inputValue()).toBe('');
    await zone.selectOption('Europe/Lisbon');
    await page.getByText('Your mails will show times in Europe/Lisbon too.').waitFor();
    expect((await portal.api(ana, 'GET', '/api/v1/me')).body).toMatchObject({ reminders: false, timeZone: 'Europe/Lisbon' });
    await expectAccessible(page, 'the account page’s mail choices');
    await screenshot(page, 'account-mail-en');
    // Kept: read again after a reload; back to the room's zone alone.
    await page.reload();
    expect(await card.getByLabel('Time zone of my mails').inputValue()).toBe('Europe/Lisbon');
    expect(await card.getByRole('checkbox', { name: 'Mail me a reminder before my meetings' }).isChecked()).toBe(false);
    await card.getByLabel('Time zone of my mails').selectOption('');
    await page.getByText('Your mails will show times in the room’s zone only.').waitFor();
    expect((await portal.api(ana, 'GET', '/api/v1/me')).body.timeZone).toBeNull();
  });

  it('makes an API token shown once, which works until it is revoked (in Italian)', async () => {
    const luca = await portal.member('Luca Bianchi');
    const page = await open(luca, 'it');
    await page.goto('/account');
    await page.getByRole('heading', { level: 1, name: 'Il mio account' }).waitFor();
    const list = page.getByRole('list', { name: 'Token API' });
    await list.waitFor(); // the test portal made one for its own calls
    await page.getByRole('button', { name: 'Crea un token' }).click();
    await page.getByText('Dai un nome al token.').waitFor();
    await page.getByLabel('A cosa serve il token').fill('importazione orario');
    await page.getByRole('button', { name: 'Crea un token' }).click();
    const shown = page.locator('[data-slot=token-fresh] code');
    const token = (await shown.innerText()).trim();
    expect(token).toMatch(/^wmt_[\w-]{40,}$/);
    const auth = { authorization: `Bearer ${token}` };
    expect(await status('/api/v1/me', auth)).toBe(200);
    // Listed by name; the secret itself is not shown again once the page is left.
    const item = list.getByRole('listitem').filter({ hasText: 'importazione orario' });
    await expect(item.innerText()).resolves.toMatch(/creato .+ · (mai usato|ultimo uso .+)/);
    await expectAccessible(page, 'the account page in Italian');
    await page.reload();
    await item.waitFor();
    await expect(page.locator('[data-slot=token-fresh]').count()).resolves.toBe(0);
    await expect(page.content()).resolves.not.toContain(token);

    // By keyboard: the question takes the focus, keeping the token gives it back to Revoke.
    const revoke = page.getByRole('button', { name: /^Revoca\s*:\s*importazione orario$/ });
    await revoke.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Revocare “importazione orario”? I programmi che lo usano smetteranno di funzionare.').waitFor();
    const confirm = page.getByRole('group').getByRole('button', { name: 'Revoca' });
    await expect(confirm.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // Tienilo
    await expect(revoke.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await confirm.waitFor();
    await page.keyboard.press('Enter');
    await page.getByText('Il token “importazione orario” non funziona più.').waitFor();
    await item.waitFor({ state: 'detached' });
    await expect(list.getByRole('listitem').count()).resolves.toBe(1);
    expect(await status('/api/v1/me', auth)).toBe(401);
  });
});
