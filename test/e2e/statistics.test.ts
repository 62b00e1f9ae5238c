// The statistics page (issue #15) on the demo year, at a fixed clock, in English and Italian, with
// axe: an administrator sees every institution and can narrow to one; a manager sees their own.
// Each chart has its table; every table downloads as CSV.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fillDemo } from '../../src/db/demo-data.ts';
import { axe, describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal } from './support/portal.ts';

const NOW = new Date('2026-11-20T11:00:00Z');

/**
 * Waits for a locator by asking from here: with the browser's clock fixed (setFixedTime), a
 * locator's own waitFor did not see the page change after its first look.
 */
async function shown(locator: Locator, timeoutMs = 30_000, state: 'visible' | 'attached' = 'visible'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(state === 'visible' ? await locator.first().isVisible() : (await locator.count()) > 0)) {
    if (Date.now() > end) throw new Error(`not shown within ${timeoutMs} ms: ${String(locator)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeInBrowser('the statistics page', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    portal = await startBrowserPortal({}, undefined, { clock: { now: () => NOW } });
    await fillDemo(portal.portal.database.db, { now: NOW, timeZone: 'Europe/Rome' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
  });

  async function open(locale: string, email: string, password: string, viewport = { width: 1366, height: 768 }): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale, viewport });
    contexts.push(context);
    await context.clock.setFixedTime(NOW);
    const page = await context.newPage();
    await signIn(page, email, password);
    return page;
  }

  it('shows an administrator the year: figures, the pool chart with its table, the heat map and CSV links', async () => {
    const page = await open('en-GB', portal.admin.email, portal.admin.password);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Statistics' }).getAttribute('href')).toBe('/statistics');
    await page.goto('/statistics');
    await shown(page.getByRole('heading', { level: 1, name: 'Statistics' }));
    // The year's figures take a while on PGlite on a busy machine (the page shows them when they come).
    await shown(page.getByText('Most people at once'), 60_000);
    const peak = Number((await page.locator('.stats-card', { hasText: 'Most people at once' }).locator('.stats-value').textContent())!.replace(/\D/g, ''));
    expect(peak).toBeGreaterThan(150);
    expect(peak).toBeLessThan(200);
    expect(await page.locator('.stats-chart canvas').count()).toBe(1);
    await page.getByText('Show the figures as a table').click();
    expect(await page.locator('.stats-table-toggle tbody tr').count()).toBeGreaterThan(100);
    // The heat map is a table a screen reader reads cell by cell, Monday to Sunday.
    const heat = page.getByRole('table', { name: 'When the rooms are used' });
    expect(await heat.locator('tbody tr').count()).toBe(7);
    const institutions = page.getByRole('table', { name: 'By institution' });
    expect(await institutions.locator('tbody tr').count()).toBe(6);
    const csv = await page.getByRole('link', { name: 'Download CSV – By room' }).getAttribute('href');
    expect(csv).toMatch(/^\/api\/v1\/statistics\/rooms\?from=2025-11-21&to=2026-11-20&format=csv$/);
    await expectAccessible(page, 'statistics (admin, English)');
    // A section and the table that scrolls in it are both regions: each has a name of its own.
    const landmarks = await axe(page).withRules(['landmark-unique']).analyze();
    expect(landmarks.violations.flatMap((v) => v.nodes.map((n) => n.target.join(' ')))).toEqual([]);
    await screenshot(page, 'statistics-admin-en');

    // One institution, and a shorter period by the quick buttons.
    const institution = page.getByRole('combobox', { name: /^Institution/ });
    await shown(institution.locator('option', { hasText: 'Università di Padova' }), 30_000, 'attached');
    await institution.selectOption({ label: 'Università di Padova' });
    await page.waitForURL(/institution=/);
    await shown(page.getByRole('table', { name: 'By room' }));
    expect(await page.getByRole('table', { name: 'By institution' }).locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Last 30 days' }).click();
    await page.waitForURL(/from=2026-10-22/);
    await shown(page.getByRole('button', { name: 'Last 30 days', pressed: true }));
    // Every meeting of these 30 days could be counted: the note says who was missing, not "0 meetings could not be counted".
    const shownNow = new URL(page.url()).searchParams;
    const scope = new URLSearchParams({ from: shownNow.get('from')!, to: shownNow.get('to')!, institutionId: shownNow.get('institution')! });
    const summary = await portal.api(portal.admin, 'GET', `/api/v1/statistics/summary?${scope}`);
    expect(summary.body.unknown).toBe(0);
    await shown(page.locator('.stats-card', { hasText: 'No-shows' }).getByText('nobody joined', { exact: true }));
    await expectAccessible(page, 'statistics of one institution over 30 days');
  }, 180_000);

  it('speaks Italian with Italian numbers and dates', async () => {
    const page = await open('it-IT', portal.admin.email, portal.admin.password);
    await page.goto('/statistics');
    await shown(page.getByRole('heading', { level: 1, name: 'Statistiche' }));
    await shown(page.getByText('Massimo di persone insieme'), 60_000);
    const hours = await page.locator('.stats-card', { hasText: 'Ore svolte' }).locator('.stats-value').textContent();
    expect(hours).toMatch(/^\d{1,3}(\.\d{3})*(,\d)?$/);
    await shown(page.getByRole('table', { name: 'Per mese' }).getByText(/novembre 2026/));
    // The period reads day first whatever the browser's own locale (its date box said 11/21/2025 in an American one).
    const period = page.getByRole('form', { name: 'Periodo' });
    const from = period.getByLabel('Dal', { exact: true });
    const to = period.getByLabel('Al', { exact: true });
    expect([await from.inputValue(), await to.inputValue()]).toEqual(['21/11/2025', '20/11/2026']);
    await from.fill('01/12/2026');
    await page.getByRole('button', { name: 'Mostra' }).click();
    await shown(page.getByRole('alert').getByText('Il primo giorno viene dopo l’ultimo: scambiali.'));
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).search).toBe('');
    await from.fill('1/11/2026');
    await page.getByRole('button', { name: 'Mostra' }).click();
    await page.waitForURL(/from=2026-11-01&to=2026-11-20/);
    expect(await page.getByText('Il primo giorno viene dopo l’ultimo').count()).toBe(0);
    await expectAccessible(page, 'statistiche (amministratore, italiano)');
    await screenshot(page, 'statistics-admin-it');
  }, 120_000);

  it('shows an institution manager their own institution only', async () => {
    const list = (await portal.api(portal.admin, 'GET', '/api/v1/institutions')).body.items as { id: string; name: string }[];
    const padova = list.find((i) => i.name === 'Università di Padova')!;
    const email = `stats-manager-${Date.now().toString(36)}@unipd.demo.example`;
    const password = 'Manager-pass-12345';
    expect((await portal.api(portal.admin, 'POST', '/api/v1/users', { name: 'Giulia Neri', email, password, role: 'institution-manager', institutionId: padova.id })).status).toBe(201);
    const page = await open('en-GB', email, password, { width: 390, height: 844 });
    await page.goto('/statistics');
    await shown(page.getByText('What Università di Padova booked and used of its share of the licence.'));
    expect(await page.getByRole('combobox', { name: /^Institution/ }).count()).toBe(0);
    expect(await page.getByRole('table', { name: 'By institution' }).count()).toBe(0);
    await shown(page.getByRole('table', { name: 'By room' }));
    await expectAccessible(page, 'statistics (manager, phone)');
    await screenshot(page, 'statistics-manager-phone-en');
  });
});
