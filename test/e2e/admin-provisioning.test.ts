// Admins' page of the virtual rooms: the bookings whose room could not be prepared (state,
// attempts, last error) with "retry now", and the recent calls to the services; in the navigation.
import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { addDays, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal } from './support/portal.ts';

describeInBrowser('admin: virtual rooms (provisioning jobs)', () => {
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

  it('lists a room that could not be prepared with its attempts and last error, and "retry now" takes it out of the failed state', async () => {
    const maria = await portal.member('Maria Rossi');
    const room = (await portal.rooms())[0]!;
    const day = addDays(nextMonday(), 3);
    const booked = await portal.api(maria, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${day}T09:00:00`, end: `${day}T10:00:00`, seats: 3, title: 'Esame orale' });
    expect(booked.status).toBe(201);
    const id = booked.body.id as string;
    const state = async () => (await portal.api(maria, 'GET', `/api/v1/bookings/${id}/room`)).body.state as string;
    // The pipeline takes the booking on (its row appears); the room itself is prepared later.
    const db = portal.portal.database.db;
    const rowState = async () => (await sql<{ state: string }>`SELECT state FROM provider_meetings WHERE booking_id = ${id}`.execute(db)).rows[0]?.state ?? null;
    await expect.poll(rowState, { timeout: 15_000 }).not.toBeNull();
    // ...and its sync job has finished, so it cannot write over the state set below.
    const syncing = async () =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'provisioning.sync' AND data->>'bookingId' = ${id} AND state IN ('created', 'retry', 'active')`.execute(db)).rows[0]!.n);
    await expect.poll(syncing, { timeout: 15_000 }).toBe(0);
    // The dead letter as the pipeline leaves it after its last attempt (the provisioning tests
    // drive a failing service to get there; here the page is what is under test).
    await sql`UPDATE provider_meetings SET state = 'failed', attempts = 8, last_error = 'HTTP 503 from the service', last_error_code = 'PROVIDER_UNAVAILABLE', due_at = NULL
              WHERE booking_id = ${id}`.execute(db);
    await sql`INSERT INTO provisioning_attempts (booking_id, provider, action, ok, error_code, error, duration_ms)
              SELECT ${id}::uuid, provider, 'create', false, 'PROVIDER_UNAVAILABLE', 'HTTP 503 from the service', 1200 FROM provider_meetings WHERE booking_id = ${id}`.execute(db);
    expect(await state()).toBe('failed');

    await page.goto('/calendar');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Provisioning' }).click();
    await page.getByRole('heading', { level: 1, name: 'Room provisioning' }).waitFor();
    const row = page.locator('[data-slot="dead-letter"] tbody tr').filter({ hasText: 'Esame orale' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('Not ready');
    expect(text).toContain('8');
    expect(text).toContain('HTTP 503 from the service');
    // The meeting by its title, room, booker and time (was the id's first eight characters alone).
    expect(text).toContain(`${room.name} · booked by Maria Rossi`);
    expect(text).toMatch(/09:00\s*–\s*10:00/);
    expect(await row.getByRole('link', { name: 'Esame orale' }).getAttribute('href')).toBe(`/bookings/${id}`);
    const call = page.locator('[data-slot="attempts"] tbody tr').filter({ hasText: 'Esame orale' });
    await call.waitFor();
    expect(await call.textContent()).toMatch(/Esame orale.*create.*Failed.*PROVIDER_UNAVAILABLE: HTTP 503 from the service.*1200 ms/);
    await expectAccessible(page, 'provisioning jobs page');
    await screenshot(page, 'admin-provisioning');

    await row.getByRole('button', { name: /^Retry now/ }).click();
    // Out of the failed state: prepared, or (days ahead, as here) scheduled to be shortly before it.
    await page.getByText(/Tried again: the room is now “(Ready|Being prepared|Scheduled)”/).waitFor();
    expect(['ready', 'pending', 'scheduled']).toContain(await state());
    await page.getByText('Every virtual room was prepared.').waitFor();

    // In Italian.
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('heading', { level: 1, name: 'Preparazione stanze' }).waitFor();
    await page.getByLabel('Solo le chiamate fallite').check();
    await expectAccessible(page, 'provisioning jobs page in Italian');
    await page.getByLabel('Lingua').selectOption('en');

    // The title leads to the booking's page, where its room's state and the booker are.
    await page.locator('[data-slot="attempts"]').getByRole('link', { name: 'Esame orale' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Esame orale' }).waitFor();
  });
});
