// The join pages in a real browser: the waiting page counts down and turns into the join button by
// itself, the guest form leads into the meeting, and every page passes axe-core (WCAG 2.1 AA).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot } from '../e2e/support/browser.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { settled } from './provisioning-support.ts';

let t: TestPortal;
let bbb: BigBlueButtonDouble;
let browser: Browser;
let alice: Caller;

describeInBrowser('join pages in a browser', () => {
  beforeAll(async () => {
    bbb = new BigBlueButtonDouble();
    await bbb.http.start();
    t = await startTestPortal({ now: '2026-03-20T09:04:56Z', env: { BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' } });
    alice = await t.user('member', (await t.institution()).id, 'Alice Booker');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await bbb?.http.stop();
  });

  it('counts down, shows the join button by itself, and lets a guest in', async () => {
    const res = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Discussione tesi', roomId: t.rooms[0]!.id, start: '2026-03-20T10:20', end: '2026-03-20T11:00', seats: 10 } });
    expect(res.status).toBe(201);
    await settled(t, res.body.id);
    const guestPath = new URL((await t.api('GET', `/api/v1/bookings/${res.body.id}/room`, { as: alice })).body.guestUrl).pathname;

    const context = await newContext(browser, t.baseUrl, { locale: 'it-IT' });
    const page = await context.newPage();
    // A minute before the room opens: the page waits, however slowly the machine shows it.
    t.clock.set('2026-03-20T09:04:00Z');
    await page.goto(guestPath);
    await expect.poll(() => page.locator('h1').textContent()).toBe('La stanza non è ancora aperta');
    const join = page.getByRole('link', { name: 'Entra nella riunione' });
    expect(await join.isVisible()).toBe(false);
    await expectAccessible(page, 'the waiting page');
    await screenshot(page, 'join-waiting-it');

    // Four seconds before: the page counts them down from when it runs and shows the button by itself.
    t.clock.set('2026-03-20T09:04:56Z');
    await page.goto(guestPath);
    await join.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#count').isVisible()).toBe(false);
    t.clock.set('2026-03-20T09:05:01Z');
    await join.click();
    await page.getByLabel('Il tuo nome (come lo vedranno gli altri)').fill('Giulia Ospite');
    await expectAccessible(page, 'the guest form');
    await screenshot(page, 'join-guest-form-it');
    await page.getByRole('button', { name: 'Entra nella riunione' }).click();
    await page.waitForURL(/\/html5client\/join\?sessionToken=/);
    expect(bbb.meeting(res.body.id)).not.toBeNull();

    t.clock.set('2026-03-20T10:01:00Z');
    await page.goto(`${guestPath}?lang=en`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('The meeting has ended');
    await expectAccessible(page, 'the ended page');
    await screenshot(page, 'join-ended-en');
    await context.close();
  });
});
