// The screenshots of the user and administrator guides (docs/public/screenshots/<lang>/), taken
// from the real portal in Italian and English each time the browser tests run, so the guides show
// the portal as it is.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, it } from 'vitest';
import { describeInBrowser, launchBrowser, newContext, signIn } from './support/browser.ts';
import { addDays, nextMonday, showWeekOf } from './support/grid.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const DOCS_SCREENSHOTS = join(import.meta.dirname, '../../docs/public/screenshots');

describeInBrowser('screenshots for the guides', () => {
  let portal: BrowserPortal;
  let browser: Browser;
  let maria: Person;
  const monday = nextMonday();

  beforeAll(async () => {
    portal = await startBrowserPortal();
    browser = await launchBrowser();
    maria = await portal.member('Maria Rossi');
    const rooms = await portal.rooms();
    for (const [day, hour, title, room] of [[0, 9, 'Consiglio di dipartimento', 0], [1, 14, 'Seminario di fisica', 2], [2, 10, 'Riunione di progetto', 4]] as const) {
      const date = addDays(monday, day);
      const res = await portal.api(maria, 'POST', '/api/v1/bookings', { title, roomId: rooms[room]!.id, start: `${date}T${String(hour).padStart(2, '0')}:00`, end: `${date}T${String(hour + 2).padStart(2, '0')}:00`, seats: 20 });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  async function shoot(page: Page, lang: string, name: string) {
    mkdirSync(join(DOCS_SCREENSHOTS, lang), { recursive: true });
    await page.screenshot({ path: join(DOCS_SCREENSHOTS, lang, `${name}.png`) });
  }

  for (const lang of ['it', 'en'] as const) {
    it(`takes the guides' screenshots in ${lang === 'it' ? 'Italian' : 'English'}`, async () => {
      const context = await newContext(browser, portal.baseUrl, { locale: lang === 'it' ? 'it-IT' : 'en-GB', viewport: { width: 1280, height: 760 } });
      await context.addInitScript((l) => window.localStorage.setItem('i18nextLng', l), lang);
      const page = await context.newPage();
      try {
        await signIn(page, maria.email, maria.password);
        // The week of the bookings, by date (on a weekend the calendar already opens on it).
        await page.locator('.ec-body .ec-day').first().waitFor();
        await showWeekOf(page, /^(Go to date|Vai alla data)$/, monday);
        await page.getByText('Consiglio di dipartimento').first().waitFor();
        await shoot(page, lang, 'calendar');
        await page.goto('/bookings/new');
        await page.getByRole('heading', { level: 1 }).waitFor();
        await shoot(page, lang, 'booking-form');
        await page.goto('/bookings');
        await page.getByText('Seminario di fisica').first().waitFor();
        await shoot(page, lang, 'my-bookings');
        await page.getByRole('button', { name: /^(Sign out|Esci)$/ }).click();
        await signIn(page, portal.admin.email, portal.admin.password);
        await page.goto('/admin/rooms');
        await page.getByText('Aula Magna').first().waitFor();
        await shoot(page, lang, 'admin-rooms');
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
