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
  {
    lang: 'en',
    locale: 'en-GB',
    signOut: 'Sign out',
    countdown: 'The room opens in 5 days, Tue 8 Dec at 13:45.',
    countdownAbroad: 'The room opens in 5 days, Tue 8 Dec at 07:45 (America/New_York).',
    lastHour: /^The room opens in 2[89] min \d+ s, today at 09:45\.$/,
    yourTime: /^In your time zone: Tuesday 8 December.* 08:00 – 09:30 \(America\/New_York\)$/,
    roomTime: 'Europe/Rome, room time',
    defaultNote: 'Rooms without a service of their own use Jitsi Meet (meet.jit.si, public): PROVIDER_DEFAULT is not set, so the portal takes the first service configured (JITSI_URL).',
    defaultCell: 'Default: Jitsi Meet (meet.jit.si, public)',
    lockout: /^Too many failed sign-ins\. Wait \d+ second/,
    signIn: 'Sign in',
    person: 'Person',
    apply: 'Apply filters',
    made: 'Booking made',
    history: 'History',
    datePlaceholder: 'dd/mm/yyyy',
  },
  {
    lang: 'it',
    locale: 'it-IT',
    signOut: 'Esci',
    countdown: 'La stanza apre tra 5 giorni, mar 8 dic alle 13:45.',
    countdownAbroad: 'La stanza apre tra 5 giorni, mar 8 dic alle 07:45 (America/New_York).',
    lastHour: /^La stanza apre tra 2[89] min \d+ s, oggi alle 09:45\.$/,
    yourTime: /^Nel tuo fuso orario: martedì 8 dicembre.* 08:00 – 09:30 \(America\/New_York\)$/,
    roomTime: 'Europe/Rome, ora della stanza',
    defaultNote: 'Le aule senza un servizio proprio usano Jitsi Meet (meet.jit.si, pubblico): PROVIDER_DEFAULT non è impostato, quindi il portale usa il primo servizio configurato (JITSI_URL).',
    defaultCell: 'Predefinito: Jitsi Meet (meet.jit.si, pubblico)',
    lockout: /^Troppi accessi non riusciti\. Attendi \d+ secondi e riprova\.$/,
    signIn: 'Accedi',
    person: 'Persona',
    apply: 'Applica filtri',
    made: 'Prenotazione creata',
    history: 'Cronologia',
    datePlaceholder: 'gg/mm/aaaa',
  },
] as const;

