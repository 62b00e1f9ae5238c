// An institution's page: booked hours per month for the institution's manager (from "My
// institution" in the navigation) and for admins, who also set the entitlement or affiliation
// members must have to book.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

describeInBrowser('institution usage and requirements', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  let institutionId: string;

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    institutionId = ((await portal.api(portal.admin, 'GET', '/api/v1/institutions')).body.items as Array<{ id: string }>)[0]!.id;
    context = await newContext(browser, portal.baseUrl);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  it('shows the manager their institution’s booked hours per month', async () => {
    // Ninety minutes this month (the usage ends with the current month): tomorrow at 10:00 in
    // the room's zone, or late today when tomorrow is in the next month.
    const room = (await portal.rooms())[0]!;
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const [day, from, to] = tomorrow.slice(0, 7) === today.slice(0, 7) ? [tomorrow, '10:00', '11:30'] : [today, '22:00', '23:30'];
    const booked = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${day}T${from}:00`, end: `${day}T${to}:00`, seats: 2, title: 'Ricevimento' });
    expect((await portal.api(portal.admin, 'PATCH', `/api/v1/institutions/${institutionId}`, { monthlyQuotaHours: 10 })).status).toBe(200);
    expect(booked.status).toBe(201);
    const password = 'Manager-pass-12345';
    const email = `manager-${Date.now().toString(36)}@prova.it`;
    const manager = await portal.api(portal.admin, 'POST', '/api/v1/users', { name: 'Giulia Neri', email, password, role: 'institution-manager', institutionId });
    expect(manager.status).toBe(201);

    await signIn(page, email, password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My institution' }).click();
    await page.getByRole('heading', { level: 1, name: 'Università degli Studi di Prova' }).waitFor();
    const usage = (await portal.api(portal.admin, 'GET', `/api/v1/institutions/${institutionId}/usage?months=6`)).body.items as Array<{ month: string; bookedHours: number }>;
    expect(usage.some((m) => m.bookedHours === 1.5)).toBe(true);
    const rows = page.locator('[data-slot="usage"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(usage.length);
    const texts = await rows.allTextContents();
    expect(texts.filter((r) => r.includes('1.5 hours'))).toHaveLength(1);
    await page.getByRole('img', { name: '15% of the quota used' }).waitFor();
    // A manager does not see the admins' requirement form.
    expect(await page.getByText('Who may book').count()).toBe(0);
    await expectAccessible(page, 'institution usage for its manager');
    await screenshot(page, 'institution-usage');
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('lets an admin require an entitlement and an affiliation for booking', async () => {
    await signIn(page, portal.admin.email, portal.admin.password);
    await page.goto('/admin/institutions');
    await page.getByRole('link', { name: /^Usage and access/ }).first().click();
    await page.getByRole('heading', { level: 2, name: 'Who may book' }).waitFor();
    await page.getByLabel('Required entitlement (eduPersonEntitlement)').fill('urn:mace:prova.it:webmeetings');
    await page.getByLabel('Required affiliation (eduPersonScopedAffiliation)').fill('staff');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved who may book.').waitFor();
    expect((await portal.api(portal.admin, 'GET', `/api/v1/institutions/${institutionId}/requirements`)).body).toEqual({
      requiredEntitlement: 'urn:mace:prova.it:webmeetings',
      requiredAffiliation: 'staff',
    });
    await expectAccessible(page, 'institution page for an admin');
    await screenshot(page, 'institution-admin');

    // The choice is saved on the account: reload only once it is, or the page comes back in the
    // language the server still has (CI at feb0dc6, a loaded machine).
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === '/api/v1/me');
    await page.getByLabel('Language').selectOption('it');
    expect((await saved).status()).toBe(200);
    await page.getByRole('heading', { level: 2, name: 'Chi può prenotare' }).waitFor();
    await page.reload();
    await expect.poll(() => page.getByLabel('Affiliazione richiesta (eduPersonScopedAffiliation)').inputValue()).toBe('staff');
    await page.getByLabel('Affiliazione richiesta (eduPersonScopedAffiliation)').fill('');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByText('Salvato chi può prenotare.').waitFor();
    expect((await portal.api(portal.admin, 'GET', `/api/v1/institutions/${institutionId}/requirements`)).body.requiredAffiliation).toBeNull();
    await expectAccessible(page, 'institution page in Italian');
    await page.getByLabel('Lingua').selectOption('en');
  });
});
