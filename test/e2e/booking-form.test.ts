// The booking form for keyboard and screen-reader users, and "My bookings" with details,
// .ics download and cancel.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn, todayAt } from './support/browser.ts';
import { addDays, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

/** Presses Tab until the focused element has this accessible label; fails after `max` presses. */
async function tabTo(page: Page, label: RegExp, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const id = el.id;
      const byFor = id ? document.querySelector(`label[for="${CSS.escape(id)}"]`)?.textContent : null;
      return (byFor ?? el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    });
    if (label.test(name)) return;
  }
  throw new Error(`no focusable element labelled ${label} within ${max} Tab presses`);
}

describeInBrowser('booking form and my bookings', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  const day = addDays(nextMonday(), 2);

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    context = await newContext(browser, portal.baseUrl);
    // A fixed clock, in the evening: the form pre-fills 19:00, and "0930" typed over it must give
    // 09:30 (a browser's 12-hour time box kept PM and booked 21:30), whenever the test runs.
    await context.clock.setFixedTime(todayAt('18:40'));
    page = await context.newPage();
    await signIn(page, maria.email, maria.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  it('books with the keyboard only, and says what to fix in words first', async () => {
    // Reach the form from the navigation with the keyboard, on a freshly opened page.
    await page.goto('/bookings');
    await page.getByRole('heading', { level: 1, name: 'My bookings' }).waitFor();
    await tabTo(page, /^Skip to main content$/, 1);
    await tabTo(page, /^New booking$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
    await expectAccessible(page, 'booking form');

    // Submitting without a title: an error summary takes focus and names the field.
    await tabTo(page, /^Book the room$/);
    await page.keyboard.press('Enter');
    const summary = page.getByRole('alert').filter({ hasText: 'Please correct' });
    await summary.waitFor();
    await expect(page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).resolves.toBe(true);
    await expect(summary.textContent()).resolves.toContain('Title: Enter a title.');
    await expect(page.getByLabel('Title').getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page, 'booking form with errors');
    await screenshot(page, 'booking-form-errors');

    await tabTo(page, /^Room/);
    await page.keyboard.press('ArrowDown'); // the first room after "any room"
    await tabTo(page, /^Date/);
    const [y, m, d] = day.split('-');
    // Day first, whatever the browser's own locale (the native date boxes followed it: en-US asked month first).
    await page.keyboard.type(`${d}/${m}/${y}`);
    expect(await page.getByLabel('Date').inputValue()).toBe(`${d}/${m}/${y}`);
    await tabTo(page, /^Start/);
    expect(await page.getByLabel('Start').inputValue()).toBe('19:00');
    await page.keyboard.type('0930');
    await tabTo(page, /^End/);
    await page.keyboard.type('1100');
    await tabTo(page, /^Seats/);
    await page.keyboard.type('25');
    await tabTo(page, /^Title/);
    await page.keyboard.type('Tesi di laurea');
    await tabTo(page, /^Description/);
    await page.keyboard.type('Discussione delle tesi, sessione autunnale.');
    await tabTo(page, /^Book the room$/);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { level: 1, name: 'My bookings' }).waitFor();
    await page.getByText(/Booked “Tesi di laurea”/).waitFor();
    const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}`)).body.items as Array<{ title: string; startLocal: string; endLocal: string; seats: number; description: string }>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ title: 'Tesi di laurea', seats: 25, description: 'Discussione delle tesi, sessione autunnale.' });
    expect(items[0]!.startLocal.slice(0, 16)).toBe(`${day}T09:30`);
    expect(items[0]!.endLocal.slice(0, 16)).toBe(`${day}T11:00`);
  });

  it('shows the API’s answer by field when a room is too small', async () => {
    await page.goto('/bookings/new');
    await page.getByLabel('Room').selectOption({ index: 8 }); // a 50-seat room
    await page.getByLabel('Date').fill(day);
    await page.getByLabel('Start').fill('14:00');
    await page.getByLabel('End').fill('15:00');
    await page.getByLabel('Seats').fill('80');
    await page.getByLabel('Title').fill('Troppi partecipanti');
    await page.getByRole('button', { name: 'Book the room' }).click();
    await page.getByRole('alert').filter({ hasText: 'Seats' }).waitFor();
    await expect(page.getByLabel('Seats').getAttribute('aria-invalid')).resolves.toBe('true');
  });

  it('books “any room with N seats” and edits the booking later', async () => {
    await page.goto('/bookings/new');
    await page.getByLabel('Room').selectOption({ label: 'Any room with enough seats' });
    await page.getByLabel('Date').fill(day);
    await page.getByLabel('Start').fill('16:00');
    await page.getByLabel('End').fill('17:00');
    await page.getByLabel('Seats').fill('150');
    await page.getByLabel('Title').fill('Open day');
    await page.getByRole('button', { name: 'Book the room' }).click();
    await page.getByText(/Booked “Open day” in Aula/).waitFor();

    const card = page.getByRole('listitem').filter({ hasText: 'Open day' });
    await card.getByRole('link', { name: /^Edit/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit booking' }).waitFor();
    await expect(page.getByLabel('Start').inputValue()).resolves.toBe('16:00');
    await page.getByLabel('End').fill('18:30');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved “Open day”/).waitFor();
    const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}&status=confirmed`)).body.items as Array<{ id: string; title: string; roomName: string; endLocal: string }>;
    const openDay = items.find((b) => b.title === 'Open day')!;
    expect(openDay.roomName).toMatch(/^Aula/);
    expect(openDay.endLocal.slice(0, 16)).toBe(`${day}T18:30`);
    await card.getByRole('button', { name: /^Cancel booking/ }).click();
    await card.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('“Open day” is cancelled.').waitFor();
    // Its page says so, and promises no join or guest link any more.
    await page.goto(`/bookings/${openDay.id}`);
    await page.getByText('This booking is cancelled.').waitFor();
    for (const slot of ['join-link', 'guest-link']) {
      await expect(page.locator(`[data-slot="${slot}"] dd`).textContent()).resolves.toBe('None: the booking is cancelled.');
    }
  });

  it('lists upcoming bookings with details, join placeholders, .ics and cancel', async () => {
    await page.goto('/bookings');
    const card = page.getByRole('listitem').filter({ hasText: 'Tesi di laurea' });
    await card.getByRole('button', { name: /^Details/ }).click();
    await card.getByText('Join link').waitFor();
    // The booker's way in, the virtual room's state and a guest link to pass on.
    await expect(card.getByRole('link', { name: 'Join the meeting' }).getAttribute('href')).resolves.toMatch(/\/join\/[0-9a-f-]+$/);
    await card.locator('[data-slot="room-state"]').waitFor();
    await card.locator('[data-slot="guest-link"] code').waitFor();
    // This portal has no telephony: no dial-in row promising one.
    expect(await card.locator('[data-slot="dial-in"]').count()).toBe(0);
    await expectAccessible(page, 'my bookings with details open');
    await screenshot(page, 'my-bookings');

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /\.ics/ }).click()]);
    expect(download.suggestedFilename()).toBe('tesi-di-laurea.ics');
    const ics = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(ics as Buffer[]).toString('utf8');
    expect(text).toContain('BEGIN:VCALENDAR');
    expect(text).toContain('SUMMARY:Tesi di laurea');

    await card.getByRole('button', { name: /^Cancel booking/ }).click();
    await card.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('“Tesi di laurea” is cancelled.').waitFor();
    const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}&status=confirmed`)).body.items;
    expect(items).toHaveLength(0);
  });

  it('books the same meeting again from its page, a week later, also once it is cancelled', async () => {
    const rooms = await portal.rooms();
    const room = rooms[1]!;
    const made = await portal.api(maria, 'POST', '/api/v1/bookings', {
      roomId: room.id,
      start: `${day}T10:00:00`,
      end: `${day}T11:30:00`,
      seats: 12,
      title: 'Seminario di dottorato',
      description: 'Ciclo XXXIX',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    // Cancelled: no edit or cancel any more, but the same meeting can still be booked again.
    expect((await portal.api(maria, 'DELETE', `/api/v1/bookings/${made.body.id}`)).status).toBe(200);
    await page.goto(`/bookings/${made.body.id}`);
    await page.getByText('This booking is cancelled.').waitFor();
    const actions = page.getByRole('region', { name: 'Actions' });
    expect(await actions.getByRole('link', { name: /^Edit/ }).count()).toBe(0);
    await actions.getByRole('link', { name: 'Book again' }).click();
    await page.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
    const next = addDays(day, 7);
    const [y, m, d] = next.split('-');
    expect(await page.getByLabel('Date').inputValue()).toBe(`${d}/${m}/${y}`);
    expect(await page.getByLabel('Start').inputValue()).toBe('10:00');
    expect(await page.getByLabel('End').inputValue()).toBe('11:30');
    expect(await page.getByLabel('Room').inputValue()).toBe(room.id);
    expect(await page.getByLabel('Seats').inputValue()).toBe('12');
    expect(await page.getByLabel('Title').inputValue()).toBe('Seminario di dottorato');
    expect(await page.getByLabel('Description').inputValue()).toBe('Ciclo XXXIX');
    await expectAccessible(page, 'booking form, booking again');
    await page.getByRole('button', { name: 'Book the room' }).click();
    await page.getByText(/Booked “Seminario di dottorato”/).waitFor();
    const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}&status=confirmed`)).body.items as Array<{ title: string; roomId: string; startLocal: string; endLocal: string; seats: number }>;
    expect(items.filter((b) => b.title === 'Seminario di dottorato').map((b) => [b.roomId, b.startLocal.slice(0, 16), b.endLocal.slice(0, 16), b.seats])).toEqual([
      [room.id, `${next}T10:00`, `${next}T11:30`, 12],
    ]);
  });

  it('follows a booking’s own changes on its page, and reads it again for those only', async () => {
    const [room] = await portal.rooms();
    const at = (hour: number) => {
      const h = String(hour).padStart(2, '0');
      return { roomId: room!.id, start: `${addDays(day, 1)}T${h}:00:00`, end: `${addDays(day, 1)}T${h}:30:00`, seats: 3 };
    };
    const created = await portal.api(maria, 'POST', '/api/v1/bookings', { ...at(9), title: 'Ricevimento' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const path = `/api/v1/bookings/${created.body.id}`;
    await page.goto(`/bookings/${created.body.id}`);
    await page.getByRole('heading', { level: 1, name: 'Ricevimento' }).waitFor();
    await page.waitForLoadState('networkidle').catch(() => {});
    let reads = 0;
    const count = (request: { url(): string }) => {
      if (new URL(request.url()).pathname === path) reads++;
    };
    page.on('request', count);
    try {
      // Others' bookings come and go: not this page's concern.
      for (const hour of [10, 11, 12]) expect((await portal.api(maria, 'POST', '/api/v1/bookings', { ...at(hour), title: `Altro ${hour}` })).status).toBe(201);
      // Its own change shows without a reload, after the three (one stream, in order).
      expect((await portal.api(maria, 'PATCH', path, { title: 'Ricevimento studenti' })).status).toBe(200);
      await page.getByRole('heading', { level: 1, name: 'Ricevimento studenti' }).waitFor();
      expect(reads).toBe(1);
    } finally {
      page.off('request', count);
    }
  });

  it('keeps a long list as shown through live changes, and reads it once for a burst of them', async () => {
    const ugo = await portal.member('Ugo Molti');
    const other = await portal.member('Olga Altrove');
    const rooms = await portal.rooms();
    // 55 meetings, half an hour each, over the rooms and the coming days: more than a page of 50.
    const slots = Array.from({ length: 55 }, (_, i) => ({ room: rooms[i % rooms.length]!, day: addDays(day, 2 + Math.floor(i / rooms.length)) }));
    for (let i = 0; i < slots.length; i += 11) {
      await Promise.all(
        slots.slice(i, i + 11).map(async ({ room, day: d }, k) => {
          const r = await portal.api(ugo, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${d}T15:00:00`, end: `${d}T15:30:00`, seats: 2, title: `Colloquio ${i + k + 1}` });
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        }),
      );
    }
    const ugoContext = await newContext(browser, portal.baseUrl);
    const list = await ugoContext.newPage();
    try {
      await signIn(list, ugo.email, ugo.password);
      await list.goto('/bookings');
      const rows = list.getByRole('list', { name: 'Upcoming' }).locator(':scope > li');
      await expect.poll(() => rows.count()).toBe(50);
      await list.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => rows.count()).toBe(55);
      await list.waitForLoadState('networkidle').catch(() => {});
      const reads: string[] = [];
      const count = (request: { url(): string }) => {
        const url = new URL(request.url());
        if (url.pathname === '/api/v1/bookings') reads.push(url.searchParams.get('limit') ?? '');
      };
      list.on('request', count);
      try {
        // Someone else books a series of ten: one read of the list for the ten changes, of all it shows.
        const series = await portal.api(other, 'POST', '/api/v1/series', {
          roomId: rooms[0]!.id,
          start: `${addDays(day, 1)}T17:00:00`,
          end: `${addDays(day, 1)}T17:30:00`,
          seats: 2,
          title: 'Altrove',
          rrule: 'FREQ=DAILY;COUNT=10',
        });
        expect(series.status, JSON.stringify(series.body)).toBe(201);
        // Then one of Ugo's own: it shows once the changes before it have come (one stream, in order).
        expect((await portal.api(ugo, 'POST', '/api/v1/bookings', { roomId: rooms[1]!.id, start: `${addDays(day, 1)}T08:00:00`, end: `${addDays(day, 1)}T08:30:00`, seats: 2, title: 'Colloquio in più' })).status).toBe(201);
        await list.getByRole('link', { name: 'Colloquio in più', exact: true }).waitFor();
        // As many as were shown, the new one first; the last of the 56 is one "Show more" away.
        expect(await rows.count()).toBe(55);
        await list.getByRole('button', { name: 'Show more' }).waitFor();
        expect(reads.length).toBeLessThanOrEqual(3);
        expect(reads.every((limit) => Number(limit) >= 55)).toBe(true);
      } finally {
        list.off('request', count);
      }
    } finally {
      await ugoContext.close();
    }
  });

  it('lists past meetings the latest first, a page at a time, and finds one by its title', async () => {
    const pia = await portal.member('Pia Passato');
    const rooms = await portal.rooms();
    // 55 meetings, each later than the one before: room k at 07:00 + k half hours, day after day.
    const at = (i: number) => {
      const k = i % rooms.length;
      const minutes = 7 * 60 + 30 * k;
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const d = addDays(day, 2 + Math.floor(i / rooms.length));
      return { roomId: rooms[k]!.id, start: `${d}T${hhmm(minutes)}:00`, end: `${d}T${hhmm(minutes + 30)}:00` };
    };
    for (let i = 0; i < 55; i += 11) {
      await Promise.all(
        Array.from({ length: 11 }, async (_, k) => {
          const r = await portal.api(pia, 'POST', '/api/v1/bookings', { ...at(i + k), seats: 2, title: `Passato ${i + k + 1}` });
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        }),
      );
    }
    // A month on, all 55 are past.
    const later = await newContext(browser, portal.baseUrl, { clock: new Date(`${addDays(day, 40)}T10:00:00Z`) });
    try {
      const list = await later.newPage();
      await signIn(list, pia.email, pia.password);
      await list.goto('/bookings');
      await list.getByRole('button', { name: 'Past' }).click();
      const rows = list.getByRole('list', { name: 'Past' }).locator(':scope > li');
      await expect.poll(() => rows.count()).toBe(50);
      const titles = async () => (await rows.locator('.booking-title a').allTextContents()).map((x) => x.trim());
      // Was the 50 earliest (Passato 1 to 50), so the latest five were behind "Show more".
      expect(await titles()).toEqual(Array.from({ length: 50 }, (_, i) => `Passato ${55 - i}`));
      await list.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => rows.count()).toBe(55);
      expect((await titles()).slice(50)).toEqual(['Passato 5', 'Passato 4', 'Passato 3', 'Passato 2', 'Passato 1']);
      expect(await list.getByRole('button', { name: 'Show more' }).count()).toBe(0);
      // A past meeting's card offers it again: the form opens with its details.
      await rows.first().getByRole('link', { name: /^Book again/ }).click();
      await list.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
      expect(await list.getByLabel('Title').inputValue()).toBe('Passato 55');
      await list.goBack();
      await list.getByRole('button', { name: 'Past' }).click();
      await expect.poll(() => rows.count()).toBe(50);

      // Found by the words of its title, in any order, in this tab.
      await list.getByLabel('Search by title').fill('55 passato');
      await list.getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(titles).toEqual(['Passato 55']);
      await expectAccessible(list, 'my bookings, searched');
      await list.getByLabel('Search by title').fill('Colloquio');
      await list.keyboard.press('Enter');
      await list.getByText('No past booking has “Colloquio” in its title.').waitFor();
      await list.getByRole('button', { name: 'Upcoming' }).click();
      await list.getByText('No upcoming booking has “Colloquio” in its title.').waitFor();
    } finally {
      await later.close();
    }
  });
});
