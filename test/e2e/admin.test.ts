// Administration pages: an admin edits a room's capacity; every page passes axe-core and is
// photographed for a look at how it reads.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal } from './support/portal.ts';

describeInBrowser('administration', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    await portal.member('Maria Rossi');
    context = await newContext(browser, portal.baseUrl);
    page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email address').waitFor();
    await expectAccessible(page, 'sign-in page');
    await screenshot(page, 'sign-in');
    await signIn(page, portal.admin.email, portal.admin.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  it('edits a room’s capacity', async () => {
    await page.getByRole('link', { name: 'Rooms' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    await expectAccessible(page, 'admin rooms');
    await screenshot(page, 'admin-rooms');
    const row = page.getByRole('row').filter({ hasText: 'Sala Hack' });
    await row.getByRole('button', { name: /^Edit/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Sala Hack' });
    await dialog.waitFor();
    await expectAccessible(page, 'room dialog');
    await dialog.getByLabel('Capacity').fill('64');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Room “Sala Hack” saved.').waitFor();
    await expect.poll(() => row.getByRole('cell').nth(0).textContent()).toBe('64');
    const room = (await portal.rooms()).find((r) => r.name === 'Sala Hack');
    expect(room?.capacity).toBe(64);
    // The calendar's column header shows the new capacity.
    await page.getByRole('link', { name: 'Calendar' }).click();
    await page.locator('.wm-room-name', { hasText: 'Sala Hack' }).locator('xpath=following-sibling::*[1]').filter({ hasText: '64 seats' }).waitFor();
  });

  it('shows institutions, users and the audit log with filters', async () => {
    await page.getByRole('link', { name: 'Institutions' }).click();
    await page.getByRole('cell', { name: 'prova.it' }).waitFor();
    await expectAccessible(page, 'admin institutions');
    await screenshot(page, 'admin-institutions');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('row').filter({ hasText: 'Maria Rossi' }).waitFor();
    await expectAccessible(page, 'admin users');
    await page.getByLabel('Role of Maria Rossi').selectOption('institution-manager');
    await page.getByText('Maria Rossi updated.').waitFor();
    await screenshot(page, 'admin-users');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Kind').selectOption('room');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(async () => (await page.locator('tbody tr').allInnerTexts()).every((t) => /Room/.test(t))).toBe(true);
    await expectAccessible(page, 'admin audit log');
    await screenshot(page, 'admin-audit');
  });

  it('offers federated sign-in first when the portal has it', async () => {
    const other = await newContext(browser, portal.baseUrl, { locale: 'it-IT' });
    const p = await other.newPage();
    // The portal under test has no federation configured; answer as one that has.
    await p.route('**/api/v1/auth/methods', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          institution: { enabled: true, discoveryUrl: '/auth/discovery', lastChoice: null },
          oidc: [],
          local: { enabled: true, adminsOnly: true },
          logoutUrl: '/auth/logout',
        }),
      }),
    );
    await p.goto('/');
    const button = p.getByRole('link', { name: 'Accedi con il tuo ente' });
    await button.waitFor();
    expect(await button.getAttribute('href')).toBe('/auth/discovery?return=%2F&lang=it');
    await p.getByText('Il modulo qui sotto è per gli amministratori del portale').waitFor();
    await expectAccessible(p, 'sign-in page with federated sign-in');
    await screenshot(p, 'sign-in-federated-it');
    await other.close();
  });

  it('is usable on a phone: day view and list view', async () => {
    const phone = await newContext(browser, portal.baseUrl, { viewport: { width: 390, height: 844 } });
    const p = await phone.newPage();
    await signIn(p, portal.admin.email, portal.admin.password);
    await p.locator('.ec-body .ec-day').first().waitFor();
    await expect(p.getByRole('button', { name: 'Day', exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expectAccessible(p, 'calendar on a phone');
    await screenshot(p, 'phone-day');
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('link', { name: 'My bookings' }).waitFor();
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('button', { name: 'List', exact: true }).click();
    await p.locator('.ec-list').waitFor();
    await screenshot(p, 'phone-list');
    await phone.close();
  });
});
