// After the meeting in the browser (issue #15): the booking page lists the meeting's recordings
// (from the BigBlueButton double) with date and length, and the booker publishes one; the printable
// attendance report shows who was there (signed in by name, a caller masked) with print and CSV.
// English and Italian, axe on each page, at a fixed clock on the portal and in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { TestClock } from '../support/portal.ts';
import { maskCaller } from '../../src/domain/dial-in.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const LONG = 240_000;
const AFTER = '2026-03-20T10:30:00Z';

describeInBrowser('attendance report and recordings in the browser', () => {
  let portal: BrowserPortal;
  let bbb: BigBlueButtonDouble;
  let browser: Browser;
  let maria: Person;
  let id: string;
  let draft: string;
  const clock = new TestClock('2026-03-20T08:00:00Z');
  const contexts: BrowserContext[] = [];

  async function open(locale: 'en-GB' | 'it-IT'): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale });
    await context.clock.setFixedTime(new Date(AFTER));
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, maria.email, maria.password);
    return page;
  }

  beforeAll(async () => {
    bbb = new BigBlueButtonDouble();
    await bbb.http.start();
    portal = await startBrowserPortal({ BBB_URL: bbb.apiUrl, BBB_SECRET: bbb.secret, BBB_CHECKSUM: 'sha1', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', HOUSEKEEPING_TICK_SECONDS: '0' }, undefined, { clock });
    maria = await portal.member('Maria Rossi');
    const room = (await portal.rooms())[0]!;
    const booked = await portal.api<{ id: string }>(maria, 'POST', '/api/v1/bookings', { title: 'Corso antincendio', roomId: room.id, start: '2026-03-20T10:00', end: '2026-03-20T11:00', seats: 10 });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    id = booked.body.id;
    // Maria enters at 09:00:20Z and stays two minutes; a caller is on the phone from 09:00:40Z.
    clock.set('2026-03-20T09:00:20Z');
    // The booking's own sync job (queued when it was made) may hold the room's lease just now: the
    // join then answers 503 "preparing", as it would to a person, who tries again.
    const go = await vi.waitFor(
      async () => {
        const r = await fetch(`${portal.baseUrl}/join/${id}`, { redirect: 'manual', headers: { authorization: `Bearer ${maria.token}` } });
        if (r.status !== 302) throw new Error(`the join answered ${r.status}`);
        return r;
      },
      { timeout: 15_000, interval: 250 },
    );
    await bbb.follow(go.headers.get('location')!);
    await sql`INSERT INTO phone_participants (channel_id, booking_id, role, caller, joined_at)
      VALUES ('1700000000.9', ${id}::uuid, 'participant', ${maskCaller('+39 06 1234 5634')}, '2026-03-20T09:00:40Z')`.execute(portal.portal.database.db);
    for (const at of ['2026-03-20T09:01:00Z', '2026-03-20T09:02:00Z']) {
      clock.set(at);
      await portal.portal.sampler.sampleNow();
    }
    clock.set(AFTER);
    bbb.addRecording(id, { start: new Date('2026-03-20T09:01:00Z'), minutes: 47, published: true });
    draft = bbb.addRecording(id, { start: new Date('2026-03-20T09:50:00Z'), minutes: 8 });
    browser = await launchBrowser();
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
    await bbb?.http.stop().catch(() => {});
  }, LONG);

  it('lists the recordings after the meeting, lets the booker publish one, and opens the printable attendance report (English)', async () => {
    const page = await open('en-GB');
    await page.goto(`/bookings/${id}`);
    const recordings = page.getByRole('region', { name: 'Recordings' });
    await recordings.getByRole('listitem').nth(1).waitFor();
    const items = recordings.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toMatch(/47 minutes\s*Published/);
    expect(await items.nth(1).textContent()).toMatch(/8 minutes\s*Not published/);
    // Over: the room reads Ended (no opening time), the invitees' list stays without its form.
    await expect(page.locator('[data-slot="room-state"] dd').textContent()).resolves.toMatch(/^Ended\s*$/);
    await page.getByText('The meeting has ended: the list stays as it was.').waitFor();
    await expect(page.getByRole('button', { name: 'Invite', exact: true }).count()).resolves.toBe(0);
    // Its links lead nowhere now: closed, not offered to follow or copy.
    for (const slot of ['join-link', 'guest-link']) {
      await expect(page.locator(`[data-slot="${slot}"] dd`).textContent()).resolves.toBe('Closed: the meeting has ended.');
    }
    await expect(page.getByRole('link', { name: 'Join the meeting' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Copy' }).count()).resolves.toBe(0);
    await expectAccessible(page, 'the booking page with its recordings (en)');
    await items.nth(1).getByRole('button', { name: 'Publish' }).click();
    await items.nth(1).getByRole('button', { name: 'Unpublish' }).waitFor();
    expect(bbb.recordings.get(draft)!.published).toBe(true);
    await screenshot(page, 'en/booking-recordings');

    await page.getByRole('link', { name: 'Open the attendance report (printable, CSV)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Attendance: Corso antincendio' }).waitFor();
    const rows = page.getByRole('table').getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    expect((await rows.nth(1).innerText()).split('\t').map((c) => c.trim())).toEqual(['Maria Rossi', 'Signed in', '10:00', '10:02', '2 min']);
    expect((await rows.nth(2).innerText()).split('\t').map((c) => c.trim())).toEqual(['•••• 5634', 'Phone', '10:00', '10:02', '1 min']);
    await page.getByRole('button', { name: 'Print' }).waitFor();
    expect(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(`/api/v1/bookings/${id}/attendance?format=csv`);
    await expectAccessible(page, 'the attendance report (en)');
    await screenshot(page, 'en/attendance');
  }, LONG);

  it('shows the same in Italian', async () => {
    const page = await open('it-IT');
    await page.goto(`/bookings/${id}/attendance`);
    await page.getByRole('heading', { level: 1, name: 'Presenze: Corso antincendio' }).waitFor();
    await page.getByRole('cell', { name: 'Telefono' }).waitFor();
    await page.getByRole('button', { name: 'Stampa' }).waitFor();
    await expectAccessible(page, 'the attendance report (it)');
    await page.getByRole('link', { name: /Torna alla prenotazione/ }).click();
    const recordings = page.getByRole('region', { name: 'Registrazioni' });
    await recordings.getByRole('listitem').nth(1).waitFor();
    expect(await recordings.getByRole('listitem').nth(0).textContent()).toMatch(/47 minuti\s*Pubblicata/);
    await recordings.getByRole('button', { name: 'Ritira' }).first().waitFor();
    await expect(page.locator('[data-slot="guest-link"] dd').textContent()).resolves.toBe('Chiuso: la riunione è terminata.');
    await expectAccessible(page, 'the booking page with its recordings (it)');
    await screenshot(page, 'it/booking-recordings');
  }, LONG);
});
