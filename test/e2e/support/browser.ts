// Debian's Chromium driven by playwright-core (no browser download), headless, with a fresh
// profile per launch; axe-core checks every page for serious and critical WCAG violations.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

/** describe() when Chromium is there; skipped locally without it; in CI its absence fails the run. */
export function describeInBrowser(name: string, body: () => void): void {
  if (hasChromium || inCi) describe(name, body);
  else describe.skip(`${name} (no ${CHROMIUM}: apt-get install chromium)`, body);
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium) throw new Error(`Chromium is missing at ${CHROMIUM}; CI must install the Debian "chromium" package.`);
  // Each launch gets a fresh user-data dir through Playwright's own temporary profile.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export async function newContext(
  browser: Browser,
  baseUrl: string,
  options: {
    locale?: string;
    viewport?: { width: number; height: number };
    timezoneId?: string;
    /** A fixed clock for the pages (Date.now and new Date()), e.g. the portal's TestClock time. */
    clock?: Date;
    /** The portal's language chosen beforehand, as the language switcher remembers it. */
    language?: 'en' | 'it';
  } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: options.locale ?? 'en-GB',
    viewport: options.viewport ?? { width: 1440, height: 900 },
    timezoneId: options.timezoneId ?? 'Europe/Rome',
    acceptDownloads: true,
  });
  if (options.clock) await context.clock.setFixedTime(options.clock);
  if (options.language) await context.addInitScript({ content: `localStorage.setItem('wm.lang', ${JSON.stringify(options.language)});` });
  return context;
}

export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * axe-core on a page. Legacy mode runs it in the page's frames without the blank page the default
 * mode opens (and injects axe into again) to gather their results: half of each check's time, and
 * the portal's pages have no frames from another origin, which only the default mode reaches.
 */
export const axe = (page: Page) => new AxeBuilder({ page }).setLegacyMode(true);

/** No serious or critical axe-core violations of WCAG 2.1 A/AA on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await axe(page).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  expect(summary, `axe-core on ${what}`).toEqual([]);
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel(/^(Email address|Indirizzo email)/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|Accedi)$/ }).click();
  await page.getByRole('button', { name: /^(Sign out|Esci)$/ }).waitFor();
}

/**
 * Today at `hhmm` in `zone`, as an instant: a fixed clock for the browser (`context.clock.setFixedTime`)
 * so that what a page pre-fills from "now" does not depend on when the test runs. Today's date keeps
 * the server's own checks (not in the past, not too far ahead) the same as the browser's.
 */
export function todayAt(hhmm: string, zone = 'Europe/Rome', now = new Date()): Date {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(now);
  const guess = new Date(`${day}T${hhmm}:00Z`);
  // The zone's offset at that moment (two passes settle a daylight-saving change).
  let t = guess.getTime();
  for (let i = 0; i < 2; i++) {
    const wall = new Date(new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(t)).replace(' ', 'T') + 'Z');
    t += guess.getTime() - wall.getTime();
  }
  return new Date(t);
}