describeInBrowser('joining, guests, language and formats', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let room: { id: string; name: string };
  let bookingId: string;
  const clock = new TestClock(NOW);
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
    // Two free wrong passwords, then a wait: the lock-out message shows after three tries.
    portal = await startBrowserPortal({ LOGIN_FREE_FAILURES: '2' }, undefined, { clock });
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
        // The account link is the name's icon here; on a wide screen the name shows, on the same one
        // line (from 1500 px the bar went behind the Menu button once the name came back).
        const account = page.getByRole('link', { name: `${L.lang === 'en' ? 'My account' : 'Il mio account'}: ${portal.admin.name}` });
        await expect(account.isVisible()).resolves.toBe(true);
        await expect(page.locator('.user-name').isVisible()).resolves.toBe(false);
        for (const width of [1600, 1920]) {
          await page.setViewportSize({ width, height: 900 });
          await page.locator('.user-name').waitFor();
          await expect(page.getByRole('button', { name: 'Menu' }).isVisible()).resolves.toBe(false);
          const wide = await bar.locator('.brand, .nav-link, .topbar-tools > *').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => Math.round(r.top + r.height / 2)));
          expect(Math.max(...wide) - Math.min(...wide), `${width} px`).toBeLessThanOrEqual(4);
        }
        await page.setViewportSize({ width: 1366, height: 768 });

        // An institution manager's bar has the most links of the others (delegates, requests,
        // institution, statistics): one line too.
        const manager = await portal.member(`Manager ${L.lang}`);
        expect((await portal.api(portal.admin, 'PATCH', `/api/v1/users/${manager.id}`, { role: 'institution-manager' })).status).toBe(200);
        const other = await open(L.locale);
        await signIn(other, manager.email, manager.password);
        await other.getByRole('link', { name: L.lang === 'en' ? 'Statistics' : 'Statistiche' }).waitFor();
        const managerTops = await other
          .locator('.topbar-inner')
          .locator('.brand, .nav-link, .topbar-tools > *')
          .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => Math.round(r.top + r.height / 2)));
        expect(Math.max(...managerTops) - Math.min(...managerTops)).toBeLessThanOrEqual(4);
        const managerSignOut = (await other.getByRole('button', { name: L.signOut }).boundingBox())!;
        expect(managerSignOut.x + managerSignOut.width).toBeLessThanOrEqual(1366);
        await shot(other, `topbar-manager-${L.lang}-1366`);

        // A manager with a long name: the name gives way to its icon rather than the links to the
        // Menu button (Alessandro Marino's Italian bar overflowed by 6 px at 1366 and had a Menu).
        const longName = await portal.member(`Maria Alessandra Bianchi Sforza Visconti ${L.lang}`);
        expect((await portal.api(portal.admin, 'PATCH', `/api/v1/users/${longName.id}`, { role: 'institution-manager' })).status).toBe(200);
        const long = await open(L.locale);
        await signIn(long, longName.email, longName.password);
        await long.getByRole('link', { name: L.lang === 'en' ? 'Statistics' : 'Statistiche' }).waitFor();
        await expect(long.getByRole('button', { name: 'Menu' }).isVisible()).resolves.toBe(false);
        const longTops = await long
          .locator('.topbar-inner')
          .locator('.brand, .nav-link, .topbar-tools > *')
          .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => Math.round(r.top + r.height / 2)));
        expect(Math.max(...longTops) - Math.min(...longTops)).toBeLessThanOrEqual(4);
        const longAccount = long.getByRole('link', { name: `${L.lang === 'en' ? 'My account' : 'Il mio account'}: ${longName.name}` });
        await expect(longAccount.locator('svg').isVisible()).resolves.toBe(true);
        await expect(long.locator('.user-name').isVisible()).resolves.toBe(false);
        await expectAccessible(long, `a manager's bar with a long name (${L.lang})`);
        await shot(long, `topbar-manager-long-name-${L.lang}-1366`);
        // Wider, the name comes back, on the same line.
        await long.setViewportSize({ width: 1600, height: 900 });
        await long.locator('.user-name').waitFor();
        await expect(long.getByRole('button', { name: 'Menu' }).isVisible()).resolves.toBe(false);
      }, LONG);

      it('puts an administrator’s links behind the Menu button where one line does not fit, and no page gets wider than the window', async () => {
        const page = await open(L.locale, { viewport: { width: 1280, height: 800 } });
        await signIn(page, portal.admin.email, portal.admin.password);
        const menu = page.getByRole('button', { name: 'Menu' });
        const users = page.getByRole('link', { name: L.lang === 'en' ? 'Users' : 'Utenti', exact: true });
        const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
        // 1280 px: the line would overflow (it did, and pushed the sign-out button out of the window).
        await menu.waitFor();
        await expect(users.isVisible()).resolves.toBe(false);
        const signOut = (await page.getByRole('button', { name: L.signOut }).boundingBox())!;
        expect(signOut.x + signOut.width).toBeLessThanOrEqual(1280);
        // On a desktop the tools stay on the Menu button's row: one row, not a phone's two.
        const menuBox = (await menu.boundingBox())!;
        expect(Math.abs(menuBox.y + menuBox.height / 2 - (signOut.y + signOut.height / 2))).toBeLessThanOrEqual(4);
        await expect(pageWidth()).resolves.toBeLessThanOrEqual(1280);
        await menu.click();
        await users.click();
        await page.waitForURL(/\/admin\/users$/);
        await page.locator('.data-table tbody tr').first().waitFor();
        // The people table scrolls inside its card; its hidden labels do not widen the page.
        await expect(pageWidth()).resolves.toBeLessThanOrEqual(1280);
        await expectAccessible(page, `administrator's menu at 1280 px (${L.lang})`);
        await shot(page, `topbar-admin-${L.lang}-1280`);
        // Wider, the one line comes back, and goes again when the window narrows.
        await page.setViewportSize({ width: 1440, height: 800 });
        await users.waitFor();
        await expect(menu.isVisible()).resolves.toBe(false);
        await page.setViewportSize({ width: 1101, height: 800 });
        await menu.waitFor();
        await expect(users.isVisible()).resolves.toBe(false);
        await expect(pageWidth()).resolves.toBeLessThanOrEqual(1101);
        // A phone: the tools take a row of their own below the Menu button, inside the window.
        await page.setViewportSize({ width: 390, height: 800 });
        await expect.poll(async () => (await page.getByRole('button', { name: L.signOut }).boundingBox())!.y).toBeGreaterThan((await menu.boundingBox())!.y + 20);
        await expect(pageWidth()).resolves.toBeLessThanOrEqual(390);
      }, LONG);

      it('counts down to the opening in words and with the date, then in minutes and seconds in the last hour', async () => {
        const page = await open(L.locale);
        await signIn(page, maria.email, maria.password);
        await page.goto(`/join/${bookingId}?lang=${L.lang}`);
        await page.getByRole('heading', { level: 1, name: /^(The room is not open yet|La stanza non è ancora aperta)$/ }).waitFor();
        await expect(page.locator('#count').textContent()).resolves.toBe(L.countdown);
        await expect(page.locator('.meeting').textContent()).resolves.toContain(L.roomTime);
        // The browser is in the room's zone: no second time.
        expect(await page.locator('#your-time').isHidden()).toBe(true);
        await expect(page.locator('.portal-bar .brand').textContent()).resolves.toBe('WebMeetings');
        await expectAccessible(page, `join page, days ahead (${L.lang})`);
        await shot(page, `join-waiting-days-${L.lang}-1366`);

        // A meeting today at 10:00 (Rome): at 09:16 its room opens in 29 minutes.
        const other = (await portal.rooms())[L.lang === 'en' ? 3 : 4]!;
        const soon = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: other.id, start: '2026-12-04T10:00:00', end: '2026-12-04T11:00:00', seats: 5, title: `Riunione breve ${L.lang}` });
        expect(soon.status).toBe(201);
        clock.set('2026-12-04T08:16:00Z');
        await page.clock.setFixedTime(new Date('2026-12-04T08:16:00Z'));
        try {
          await page.goto(`/join/${soon.body.id}?lang=${L.lang}`);
          await expect(page.locator('#count').textContent()).resolves.toMatch(L.lastHour);
          await expectAccessible(page, `join page, last hour (${L.lang})`);
          await shot(page, `join-waiting-last-hour-${L.lang}-1366`);
        } finally {
          clock.set(NOW);
        }
      }, LONG);

      it('shows guests the portal’s branding and the meeting in their own zone besides the room’s, on a phone', async () => {
        const room = await portal.api(maria, 'GET', `/api/v1/bookings/${bookingId}/room`);
        expect(room.status).toBe(200);
        const guestPath = new URL(room.body.guestUrl).pathname;
        const page = await open(L.locale, { viewport: { width: 390, height: 844 }, timezoneId: 'America/New_York' });
        await page.goto(`${guestPath}?lang=${L.lang}`);
        await page.locator('#count').waitFor();
        await expect(page.locator('.portal-bar .brand').textContent()).resolves.toBe('WebMeetings');
        await expect(page.locator('.meeting').textContent()).resolves.toContain(L.roomTime);
        await page.locator('#your-time').waitFor();
        await expect(page.locator('#your-time').textContent()).resolves.toMatch(L.yourTime);
        // The opening too, in their zone and named (it said 13:45, the room's, beside a meeting at 08:00).
        await expect(page.locator('#count').textContent()).resolves.toBe(L.countdownAbroad);
        // Nothing wider than the phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await expectAccessible(page, `guest page in New York (${L.lang})`);
        await shot(page, `guest-page-new-york-${L.lang}-390`);
        await page.setViewportSize({ width: 1366, height: 768 });
        await shot(page, `guest-page-new-york-${L.lang}-1366`);
      }, LONG);

      it('says which service rooms without their own use, and which setting chose it', async () => {
        const page = await open(L.locale);
        await signIn(page, portal.admin.email, portal.admin.password);
        await page.goto('/admin/rooms');
        await expect(page.locator('[data-slot="default-service"]').textContent()).resolves.toBe(L.defaultNote);
        await expect(page.locator('tbody tr').first().locator('td').nth(2).textContent()).resolves.toBe(L.defaultCell);
        await expectAccessible(page, `rooms page (${L.lang})`);
        await shot(page, `admin-rooms-${L.lang}-1366`);
        await page.locator('tbody tr').first().getByRole('button').click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        await expect(dialog.locator('select').nth(1).locator('option:checked').textContent()).resolves.toBe(L.defaultCell);
        await expectAccessible(page, `room dialog (${L.lang})`);
        await shot(page, `admin-room-dialog-${L.lang}-1366`);
      }, LONG);

      it('tells a person who keeps getting the password wrong to wait, in the page’s language', async () => {
        const person = await portal.member(`Paola Verdi ${L.lang}`);
        const page = await open(L.locale);
        await page.goto('/');
        const submit = page.getByRole('button', { name: L.signIn, exact: true });
        await page.getByLabel(/^(Email address|Indirizzo email)/).fill(person.email);
        for (let i = 0; i < 3; i++) {
          await page.getByLabel(/^Password/).fill(`wrong-guess-${i}`);
          await submit.click();
          await page.locator('.notice').waitFor();
        }
        await expect.poll(() => page.locator('.notice').textContent()).toMatch(L.lockout);
        await expectAccessible(page, `sign-in wait (${L.lang})`);
        await shot(page, `sign-in-wait-${L.lang}-1366`);
      }, LONG);

      it('finds a person for the audit log by name, shows actions and items in words, and the booker sees the history', async () => {
        const admin = await open(L.locale);
        await signIn(admin, portal.admin.email, portal.admin.password);
        await admin.goto('/admin/audit');
        const picker = admin.getByLabel(L.person, { exact: true });
        await picker.fill('Rossi');
        await admin.getByRole('button', { name: new RegExp(`^Maria Rossi ${maria.email}`) }).waitFor();
        await expectAccessible(admin, `audit person search (${L.lang})`);
        await shot(admin, `audit-person-search-${L.lang}-1366`);
        await admin.getByRole('button', { name: new RegExp(`^Maria Rossi ${maria.email}`) }).click();
        await admin.getByRole('button', { name: L.apply }).click();
        const row = admin.locator('tbody tr').filter({ hasText: 'Seminario di dottorato' }).first();
        await row.waitFor();
        await expect(row.locator('td').nth(2).textContent()).resolves.toBe(L.made);
        await expect(row.getByRole('link', { name: 'Seminario di dottorato' }).getAttribute('href')).resolves.toBe(`/bookings/${bookingId}`);
        // Every row is Maria's. Polled: the row above may be the unfiltered list's, read just before
        // the filtered answer replaced the table (the rows were read empty in between, once in CI).
        await expect.poll(async () => new Set(await admin.locator('tbody tr td:nth-child(2)').allTextContents())).toEqual(new Set(['Maria Rossi']));
        await expectAccessible(admin, `audit filtered by a person (${L.lang})`);
        await shot(admin, `audit-by-person-${L.lang}-1366`);

        const page = await open(L.locale);
        await signIn(page, maria.email, maria.password);
        await page.goto(`/bookings/${bookingId}`);
        await page.getByRole('heading', { level: 2, name: L.history }).waitFor();
        await page.locator('.history-list li').first().waitFor();
        await expectAccessible(page, `booking page with history (${L.lang})`);
        await shot(page, `booking-page-history-${L.lang}-1366`);
        // On a phone the header's two actions (join, add to calendar) wrap: they made the page 490 px wide in Italian.
        await page.setViewportSize({ width: 390, height: 844 });
        await expect.poll(() => page.locator('.page-actions a').count()).toBe(2);
        // (polled: the top bar measures itself and folds its links a frame after the resize)
        await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      }, LONG);

      it('takes a date typed day first in the booking form, whatever the browser', async () => {
        const page = await open(L.locale);
        await signIn(page, maria.email, maria.password);
        await page.goto('/bookings/new');
        const date = page.locator('#field-date');
        await date.waitFor();
        await expect(date.getAttribute('type')).resolves.toBe('text');
        await expect(date.getAttribute('placeholder')).resolves.toBe(L.datePlaceholder);
        await date.fill('9.12.26');
        await page.keyboard.press('Tab');
        await expect(date.inputValue()).resolves.toBe('09/12/2026');
        await expectAccessible(page, `booking form date (${L.lang})`);
        await shot(page, `booking-form-date-${L.lang}-1366`);
      }, LONG);
    });
  }

  it('saves the language chosen in the top bar on the account: another browser signs in to it', async () => {
    const paolo = await portal.member('Paolo Conti');
    const first = await open('en-GB');
    await signIn(first, paolo.email, paolo.password);
    await first.getByRole('link', { name: 'Calendar' }).first().waitFor();
    const saved = first.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH');
    await first.getByRole('combobox', { name: 'Language' }).selectOption('it');
    expect((await saved).status()).toBe(200);
    await first.getByRole('link', { name: 'Calendario' }).first().waitFor();
    expect((await portal.api(paolo, 'GET', '/api/v1/me')).body.locale).toBe('it');
    // A browser that asks for English, with nothing stored, shows the person's saved Italian.
    const second = await open('en-GB');
    await signIn(second, paolo.email, paolo.password);
    await second.getByRole('link', { name: 'Calendario' }).first().waitFor();
    await expect(second.locator('html').getAttribute('lang')).resolves.toBe('it');
    await expectAccessible(second, 'saved language after sign-in');
  }, LONG);
});
