// Recurring bookings in the booking form: the "Repeat" section writes the rule, the dates are
// checked (free / taken, with the nearest free slot) before booking, and the answer says which
// dates were booked and which skipped.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { addDays, drag, nextMonday, showWeekOf, timelineAt } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

describeInBrowser('recurring bookings', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let maria: Person;
  let luca: Person;
  let room: { id: string; name: string };
  const monday = addDays(nextMonday(), 7);

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    luca = await portal.member('Luca Bianchi');
    room = (await portal.rooms())[0]!;
    // Luca already has the room on the second Wednesday.
    const taken = await portal.api(luca, 'POST', '/api/v1/bookings', {
      roomId: room.id,
      start: `${addDays(monday, 9)}T10:00:00`,
      end: `${addDays(monday, 9)}T11:00:00`,
      seats: 5,
      title: 'Seminario di Luca',
    });
    expect(taken.status).toBe(201);
    context = await newContext(browser, portal.baseUrl);
    page = await context.newPage();
    await signIn(page, maria.email, maria.password);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await portal?.close();
  });

  async function fillMeeting(title: string) {
    await page.goto('/bookings/new');
    await page.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
    await page.getByLabel('Room').selectOption(room.id);
    await page.getByLabel('Date').fill(monday);
    await page.getByLabel('Start').fill('10:00');
    await page.getByLabel('End').fill('11:00');
    await page.getByLabel('Seats').fill('5');
    await page.getByLabel('Title').fill(title);
  }

  it('previews a weekly rule with the taken date, and books nothing when all-or-nothing', async () => {
    await fillMeeting('Corso di analisi');
    await page.getByLabel('Repeat this meeting').check();
    await page.getByLabel('Repeats').selectOption('weekly');
    await page.getByRole('group', { name: 'On these days' }).getByLabel('Monday').check();
    await page.getByRole('group', { name: 'On these days' }).getByLabel('Wednesday').check();
    await page.getByLabel('Number of meetings', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Check the dates' }).click();

    const preview = page.locator('[data-slot="series-preview"]');
    await preview.getByText('1 of 4 dates is taken.').waitFor();
    expect(await preview.getByRole('listitem').count()).toBe(4);
    expect(await preview.getByRole('listitem').filter({ hasText: 'Taken' }).count()).toBe(1);
    await preview.getByText('The room is already booked then.').waitFor();
    await expect(preview.getByRole('listitem').filter({ hasText: 'Taken' }).textContent()).resolves.toMatch(/Nearest free:/);
    await expectAccessible(page, 'booking form with a repeat preview');
    await screenshot(page, 'series-preview');

    // All or nothing (the default): 409, nothing booked, and the page says so.
    await page.getByRole('button', { name: 'Book the series' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing was booked' }).waitFor();
    const none = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}`)).body.items;
    expect(none).toHaveLength(0);

    // Book the free ones: three booked, one skipped, shown in the answer.
    await page.getByLabel('Book the free dates and skip the others').check();
    await page.getByRole('button', { name: 'Book the series' }).click();
    const outcome = page.locator('[data-slot="series-outcome"]');
    await outcome.getByText('3 meetings booked.').waitFor();
    await outcome.getByText('1 date was skipped because it was not free.').waitFor();
    expect(await outcome.getByRole('listitem').filter({ hasText: 'Skipped' }).count()).toBe(1);
    await expectAccessible(page, 'series outcome');
    await screenshot(page, 'series-outcome');

    const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}`)).body.items as Array<{ startLocal: string; title: string }>;
    expect(items.map((b) => b.startLocal.slice(0, 16)).sort()).toEqual([`${monday}T10:00`, `${addDays(monday, 2)}T10:00`, `${addDays(monday, 7)}T10:00`]);
    const series = (await portal.api(maria, 'GET', '/api/v1/series')).body.items as Array<{ rrule: string }>;
    expect(series).toHaveLength(1);
    expect(series[0]!.rrule).toMatch(/FREQ=WEEKLY;.*BYDAY=MO,WE/);
  });

  it('leaves out the dates ticked in the check (a holiday; a taken date, so all or nothing books), in Italian', async () => {
    // Mondays at 14:00 five weeks on; Luca has the room on the second one.
    const first = addDays(monday, 35);
    const day = (n: number) => addDays(first, 7 * n);
    expect((await portal.api(luca, 'POST', '/api/v1/bookings', { roomId: room.id, start: `${day(1)}T14:00:00`, end: `${day(1)}T15:00:00`, seats: 5, title: 'Ricevimento' })).status).toBe(201);
    const italian = await newContext(browser, portal.baseUrl, { language: 'it', locale: 'it-IT' });
    const form = await italian.newPage();
    try {
      await signIn(form, maria.email, maria.password);
      await form.goto('/bookings/new');
      await form.getByRole('heading', { level: 1, name: 'Nuova prenotazione' }).waitFor();
      await form.getByLabel('Aula', { exact: true }).selectOption(room.id);
      await form.getByLabel('Data').fill(first.split('-').reverse().join('/'));
      await form.getByLabel('Inizio').fill('14:00');
      await form.getByLabel('Fine').fill('15:00');
      await form.getByLabel('Posti').fill('5');
      await form.getByLabel('Titolo').fill('Laboratorio del lunedì');
      await form.getByLabel('Ripeti questa riunione').check();
      await form.getByLabel('Si ripete').selectOption('weekly');
      await form.getByLabel('Numero di riunioni', { exact: true }).fill('4');
      await form.getByRole('button', { name: 'Controlla le date' }).click();
      const preview = form.locator('[data-slot="series-preview"]');
      await preview.getByText('1 data su 4 è occupata.').waitFor();
      const dates = preview.getByRole('listitem');
      // The first date is the series' start: it has no box.
      expect(await dates.nth(0).getByRole('checkbox').count()).toBe(0);
      // The taken date (its box named with its date for a screen reader) and the fourth, a holiday.
      await dates.nth(1).getByRole('checkbox', { name: /^Escludi / }).check();
      await preview.getByText('Tutte le 3 date sono libere. 1 data esclusa.').waitFor();
      await dates.nth(3).getByRole('checkbox', { name: /^Escludi / }).check();
      await preview.getByText('2 date escluse.', { exact: false }).waitFor();
      await preview.getByText('Tutte le 2 date sono libere. 2 date escluse.').waitFor();
      expect(await dates.filter({ hasText: 'Esclusa' }).count()).toBe(2);
      // Put back, it is checked again: free, as nothing holds it.
      await dates.nth(3).getByRole('checkbox').uncheck();
      await preview.getByText('Tutte le 3 date sono libere. 1 data esclusa.').waitFor();
      await expectAccessible(form, 'a series check with a date left out');
      await screenshot(form, 'series-leave-out');
      // All or nothing (the default) books: the taken date is not asked for.
      await form.getByRole('button', { name: 'Prenota la serie' }).click();
      const outcome = form.locator('[data-slot="series-outcome"]');
      await outcome.getByText('3 riunioni prenotate.').waitFor();
      await outcome.getByText('1 data esclusa.').waitFor();
      const items = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}&q=Laboratorio`)).body.items as Array<{ startLocal: string; seriesId: string }>;
      expect(items.map((b) => b.startLocal.slice(0, 16))).toEqual([`${day(0)}T14:00`, `${day(2)}T14:00`, `${day(3)}T14:00`]);
      const series = (await portal.api(maria, 'GET', `/api/v1/series/${items[0]!.seriesId}`)).body.series as { exdates: string[] };
      expect(series.exdates).toHaveLength(1);
      expect(new Date(series.exdates[0]!).toLocaleString('sv-SE', { timeZone: 'Europe/Rome' }).slice(0, 16)).toBe(`${day(1)} 14:00`);
    } finally {
      await italian.close();
    }
  });

  it('leaves the room to the portal: the check says which room, the smallest free at every date, and the series goes there', async () => {
    const rooms200 = (await portal.rooms()).filter((r) => r.capacity === 200);
    expect(rooms200.length).toBe(2);
    // Luca has one of the two large rooms on the second date: the series of 150 gets the other one.
    // Thursdays at 18:00, clear of the other tests' meetings in these rooms.
    const second = addDays(monday, 17);
    expect((await portal.api(luca, 'POST', '/api/v1/bookings', { roomId: rooms200[0]!.id, start: `${second}T18:00:00`, end: `${second}T19:00:00`, seats: 5, title: 'Esame' })).status).toBe(201);
    const sara = await portal.member('Sara Neri');
    const saraContext = await newContext(browser, portal.baseUrl);
    const form = await saraContext.newPage();
    try {
      await signIn(form, sara.email, sara.password);
      await form.goto('/bookings/new');
      await form.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
      await form.getByLabel('Date').fill(addDays(monday, 10));
      await form.getByLabel('Start').fill('18:00');
      await form.getByLabel('End').fill('19:00');
      await form.getByLabel('Seats').fill('150');
      await form.getByLabel('Title').fill('Lezione aperta');
      await form.getByLabel('Repeat this meeting').check();
      await form.getByLabel('Repeats').selectOption('weekly');
      await form.getByLabel('Number of meetings', { exact: true }).fill('3');
      await form.getByRole('button', { name: 'Check the dates' }).click();
      const preview = form.locator('[data-slot="series-preview"]');
      await preview.getByText('All 3 dates are free.').waitFor();
      await preview.getByText(`In ${rooms200[1]!.name}: the smallest room with enough seats that is free at every date.`).waitFor();
      await expectAccessible(form, 'a series in any room: the dates checked');
      await form.getByRole('button', { name: 'Book the series' }).click();
      const outcome = form.locator('[data-slot="series-outcome"]');
      await outcome.getByText(`3 meetings booked. Room: ${rooms200[1]!.name}.`).waitFor();
      const items = (await portal.api(sara, 'GET', `/api/v1/bookings?userId=${sara.id}`)).body.items as Array<{ roomId: string }>;
      expect(items.map((b) => b.roomId)).toEqual([rooms200[1]!.id, rooms200[1]!.id, rooms200[1]!.id]);
    } finally {
      await saraContext.close();
    }
  });

  it('books "every month on the second Tuesday" and a custom rule, in Italian too', async () => {
    await fillMeeting('Consiglio di dipartimento');
    await page.getByLabel('Start').fill('15:00');
    await page.getByLabel('End').fill('16:00');
    const secondTuesday = (() => {
      // The first date of the series must be a second Tuesday for the preset's label to say so.
      const d = new Date(`${monday}T12:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      while (d.getUTCDay() !== 2) d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCDate(d.getUTCDate() + 7);
      return d.toISOString().slice(0, 10);
    })();
    await page.getByLabel('Date').fill(secondTuesday);
    await page.getByLabel('Repeat this meeting').check();
    await page.getByLabel('Repeats').selectOption({ label: 'Every month on the second Tuesday' });
    await page.getByLabel('Number of meetings', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Check the dates' }).click();
    await page.locator('[data-slot="series-preview"]').getByText('All 3 dates are free.').waitFor();
    const dates = await page.locator('[data-slot="series-preview"] li').allTextContents();
    expect(dates.every((d) => /^Tue/.test(d))).toBe(true);

    // A custom rule without an end is refused in words next to the field.
    await page.getByLabel('Repeats').selectOption('custom');
    await page.getByLabel('Repeat rule (RRULE)').fill('FREQ=DAILY');
    await page.getByRole('button', { name: 'Check the dates' }).click();
    await page.getByText('Add COUNT (a number of meetings) or UNTIL (a last date) to the rule.').waitFor();
    await expect(page.getByLabel('Repeat rule (RRULE)').getAttribute('aria-invalid')).resolves.toBe('true');

    // In Italian the section speaks Italian.
    await page.getByLabel('Language').selectOption('it');
    await page.getByText('Ripeti questa riunione').waitFor();
    await page.getByText('Aggiungi alla regola COUNT (numero di riunioni) o UNTIL (ultima data).').waitFor();
    await page.getByLabel('Si ripete').selectOption('monthlyNth');
    await expect(page.getByLabel('Si ripete').locator('option:checked').textContent()).resolves.toBe('Ogni mese il secondo martedì');
    await expectAccessible(page, 'repeat section in Italian');
    await screenshot(page, 'series-form-it');
    await page.getByLabel('Lingua').selectOption('en');
  });

  it('edits and cancels one meeting, this and the following ones, or the whole series from My bookings', async () => {
    const anna = await portal.member('Anna Verdi');
    const first = addDays(monday, 1); // a Tuesday
    const created = await portal.api(anna, 'POST', '/api/v1/series', {
      roomId: room.id,
      start: `${first}T14:00:00`,
      end: `${first}T15:00:00`,
      seats: 4,
      title: 'Laboratorio',
      rrule: 'FREQ=WEEKLY;COUNT=4',
    });
    expect(created.status).toBe(201);
    const annaContext = await newContext(browser, portal.baseUrl);
    const annaPage = await annaContext.newPage();
    try {
      await signIn(annaPage, anna.email, anna.password);
      await annaPage.goto('/bookings');
      // One row for the series, which opens to show its meetings.
      const row = annaPage.getByRole('list', { name: 'Upcoming' }).locator(':scope > li').filter({ hasText: 'Laboratorio' });
      const cards = row.getByRole('list', { name: 'Laboratorio' }).getByRole('listitem');
      const openRow = async () => {
        await row.getByText('Recurring').waitFor();
        await row.getByRole('button', { name: /^Show the meetings/ }).click();
        await cards.first().waitFor();
      };
      await openRow();
      expect(await row.count()).toBe(1);
      expect(await cards.count()).toBe(4);

      // Edit the second meeting, for the whole series: every meeting moves to 16:00–17:30.
      await cards.nth(1).getByRole('link', { name: /^Edit/ }).click();
      await annaPage.getByRole('heading', { level: 1, name: 'Edit booking' }).waitFor();
      await annaPage.getByRole('group', { name: 'Change' }).waitFor();
      await expectAccessible(annaPage, 'editing an occurrence of a series');
      await screenshot(annaPage, 'series-edit-scope');
      await annaPage.getByLabel('All the meetings of the series').check();
      await annaPage.getByLabel('Start').fill('16:00');
      await annaPage.getByLabel('End').fill('17:30');
      await annaPage.getByRole('button', { name: 'Save changes' }).click();
      await annaPage.getByRole('heading', { level: 1, name: 'My bookings' }).waitFor();
      const moved = async () =>
        ((await portal.api(anna, 'GET', `/api/v1/bookings?userId=${anna.id}&status=confirmed`)).body.items as Array<{ startLocal: string; endLocal: string }>)
          .map((b) => `${b.startLocal.slice(0, 16)}–${b.endLocal.slice(11, 16)}`)
          .sort();
      await expect.poll(moved).toEqual([0, 7, 14, 21].map((d) => `${addDays(first, d)}T16:00–17:30`));

      // Cancel only the first meeting.
      await annaPage.reload();
      await openRow();
      await cards.first().getByRole('button', { name: /^Cancel booking/ }).click();
      const question = annaPage.getByRole('group', { name: /repeats\. Cancel which meetings\?/ });
      await question.waitFor();
      await expectAccessible(annaPage, 'cancel an occurrence: which meetings');
      await screenshot(annaPage, 'series-cancel-scope');
      await question.getByRole('button', { name: 'This meeting' }).click();
      // The message says that one meeting went, and which.
      await annaPage.getByText(/^One meeting of “Laboratorio” is cancelled \(.+\); the others stay booked\.$/).waitFor();
      await expect.poll(moved).toEqual([7, 14, 21].map((d) => `${addDays(first, d)}T16:00–17:30`));

      // Then the third one and those after it.
      await annaPage.reload();
      await openRow();
      await cards.nth(1).getByRole('button', { name: /^Cancel booking/ }).click();
      await annaPage.getByRole('button', { name: 'This and the following' }).click();
      await annaPage.getByText('This and the following meetings of “Laboratorio” are cancelled.').waitFor();
      await expect.poll(moved).toEqual([`${addDays(first, 7)}T16:00–17:30`]);
    } finally {
      await annaContext.close();
    }
  });

  it('asks "only this meeting or the whole series" when an occurrence is dragged in the calendar', async () => {
    const paolo = await portal.member('Paolo Gialli');
    const tuesday = addDays(nextMonday(), 1);
    const times = async () =>
      ((await portal.api(paolo, 'GET', `/api/v1/bookings?userId=${paolo.id}&status=confirmed`)).body.items as Array<{ startLocal: string; endLocal: string }>)
        .map((b) => `${b.startLocal.slice(0, 16)}–${b.endLocal.slice(11, 16)}`)
        .sort();
    const paoloContext = await newContext(browser, portal.baseUrl);
    const calendar = await paoloContext.newPage();
    try {
      await signIn(calendar, paolo.email, paolo.password);
      // To its week by date: on a weekend the calendar already opens on the coming week.
      await calendar.locator('.ec-body .ec-day').first().waitFor();
      await showWeekOf(calendar, 'Go to date', tuesday);
      await calendar.waitForLoadState('networkidle').catch(() => {});
      // The series is booked elsewhere (another tab, the API) while this calendar is open: its
      // blocks arrive with the live update, and the calendar knows them for occurrences as well.
      const created = await portal.api(paolo, 'POST', '/api/v1/series', {
        roomId: room.id,
        start: `${tuesday}T13:00:00`,
        end: `${tuesday}T14:00:00`,
        seats: 4,
        title: 'Tutorato',
        rrule: 'FREQ=DAILY;COUNT=3',
      });
      expect(created.status).toBe(201);
      await expect.poll(() => calendar.locator('.ec-event', { hasText: 'Tutorato' }).count()).toBe(3);
      // In the week timeline (time across): drag the block sideways to 15:00 of its day.
      const dragLater = async (dayIndex: number) => {
        const event = calendar.locator('.ec-event', { hasText: 'Tutorato' }).nth(dayIndex);
        // The grid redraws after each answer: wait until the block is laid out again.
        await calendar.waitForLoadState('networkidle').catch(() => {});
        const target = await timelineAt(calendar, 0, 1 + dayIndex, '15:00', 8);
        let box = null;
        for (let i = 0; i < 50 && !box; i++) {
          await event.waitFor();
          box = await event.boundingBox();
          if (!box) await calendar.waitForTimeout(100);
        }
        if (!box) throw new Error('the Tutorato block is not on the grid');
        const from = { x: box.x + 8, y: box.y + box.height / 2 };
        await drag(calendar, from, { x: target.x, y: from.y });
      };

      // Escape puts the block back and changes nothing.
      await dragLater(0);
      const dialog = calendar.getByRole('dialog', { name: 'Move a repeating meeting' });
      await dialog.waitFor();
      await dialog.getByText('“Tutorato” repeats. Move only this meeting, or the whole series?').waitFor();
      await expectAccessible(calendar, 'move an occurrence: this one or the series');
      await screenshot(calendar, 'series-calendar-move');
      await calendar.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await times()).toEqual([0, 1, 2].map((d) => `${addDays(tuesday, d)}T13:00–14:00`));

      // Only this meeting.
      await dragLater(0);
      await dialog.getByRole('button', { name: 'Only this meeting' }).click();
      await calendar.getByText(/Moved this meeting of “Tutorato”/).waitFor();
      expect(await times()).toEqual([`${tuesday}T15:00–16:00`, `${addDays(tuesday, 1)}T13:00–14:00`, `${addDays(tuesday, 2)}T13:00–14:00`]);
      // The grid shows the new time before the next drag.
      const at15 = () => calendar.locator('.ec-event', { hasText: 'Tutorato' }).filter({ hasText: '15:00' }).count();
      await expect.poll(at15).toBe(1);

      // The whole series, from the second meeting, with a word for those invited.
      await dragLater(1);
      await dialog.getByLabel('Message with the change').fill('The lab is free only from three.');
      await dialog.getByRole('button', { name: 'The whole series' }).click();
      await calendar.getByText(/Moved every meeting of “Tutorato”/).waitFor();
      const second = (created.body.booked as Array<{ id: string }>)[1]!.id;
      const history = (await portal.api(paolo, 'GET', `/api/v1/bookings/${second}/history`)).body.items as Array<{ message: string | null }>;
      expect(history[0]!.message).toBe('The lab is free only from three.');
      const after = await times();
      expect(after.slice(1)).toEqual([`${addDays(tuesday, 1)}T15:00–16:00`, `${addDays(tuesday, 2)}T15:00–16:00`]);
      await expect.poll(at15).toBe(3);

      // The event's dialog cancels with the same choice: this and the following meetings.
      await calendar.locator('.ec-event', { hasText: 'Tutorato' }).nth(1).click();
      const details = calendar.getByRole('dialog', { name: 'Tutorato' });
      await details.getByRole('button', { name: 'Cancel booking' }).click();
      await details.getByText('“Tutorato” repeats. Cancel which meetings?').waitFor();
      await expectAccessible(calendar, 'calendar event of a series: cancel which meetings');
      await details.getByRole('button', { name: 'This and the following' }).click();
      await expect.poll(times).toEqual([after[0]]);
    } finally {
      await paoloContext.close();
    }
  });
});
