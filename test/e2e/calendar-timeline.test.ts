// A room calendar that fits eight rooms (issue #12): the week as a resource timeline (rooms as
// rows, time across) with readable titles at 1366×768, the day with rooms as columns, a room
// filter, a click that books, "more options" into the full form, a date picker, keyboard
// shortcuts and their help, the list view with room and seats. English and Italian, axe on every
// state, at a fixed clock on the portal and in the browser.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClock } from '../support/portal.ts';
import { axe, describeInBrowser, expectAccessible, launchBrowser, newContext, signIn } from './support/browser.ts';
import { timelineAt } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

// Monday 16 March 2026, 08:30 in Rome.
const NOW = '2026-03-16T07:30:00Z';
const MONDAY = '2026-03-16';
const SHOTS = process.env.CALENDAR_SHOTS ?? join(process.cwd(), 'test-output', 'screenshots', 'calendar');
const LONG = 240_000;

const TEXT = {
  en: {
    locale: 'en-GB',
    week: 'Week',
    day: 'Day',
    list: 'List',
    goTo: 'Go to date',
    newBooking: 'New booking',
    title: 'Title',
    seats: 'Seats',
    book: 'Book',
    more: 'More options…',
    help: 'Keyboard shortcuts',
    rooms: 'All rooms',
    roomsShown: 'Rooms shown',
    repeat: 'Repeat this meeting',
    room: 'Room',
    date: 'Date',
    start: 'Start',
    end: 'End',
    weekTitle: /^16\s*–\s*20 March 2026$/,
    weekendWeekTitle: /^9\s*–\s*15 March 2026$/,
    today: 'Today',
    weekend: 'Weekend',
    jumpTitle: /^23\s*–\s*27 March 2026$/,
    dayTitle: /^Monday,? 16 March 2026$/,
    nextDayTitle: /^Tuesday,? 17 March 2026$/,
    hint: 'Click or drag on free space',
  },
  it: {
    locale: 'it-IT',
    week: 'Settimana',
    day: 'Giorno',
    list: 'Elenco',
    goTo: 'Vai alla data',
    newBooking: 'Nuova prenotazione',
    title: 'Titolo',
    seats: 'Posti',
    book: 'Prenota',
    more: 'Altre opzioni…',
    help: 'Scorciatoie da tastiera',
    rooms: 'Tutte le aule',
    roomsShown: 'Aule mostrate',
    repeat: 'Ripeti questa riunione',
    room: 'Aula',
    date: 'Data',
    start: 'Inizio',
    end: 'Fine',
    weekTitle: /^16\s*–\s*20 marzo 2026$/,
    weekendWeekTitle: /^9\s*–\s*15 marzo 2026$/,
    today: 'Oggi',
    weekend: 'Fine settimana',
    jumpTitle: /^23\s*–\s*27 marzo 2026$/,
    dayTitle: /^lunedì 16 marzo 2026$/,
    nextDayTitle: /^martedì 17 marzo 2026$/,
    hint: 'Fai clic o trascina su uno spazio libero',
  },
} as const;
type Lang = keyof typeof TEXT;

// The week's bookings, one or more in every room: [room, day, start, end, title].
const WEEK: Array<[number, number, string, string, string]> = [
  [0, 0, '09:00', '11:00', 'Consiglio di dipartimento'],
  [1, 0, '10:00', '12:00', 'Lezione di analisi'],
  [2, 0, '14:00', '15:30', 'Seminario di fisica'],
  [3, 0, '11:00', '12:00', 'Tutorato'],
  [4, 0, '09:30', '11:00', 'Riunione di progetto'],
  [5, 0, '12:00', '13:30', 'Esame di chimica'],
  [6, 0, '16:00', '17:30', 'Gruppo di lettura'],
  [7, 0, '13:00', '14:30', 'Laurea magistrale'],
  [2, 1, '10:00', '12:00', 'Collegio docenti'],
  [6, 0, '11:00', '12:00', 'Ricevimento'],
  [3, 2, '10:00', '10:30', 'Colloquio breve con uno studente di dottorato'],
];

