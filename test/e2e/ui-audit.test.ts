// What a UI audit found, as people meet it: the API's own words for a refusal, a time of day that
// is none, a booking block opened with Enter, a one-hour block's title, a damaged booking address,
// the Users table at 1280 px, and the order of headings that axe-core's best practices check.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axe, describeInBrowser, expectAccessible, launchBrowser, newContext, signIn, todayAt } from './support/browser.ts';
import { addDays, goToDate, nextMonday } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

describeInBrowser('what the UI audit found', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  let rooms: Array<{ id: string; name: string; capacity: number }>;
  const tuesday = addDays(nextMonday(), 1);
  const contexts: BrowserContext[] = [];

  async function open(person: Person, options: { language?: 'en' | 'it'; viewport?: { width: number; height: number } } = {}): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, options);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, person.email, person.password);
    return page;
  }

  /** Maria's calendar in the day view on the Tuesday of her meeting, and the meeting's block. */
  async function dayWithMeeting(): Promise<{ page: Page; block: Locator }> {
    const page = await open(maria);
    await page.evaluate(() => window.localStorage.setItem('wm.calendar.view', 'resourceTimeGridDay'));
    await page.goto('/');
    await goToDate(page, /^Go to date$/, tuesday);
    return { page, block: page.locator('.ec-event', { hasText: 'Consiglio di dipartimento' }) };
  }

  /** Adds a member of the first institution and opens Admin → Users in Italian at `width` pixels. */
  async function usersList(name: string, email: string, width: number): Promise<Page> {
    const institution = (await portal.api(portal.admin, 'GET', '/api/v1/institutions')).body.items[0];
    const created = await portal.api(portal.admin, 'POST', '/api/v1/users', { name, email, role: 'member', institutionId: institution.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const page = await open(portal.admin, { language: 'it', viewport: { width, height: 844 } });
    await page.goto('/admin/users');
    return page;
  }

  /** axe-core's best-practice rules by name (expectAccessible runs the WCAG ones). */
  async function violations(page: Page, rules: string[]): Promise<string[]> {
    const results = await axe(page).withRules(rules).analyze();
    return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    rooms = await portal.rooms();
    const booked = await portal.api(maria, 'POST', '/api/v1/bookings', {
      roomId: rooms[0]!.id,
      start: `${tuesday}T10:00:00`,
      end: `${tuesday}T11:00:00`,
      seats: 20,
      title: 'Consiglio di dipartimento',
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await portal?.close();
  });

  it("says the API's own Italian sentence for a refusal the page has no words of its own for", async () => {
    const page = await open(portal.admin, { language: 'it' });
    await page.goto('/admin/rooms');
    await page.getByRole('heading', { level: 1, name: 'Aule' }).waitFor();
    await page.getByRole('button', { name: 'Aggiungi aula' }).click();
    const dialog = page.getByRole('dialog', { name: 'Aggiungi aula' });
    await dialog.getByLabel('Nome').fill(rooms[0]!.name);
    await dialog.getByLabel('Capienza').fill('10');
    await dialog.getByRole('button', { name: 'Salva' }).click();
    // NAME_TAKEN: was "Qualcosa non ha funzionato. Riprova tra un momento."
    await dialog.getByText('Esiste già un’aula con questo nome.').waitFor();
  });

  it('says a time of day that is none is to be between 00:00 and 23:59, in English and Italian', async () => {
    for (const [language, start, message] of [
      ['en', 'Start', 'Enter a time between 00:00 and 23:59.'],
      ['it', 'Inizio', 'Inserisci un orario tra 00:00 e 23:59.'],
    ] as const) {
      const page = await open(maria, { language });
      await page.context().clock.setFixedTime(todayAt('08:00'));
      await page.goto('/bookings/new');
      await page.locator('#field-startTime').waitFor();
      await page.getByLabel(start).fill('25:00');
      await page.locator('form button[type="submit"]').click();
      // Was: nothing at all (a RangeError in the console).
      await page.locator('#field-startTime-error', { hasText: message }).waitFor();
      expect(await page.getByLabel(start).getAttribute('aria-invalid')).toBe('true');
    }
  });

  it('opens a booking from the calendar with Enter and keeps it open', async () => {
    const { page, block } = await dayWithMeeting();
    await block.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Consiglio di dipartimento' });
    await dialog.waitFor();
    // The Enter that opened it must not click the × its focus lands on (it closed at once).
    await page.waitForTimeout(300);
    expect(await dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // A key pressed in the dialog still works: opened again, the next Enter (focus is on ×) closes it.
    await block.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('shows the whole title of a one-hour booking in the day view, not the seats over it', async () => {
    const { block } = await dayWithMeeting();
    const box = (await block.boundingBox())!;
    const title = (await block.locator('.wm-ev-title').boundingBox())!;
    // The title's first line lies inside the block.
    expect(title.y + 12).toBeLessThanOrEqual(box.y + box.height);
    // The seats line is for screen readers only here: nothing is drawn over the title.
    const meta = block.locator('.wm-ev-meta');
    expect(await meta.textContent()).toBe('20 seats');
    const metaBox = (await meta.boundingBox())!;
    expect(metaBox.height).toBeLessThanOrEqual(1);
    // The title is not squeezed out of sight: what shows of time and title is not cut mid-line.
    const shown = await block.locator('.wm-ev-short').evaluate((el) => ({ height: el.getBoundingClientRect().height, line: parseFloat(getComputedStyle(el).lineHeight) }));
    expect(shown.height / shown.line).toBeCloseTo(Math.round(shown.height / shown.line), 1);
    expect(Math.round(shown.height / shown.line)).toBeGreaterThanOrEqual(2);
  });

  it('says a booking with a damaged address does not exist', async () => {
    const page = await open(maria);
    await page.goto('/bookings/abc');
    // Was: "Some fields need a correction."
    await page.getByText('This booking does not exist or you may not see it.').waitFor();
    await page.goto('/bookings/abc/edit');
    await page.getByText('This booking does not exist or you may not see it.').waitFor();
  });

  it('shows every button of a row of Admin → Users at 1280 px without scrolling sideways', async () => {
    // A long address with nowhere to break (no hyphen) widened its column past the screen.
    const page = await usersList('Giovanna Lombardi-Castelfranchi', 'segreteria.didattica.ingegneria.gestionale@studenti.universita.example.it', 1280);
    const row = page.getByRole('row').filter({ hasText: 'Giovanna Lombardi-Castelfranchi' });
    const disable = row.getByRole('button', { name: /^Disattiva/ });
    await disable.waitFor();
    const wrap = (await page.locator('.table-wrap').boundingBox())!;
    const button = (await disable.boundingBox())!;
    expect(button.x + button.width).toBeLessThanOrEqual(wrap.x + wrap.width);
    const overflow = await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // It wraps before a dot or the @, never mid-name ("…ingegneria.gestionale@studenti.universi / ta.example.it").
    const lines = await row.locator('td.cell-address').evaluate((td) => {
      const out: Array<{ top: number; text: string }> = [];
      for (const node of td.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE) continue;
        for (let i = 0; i < node.textContent!.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const top = Math.round(range.getBoundingClientRect().top);
          if (out.at(-1)?.top === top) out.at(-1)!.text += node.textContent![i];
          else out.push({ top, text: node.textContent![i]! });
        }
      }
      return out.map((l) => l.text);
    });
    expect(lines.join('')).toBe('segreteria.didattica.ingegneria.gestionale@studenti.universita.example.it');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line, lines.join(' | ')).toMatch(/^[.@]/);
  });

  it('shows a list as one card per row on a 390 px phone: each value under its column, the buttons in view, still a table', async () => {
    // Was: five columns squeezed to a few letters each and the buttons beyond the screen's edge.
    const page = await usersList('Lucia Ferraris', 'lucia.ferraris@studenti.universita.example.it', 390);
    // The roles by which a screen reader walks the table hold while its parts are laid out as blocks.
    const row = page.getByRole('row').filter({ hasText: 'Lucia Ferraris' });
    await row.getByRole('rowheader', { name: /Lucia Ferraris/ }).waitFor();
    await page.getByRole('columnheader', { name: 'Ruolo' }).waitFor();
    expect(await row.getByRole('cell').count()).toBe(4);
    const buttons = row.getByRole('button');
    expect(await buttons.count()).toBeGreaterThanOrEqual(2);
    for (const button of await buttons.all()) {
      const box = (await button.boundingBox())!;
      expect(box.x + box.width, await button.innerText()).toBeLessThanOrEqual(390);
    }
    expect(await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    // One cell under another, each as wide as the card, each with its column's name shown above it
    // (the actions' column has none, as its header is for screen readers only).
    const cells = await row.locator('td').evaluateAll((tds) =>
      tds.map((td) => {
        const box = td.getBoundingClientRect();
        const before = getComputedStyle(td, '::before');
        return { label: td.dataset.label, x: Math.round(box.x), width: Math.round(box.width), top: Math.round(box.top), shown: before.display === 'block' && before.content !== 'none' };
      }),
    );
    expect(cells.map((c) => c.label)).toEqual(['Email e accesso', 'Ruolo', 'Ente', '']);
    expect(cells.map((c) => c.shown)).toEqual([true, true, true, false]);
    for (const c of cells) expect(c.x).toBe(cells[0]!.x);
    for (const c of cells) expect(c.width).toBe(cells[0]!.width);
    expect(cells.map((c) => c.top)).toEqual([...cells.map((c) => c.top)].sort((a, b) => a - b));
    expect(new Set(cells.map((c) => c.top)).size).toBe(cells.length);
    await expectAccessible(page, 'Users list at 390 px');
  });

  it('shows a new role at once while it is saved, not the old one until the answer comes', async () => {
    const page = await usersList('Paolo Conte', 'paolo.conte@studenti.universita.example.it', 1280);
    // The answer held back: what the list shows meanwhile is what a slow network shows.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/users/*', async (route) => {
      if (route.request().method() === 'PATCH') await held;
      await route.continue();
    });
    const roleOf = page.getByLabel('Ruolo di Paolo Conte');
    await roleOf.selectOption('institution-manager');
    // Was: the list sprang back to Utente until the answer and the list read after it came.
    await page.waitForTimeout(200);
    expect(await roleOf.inputValue()).toBe('institution-manager');
    release();
    await page.getByText('Paolo Conte aggiornato.').waitFor();
    expect(await roleOf.inputValue()).toBe('institution-manager');
    await page.reload();
    expect(await page.getByLabel('Ruolo di Paolo Conte').inputValue()).toBe('institution-manager');
  });

  // The statistics regions' names (landmark-unique) are checked in statistics.test.ts, which has a year of data.
  it('puts the headings of My bookings in order', async () => {
    const page = await open(maria);
    await page.goto('/bookings');
    await page.getByRole('heading', { level: 3, name: /Consiglio di dipartimento/ }).waitFor();
    expect(await violations(page, ['heading-order'])).toEqual([]);
  });
});
