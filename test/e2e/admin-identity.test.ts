// Admins' sign-in settings: the local-accounts switch (everyone / administrators only, the latter
// only where people have another way in), the ways in configured and the federation metadata status.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal } from './support/portal.ts';

describeInBrowser('admin: sign-in settings', () => {
  let portal: BrowserPortal;
  let bare: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // An institutional way in (its issuer is read at the first sign-in, which this test never starts).
    portal = await startBrowserPortal({ OIDC_PROVIDERS: JSON.stringify([{ id: 'campus', name: 'Campus login', issuer: 'https://idp.campus.example', clientId: 'wm', clientSecret: 's' }]) });
    // Neither a federation nor an OIDC provider: passwords are the only way in.
    bare = await startBrowserPortal();
    browser = await launchBrowser();
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await bare?.close();
    await portal?.close();
  });

  async function openSettings(on: BrowserPortal) {
    context = await newContext(browser, on.baseUrl);
    page = await context.newPage();
    await signIn(page, on.admin.email, on.admin.password);
    await page.goto('/calendar');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign-in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign-in settings' }).waitFor();
  }

  it('turns password sign-in off for everyone but administrators, and shows the federation metadata state', async () => {
    await openSettings(portal);
    const everyone = page.getByLabel('Everyone with a local account');
    await expect.poll(() => everyone.isChecked()).toBe(true);
    await page.getByText('No federation is configured: SAML_METADATA_SOURCES is not set').waitFor();
    await page.getByText('People sign in with their institution through Campus login.').waitFor();

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
    await page.getByText('Si accede con il proprio ente tramite Campus login.').waitFor();
    await page.getByLabel('Tutti gli utenti con un account locale').check();
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByText('Tutti gli utenti con un account locale possono accedere con la password.').waitFor();
    expect((await portal.api(portal.admin, 'GET', '/api/v1/auth/settings')).body).toEqual({ localAccounts: 'everyone' });
    await expectAccessible(page, 'sign-in settings in Italian');
    await page.getByLabel('Lingua').selectOption('en');
  });

  it('does not offer passwords for administrators alone where nobody else could sign in, and says how to get out of it', async () => {
    await openSettings(bare);
    const adminsOnly = page.getByLabel(/^Administrators only/);
    await page.getByText('Not available: this portal has no sign-in with an institution (SAML_METADATA_SOURCES or OIDC_PROVIDERS), so nobody else could sign in.').waitFor();
    expect(await adminsOnly.isDisabled()).toBe(true);
    expect(await adminsOnly.getAttribute('aria-describedby')).toBe('sign-in-ways');
    // The API refuses it as well.
    const refused = await bare.api(bare.admin, 'PUT', '/api/v1/auth/settings', { localAccounts: 'admins-only' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('NO_FEDERATED_SIGN_IN');

    // Set before the portal lost its way in (a federation removed from the configuration): members
    // are locked out, and the page says so and lets it be undone.
    await bare.portal.database.pool.query(`INSERT INTO portal_settings (key, value) VALUES ('local_accounts', '"admins-only"'::jsonb) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    await page.reload();
    await page.getByText('Only administrators can sign in: passwords are kept for them alone').waitFor();
    await expect.poll(() => adminsOnly.isChecked()).toBe(true);
    await expectAccessible(page, 'sign-in settings, locked out');
    await page.getByLabel('Everyone with a local account').check();
    expect(await adminsOnly.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Everyone with a local account may sign in with a password.').waitFor();
    expect(await page.getByText('Only administrators can sign in').count()).toBe(0);
    expect((await bare.api(bare.admin, 'GET', '/api/v1/auth/settings')).body).toEqual({ localAccounts: 'everyone' });
  });
});
