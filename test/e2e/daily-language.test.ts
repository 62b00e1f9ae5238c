// Joining, guests, language and formats in daily use (issue #12): the join countdown in words, the
// guest page with the portal's branding and the time in the guest's own zone, the default service
// of a room, the top bar at 1366 px, messages of the server in Italian, dates typed the same in
// every browser, the audit log's person picker. A fixed clock on the portal and in the browser,
// English and Italian, axe on every state, screenshots in /tmp/shots-daily for a person to look at.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

// Thursday 3 December 2026, 13:00 in Rome. The meeting: Tuesday 8 December, 14:00–15:30 in Rome;
// its room opens 15 minutes before.
const NOW = '2026-12-03T12:00:00Z';
const MEETING = { start: '2026-12-08T14:00:00', end: '2026-12-08T15:30:00' };
const SHOTS = process.env.DAILY_SHOTS ?? '/tmp/shots-daily';
const LONG = 240_000;

const LANGS = [
  { lang: 'en', locale: 'en-GB', signOut: 'Sign out' },
  { lang: 'it', locale: 'it-IT', signOut: 'Esci' },
] as const;

describeInBrowser('joining, guests, language and formats', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let room: { id: string; name: string };
  let bookingId: string;
  const contexts: BrowserContext[] = [];

  async function open(locale: string, o: { viewport?: { width: number; height: number }; timezoneId?: string } = {}): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale, viewport: o.viewport ?? { width: 1366, height: 768 }, ...(o.timezoneId && { timezoneId: o.timezoneId }) });
    await context.clock.setFixedTime(new Date(NOW));
    contexts.push(context);
    return context.newPage();
  }

  async function shot(page: Page, name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  }

  beforeAll(async () => {
    portal = await startBrowserPortal({}, undefined, { clock: new TestClock(NOW) });
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    room = (await portal.rooms())[1]!;
    const booked = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, ...MEETING, seats: 12, title: 'Seminario di dottorato' });
    expect(booked.status).toBe(201);
    bookingId = booked.body.id;
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
  }, LONG);

  for (const L of LANGS) {
    describe(`in ${L.lang}`, () => {
      it('fits the top bar of an administrator on one line at 1366 px, the sign-out button inside the window', async () => {
        const page = await open(L.locale);
        await signIn(page, portal.admin.email, portal.admin.password);
        await shot(page, `topbar-admin-${L.lang}-1366`);
        const bar = page.locator('.topbar-inner');
        const signOut = page.getByRole('button', { name: L.signOut });
        const box = (await signOut.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(1366);
        // One line: every link and tool of the bar sits on the same row as the brand.
        const tops = await bar.locator('.brand, .nav-link, .topbar-tools > *').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => Math.round(r.top + r.height / 2)));
        expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(4);
        expect((await bar.boundingBox())!.height).toBeLessThanOrEqual(64);
        await expectAccessible(page, `top bar (${L.lang})`);
        await shot(page, `topbar-admin-${L.lang}-1366`);
      }, LONG);
    });
  }
});
