// The Content Security Policy in a real browser: the web app (sign-in, calendar with its live-update
// stream, administration), the guest and join pages, the API reference (/api/docs) and the
// documentation site run without a single CSP violation, and the join page's countdown script (an
// inline script, allowed by its hash) still runs.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { describeInBrowser, launchBrowser, newContext, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal } from './support/portal.ts';

describeInBrowser('the Content Security Policy in a browser', () => {
  let portal: BrowserPortal;
  let bbb: BigBlueButtonDouble;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const violations: string[] = [];

  beforeAll(async () => {
    bbb = new BigBlueButtonDouble();
    await bbb.http.start();
    portal = await startBrowserPortal({ BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, PROVIDER_DEFAULT: 'bigbluebutton' });
    browser = await launchBrowser();
    context = await newContext(browser, portal.baseUrl);
    // Every violation the page reports (the event) and every one Chromium logs (the console).
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    context.on('console', (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(`${m.page()?.url()}: ${m.text()}`);
    });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
    await bbb?.http.stop();
  });

  const visit = async (page: Page, path: string, ready: () => Promise<unknown>) => {
    await page.goto(path);
    await ready();
    // Late loads (chunks, the event stream) have their chance to be refused.
    await page.waitForTimeout(500);
  };

  it('runs the web app, the API reference and the documentation without violations', async () => {
    const page = await context.newPage();
    await signIn(page, portal.admin.email, portal.admin.password);
    await page.waitForTimeout(1000);
    await visit(page, '/admin', () => page.locator('h1').first().waitFor());
    await visit(page, '/api/docs/', () => page.locator('.swagger-ui .info').waitFor({ timeout: 30_000 }));
    const docs = await page.request.get('/docs/');
    if (docs.ok()) await visit(page, '/docs/', () => page.locator('body').waitFor());
    expect(violations).toEqual([]);
    // The listener hears a violation when there is one: an inline script added by hand is refused.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.body.append(s);
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    violations.length = 0;
    await page.close();
  });

  it('runs the guest waiting page, whose countdown is an inline script, without violations', async () => {
    const start = new Date(Date.now() + 60 * 60_000);
    start.setUTCMinutes(Math.ceil(start.getUTCMinutes() / 5) * 5, 0, 0);
    const end = new Date(start.getTime() + 30 * 60_000);
    const rooms = await portal.rooms();
    const booking = await portal.api<{ id: string }>(portal.admin, 'POST', '/api/v1/bookings', { title: 'CSP', roomId: rooms[0]!.id, start: start.toISOString(), end: end.toISOString(), seats: 2 });
    expect(booking.status).toBe(201);
    const room = await portal.api<{ guestUrl: string }>(portal.admin, 'GET', `/api/v1/bookings/${booking.body.id}/room`);
    expect(room.status).toBe(200);
    const page = await context.newPage();
    const answer = await page.goto(new URL(room.body.guestUrl).pathname);
    expect(answer?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    // The countdown ticks: the inline script runs.
    const count = page.locator('#count');
    await count.waitFor();
    const first = await count.textContent();
    await expect.poll(() => count.textContent(), { timeout: 5000 }).not.toBe(first);
    expect(violations).toEqual([]);
    await page.close();
  });
});