describeInBrowser('room calendar for eight rooms', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let rooms: Array<{ id: string; name: string; capacity: number }>;
  const contexts: BrowserContext[] = [];

  async function open(lang: Lang, viewport = { width: 1366, height: 768 }, clock = NOW): Promise<Page> {
    // One browser at a time: each open calendar holds one of the person's live-update streams.
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
    const context = await newContext(browser, portal.baseUrl, { locale: TEXT[lang].locale, viewport, clock: new Date(clock), language: lang });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, maria.email, maria.password);
    await page.locator('.ec-body .ec-day').first().waitFor();
    await page.locator('.ec-event', { hasText: 'Consiglio di dipartimento' }).first().waitFor();
    return page;
  }

  async function shoot(page: Page, name: string) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  /** The findings issue #12 named, at every impact (expectAccessible checks serious and critical ones). */
  async function expectNoCalendarFindings(page: Page, what: string) {
    const rules = ['aria-allowed-attr', 'aria-required-children', 'aria-required-parent', 'heading-order', 'region'];
    const found = (await axe(page).withRules(rules).analyze()).violations;
    expect(found.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), `axe on ${what}`).toEqual([]);
  }

  const title = (page: Page) => page.locator('.cal-title').textContent().then((s) => (s ?? '').trim());

  beforeAll(async () => {
    portal = await startBrowserPortal({}, undefined, { clock: new TestClock(NOW) });
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    rooms = await portal.rooms();
    for (const [room, day, start, end, t] of WEEK) {
      const date = `2026-03-${16 + day}`;
      const res = await portal.api(maria, 'POST', '/api/v1/bookings', { title: t, roomId: rooms[room]!.id, start: `${date}T${start}`, end: `${date}T${end}`, seats: 20 });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await portal?.close();
  }, LONG);

  for (const lang of ['en', 'it'] as const) {
    const L = TEXT[lang];

    it(`shows the week as rooms by time, all eight rooms at 1366×768 with titles in full (${lang})`, async () => {
      const page = await open(lang);
      await expect(page.getByRole('button', { name: L.week, exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
      expect(await title(page)).toMatch(L.weekTitle);
      const heads = page.locator('.ec-timeline .ec-row-head');
      await expect(heads.count()).resolves.toBe(8);
      // Every room's row is on screen without scrolling the page.
      for (let i = 0; i < 8; i++) {
        const box = (await heads.nth(i).boundingBox())!;
        expect(box.y + box.height, `row of ${rooms[i]!.name}`).toBeLessThanOrEqual(768);
        await expect(heads.nth(i).textContent()).resolves.toContain(rooms[i]!.name);
      }
      // A half-hour booking with a long title (Wednesday) keeps its room's row as high as the others
      // (it wrapped letter by letter and made the row three times as tall); the title ends in "…",
      // and hovering shows it whole.
      const heights = await heads.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
      expect(Math.max(...heights) - Math.min(...heights), heights.join(', ')).toBeLessThanOrEqual(6);
      const short = page.locator('.ec-event .wm-ev-short', { hasText: 'Colloquio breve' });
      expect(await short.getAttribute('title')).toBe('10:00 Colloquio breve con uno studente di dottorato');
      // Monday's titles are on screen in full: nothing cut off or hidden by an ellipsis.
      for (const [, day, , , t] of WEEK.filter(([, day]) => day === 0)) {
        const el = page.locator('.ec-event .wm-ev-title', { hasText: new RegExp(`^${t}$`) }).first();
        const fits = await el.evaluate((e) => {
          const r = e.getBoundingClientRect();
          const ev = e.closest('.ec-event')!.getBoundingClientRect();
          // No word split across lines ("Tutor-ato"): each word's text sits in one box.
          const text = e.firstChild!;
          let whole = true;
          for (const m of (text.textContent ?? '').matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(text, m.index);
            range.setEnd(text, m.index + m[0].length);
            if (range.getClientRects().length !== 1) whole = false;
          }
          return whole && r.bottom <= ev.bottom + 1 && r.right <= ev.right + 1 && r.right <= window.innerWidth;
        });
        expect(fits, `"${t}" on day ${day} readable`).toBe(true);
        await expect(el.textContent()).resolves.toBe(t);
      }
      await expectAccessible(page, `week timeline (${lang})`);
      await expectNoCalendarFindings(page, `week timeline (${lang})`);
      await shoot(page, `week-timeline-${lang}`);

      // The room filter: two rooms fewer, remembered by this browser.
      await page.getByRole('button', { name: L.rooms }).click();
      const filter = page.getByRole('group', { name: L.roomsShown });
      await filter.getByLabel(rooms[6]!.name).uncheck();
      await filter.getByLabel(rooms[7]!.name).uncheck();
      await expectAccessible(page, `room filter (${lang})`);
      await shoot(page, `room-filter-${lang}`);
      await expect.poll(() => heads.count()).toBe(6);
      await page.reload();
      await page.locator('.ec-timeline .ec-row-head').first().waitFor();
      await expect.poll(() => heads.count()).toBe(6);
      await page.getByRole('button', { name: /6/ }).click();
      await filter.getByRole('button').click();
      await expect.poll(() => heads.count()).toBe(8);
    }, LONG);

    it(`opens on the coming week on a weekend the week hides, on this one with the weekend shown (${lang})`, async () => {
      // Sunday 15 March, 11:00 in Rome: the working week just past is all behind; the one to book in is next.
      const page = await open(lang, undefined, '2026-03-15T10:00:00Z');
      expect(await title(page)).toMatch(L.weekTitle);
      await page.getByRole('button', { name: L.today, exact: true }).click();
      await expect.poll(() => title(page)).toMatch(L.weekTitle);
      await page.getByLabel(L.weekend, { exact: true }).check();
      await page.getByRole('button', { name: L.today, exact: true }).click();
      await expect.poll(() => title(page)).toMatch(L.weekendWeekTitle);
      await page.getByLabel(L.weekend, { exact: true }).uncheck();
    }, LONG);

    it(`books with one click on a free slot of the timeline (${lang})`, async () => {
      const page = await open(lang);
      // The fourth room is free on Monday afternoon; each language books its own hour.
      const [from, to] = lang === 'en' ? ['15:00', '16:00'] : ['17:00', '18:00'];
      const point = await timelineAt(page, 3, 0, from.replace(':00', ':10'));
      await page.mouse.click(point.x, point.y);
      const dialog = page.getByRole('dialog', { name: L.newBooking });
      await dialog.waitFor();
      await dialog.getByText(rooms[3]!.name, { exact: false }).first().waitFor();
      await dialog.getByText(new RegExp(`${from}\\s*[–-]\\s*${to}`)).first().waitFor();
      await expectAccessible(page, `quick booking dialog (${lang})`);
      await shoot(page, `quick-dialog-${lang}`);
      const t = `Ricevimento ${lang}`;
      await dialog.getByLabel(L.title).fill(t);
      await dialog.getByRole('button', { name: L.book, exact: true }).click();
      await page.locator('.ec-event', { hasText: t }).waitFor();
      const mine = (await portal.api(maria, 'GET', `/api/v1/bookings?userId=${maria.id}&status=confirmed&limit=100`)).body.items as Array<{ title: string; roomId: string; startLocal: string; endLocal: string }>;
      const made = mine.find((b) => b.title === t)!;
      expect(made).toMatchObject({ roomId: rooms[3]!.id });
      expect(made.startLocal.slice(0, 16)).toBe(`${MONDAY}T${from}`);
      expect(made.endLocal.slice(0, 16)).toBe(`${MONDAY}T${to}`);
    }, LONG);

    it(`carries the slot and what was typed into the full form with "more options" (${lang})`, async () => {
      const page = await open(lang);
      const point = await timelineAt(page, 5, 0, '17:00');
      await page.mouse.click(point.x, point.y);
      const dialog = page.getByRole('dialog', { name: L.newBooking });
      await dialog.getByLabel(L.title).fill('Corso di dottorato');
      await dialog.getByLabel(L.seats).fill('12');
      await dialog.getByRole('button', { name: L.more }).click();
      await page.getByRole('heading', { level: 1, name: L.newBooking }).waitFor();
      await expect(page.getByLabel(L.title).inputValue()).resolves.toBe('Corso di dottorato');
      await expect(page.getByLabel(L.seats).inputValue()).resolves.toBe('12');
      const field = (label: string) => page.getByLabel(new RegExp(`^${label}\\b`)).first();
      await expect(field(L.room).inputValue()).resolves.toBe(rooms[5]!.id);
      // The form's date entry is day first (dd/mm/yyyy) in both languages.
      await expect(field(L.date).inputValue()).resolves.toBe('16/03/2026');
      await expect(field(L.start).inputValue()).resolves.toBe('17:00');
      await expect(field(L.end).inputValue()).resolves.toBe('18:00');
      // A weekly repeat starts with the slot's weekday (Monday) ticked.
      await page.getByRole('checkbox', { name: L.repeat }).check();
      await page.locator('.repeat-days').scrollIntoViewIfNeeded();
      const ticked = await page.locator('.repeat-days input[type="checkbox"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked));
      expect(ticked[0]).toBe(true);
      expect(ticked.slice(1).every((c) => !c)).toBe(true);
      await expectAccessible(page, `full form from "more options" (${lang})`);
      await shoot(page, `more-options-form-${lang}`);
    }, LONG);

    it(`jumps to a date, moves with the keyboard shortcuts and lists them in a help popover (${lang})`, async () => {
      const page = await open(lang);
      await page.getByLabel(L.goTo).fill('2026-03-25');
      await expect.poll(() => title(page)).toMatch(L.jumpTitle);
      await expectAccessible(page, `week after a jump (${lang})`);

      await page.locator('body').click({ position: { x: 5, y: 400 } });
      await page.keyboard.press('t');
      await expect.poll(() => title(page)).toMatch(L.weekTitle);
      await page.keyboard.press('d');
      await expect.poll(() => title(page)).toMatch(L.dayTitle);
      await expect(page.getByRole('button', { name: L.day, exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
      await page.keyboard.press('n');
      await expect.poll(() => title(page)).toMatch(L.nextDayTitle);
      await page.keyboard.press('p');
      await expect.poll(() => title(page)).toMatch(L.dayTitle);
      await page.locator('.ec-event', { hasText: 'Consiglio di dipartimento' }).first().waitFor();
      await expectAccessible(page, `day view, rooms as columns (${lang})`);
      await expectNoCalendarFindings(page, `day view (${lang})`);
      await shoot(page, `day-view-${lang}`);

      // Typing in a field is typing, not a shortcut.
      await page.getByLabel(L.goTo).focus();
      await page.keyboard.press('w');
      await page.keyboard.press('l');
      await expect(page.getByRole('button', { name: L.day, exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
      await page.locator('body').click({ position: { x: 5, y: 400 } });
      await page.keyboard.press('w');
      await expect(page.getByRole('button', { name: L.week, exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');

      await page.keyboard.press('?');
      const help = page.getByRole('group', { name: L.help });
      await help.waitFor();
      for (const key of ['T', 'P', 'N', 'D', 'W', 'L', 'G', '?']) await help.locator('kbd', { hasText: key }).first().waitFor();
      await expectAccessible(page, `shortcut help (${lang})`);
      await shoot(page, `shortcut-help-${lang}`);
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: L.help }).click();
      await help.waitFor();
      await page.getByRole('button', { name: L.help }).click();
      await help.waitFor({ state: 'hidden' });
    }, LONG);

    it(`lists the week with room and seats, without the drag hint (${lang})`, async () => {
      const page = await open(lang);
      await page.keyboard.press('l');
      await page.locator('.ec-list').waitFor();
      await expect(page.getByRole('button', { name: L.list, exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
      const row = page.locator('.ec-list .ec-event', { hasText: 'Seminario di fisica' });
      await expect(row.textContent()).resolves.toContain(rooms[2]!.name);
      await expect(row.locator('.wm-ev-meta').isVisible()).resolves.toBe(true);
      await expect(row.textContent()).resolves.toMatch(lang === 'en' ? /20 seats/ : /20 posti/);
      await expect(page.getByText(L.hint).count()).resolves.toBe(0);
      await expectAccessible(page, `list view (${lang})`);
      await expectNoCalendarFindings(page, `list view (${lang})`);
      await shoot(page, `list-view-${lang}`);
      // Leave the next page of this browser in the week view.
      await page.keyboard.press('w');
    }, LONG);
  }

  it('says why someone without an institution cannot book, inside the main landmark', async () => {
    const nadia = { email: 'nadia@example.org', password: 'Nadia-pass-12345' };
    const created = await portal.api(portal.admin, 'POST', '/api/v1/users', { name: 'Nadia Senza', role: 'member', ...nadia });
    expect(created.status).toBe(201);
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
    const context = await newContext(browser, portal.baseUrl, { viewport: { width: 1366, height: 768 }, clock: new Date(NOW), language: 'en' });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, nadia.email, nadia.password);
    await page.locator('main .banner').waitFor();
    await page.locator('.ec-body .ec-day').first().waitFor();
    await expectAccessible(page, 'calendar without an institution');
    await expectNoCalendarFindings(page, 'calendar without an institution');
  }, LONG);

  it('fits a phone: the day view at 390×844', async () => {
    const page = await open('en', { width: 390, height: 844 });
    await expect(page.getByRole('button', { name: 'Day', exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expectAccessible(page, 'calendar on a phone');
    await shoot(page, 'phone-day-en');
  }, LONG);
});
