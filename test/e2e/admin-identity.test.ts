// Admins' sign-in settings: the local-accounts switch (everyone / administrators only) and the
// federation metadata status.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal } from './support/portal.ts';

describeInBrowser('admin: sign-in settings', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    context = await newContext(browser, portal.baseUrl);
    page = await context.newPage();
    await signIn(page, portal.admin.email, portal.admin.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  it('turns password sign-in off for everyone but administrators, and shows the federation metadata state', async () => {
    await page.goto('/calendar');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign-in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign-in settings' }).waitFor();
    const everyone = page.getByLabel('Everyone with a local account');
    await expect.poll(() => everyone.isChecked()).toBe(true);
    await page.getByText('No federation metadata is configured.').waitFor();

    await page.getByLabel(/^Administrators only/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Only administrators may sign in with a password now.').waitFor();
    expect((await portal.api(portal.admin, 'GET', '/api/v1/auth/settings')).body).toEqual({ localAccounts: 'admins-only' });
    await expectAccessible(page, 'sign-in settings');
    await screenshot(page, 'admin-sign-in-settings');

    await page.reload();
    await expect.poll(() => page.getByLabel(/^Administrators only/).isChecked()).toBe(true);

    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('heading', { level: 1, name: 'Impostazioni di accesso' }).waitFor();
    await page.getByLabel('Tutti gli utenti con un account locale').check();
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByText('Tutti gli utenti con un account locale possono accedere con la password.').waitFor();
    expect((await portal.api(portal.admin, 'GET', '/api/v1/auth/settings')).body).toEqual({ localAccounts: 'everyone' });
    await expectAccessible(page, 'sign-in settings in Italian');
    await page.getByLabel('Lingua').selectOption('en');
  });
});
