// Where things are in the room calendar's time grid, for mouse drags like a person makes.
import type { Page } from 'playwright-core';

export const FIRST_HOUR = 7; // slotMinTime of the grid
export const HOUR_PX = 44; // two 22 px slots

export type Point = { x: number; y: number };

/** The day column of `roomIndex` (API order) on weekday `dayIndex` (0 = first visible day) of the day view's time grid. */
export async function column(page: Page, roomIndex: number, dayIndex: number, daysShown = 1) {
  const box = await page.locator('.ec-body .ec-day').nth(roomIndex * daysShown + dayIndex).boundingBox();
  if (!box) throw new Error('day column not found');
  return box;
}

/** A point in a column at "HH:MM", nudged by `dy` pixels so it falls inside the wanted slot. */
export async function at(page: Page, roomIndex: number, dayIndex: number, time: string, dy = 3): Promise<Point> {
  const box = await column(page, roomIndex, dayIndex);
  const [h, m] = time.split(':').map(Number) as [number, number];
  return { x: box.x + box.width / 2, y: box.y + (h - FIRST_HOUR + m / 60) * HOUR_PX + dy };
}

export const TIMELINE_HOUR_PX = 104; // two 52 px half hours (web/src/calendar/RoomCalendar.tsx)

/**
 * A point in the week timeline (rooms as rows, time across): the middle of `roomIndex`'s row on
 * weekday `dayIndex` at "HH:MM" (nudged `dx` px into the slot), scrolled into view first.
 */
export async function timelineAt(page: Page, roomIndex: number, dayIndex: number, time: string, dx = 3, daysShown = 5): Promise<Point> {
  const cell = page.locator('.ec-timeline .ec-body .ec-day').nth(roomIndex * daysShown + dayIndex);
  const [h, m] = time.split(':').map(Number) as [number, number];
  const offset = (h - FIRST_HOUR + m / 60) * TIMELINE_HOUR_PX + dx;
  await cell.scrollIntoViewIfNeeded();
  // The week is wider than the screen: bring that time to the middle of the grid's scroll box.
  await cell.evaluate((el, offset) => {
    const main = el.closest('.ec-main')!;
    const mr = main.getBoundingClientRect();
    main.scrollLeft += el.getBoundingClientRect().left + offset - (mr.left + mr.width / 2);
  }, offset);
  const box = await cell.boundingBox();
  if (!box) throw new Error('timeline cell not found');
  return { x: box.x + offset, y: box.y + box.height / 2 };
}

/**
 * Types `date` into the calendar's "Go to date" field (label `label`) and waits until that day's
 * bookings are fetched and shown. Without the wait, a booking made through the API right after
 * (a rival's, say) may already be in that fetch's answer on a slow machine, and the calendar then
 * knows what the test means it not to know. `date` must not be on screen already (it waits for a
 * new fetch).
 */
export async function goToDate(page: Page, label: string | RegExp, date: string): Promise<void> {
  const noon = Date.parse(`${date}T12:00:00Z`);
  const fetched = page.waitForResponse((response) => {
    const url = new URL(response.url());
    if (url.pathname !== '/api/v1/availability') return false;
    const from = Date.parse(url.searchParams.get('from') ?? '');
    const to = Date.parse(url.searchParams.get('to') ?? '');
    return from <= noon && noon < to;
  });
  await page.getByLabel(label).fill(date);
  await fetched;
  // The bookings list is fetched beside the availability; the grid is busy until both are in.
  await page.locator('.wm-calendar[aria-busy="false"]').waitFor();
}

/**
 * Shows the week of `date` in the week view: through goToDate, unless that week is on screen
 * already (on a weekend the calendar opens on the coming week), where there is nothing to fetch.
 */
export async function showWeekOf(page: Page, label: string | RegExp, date: string): Promise<void> {
  const shown = await page.getByLabel(label).inputValue();
  if (mondayOf(shown) !== mondayOf(date)) return goToDate(page, label, date);
  await page.locator('.wm-calendar[aria-busy="false"]').waitFor();
}

const mondayOf = (date: string) => addDays(date, -((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7));

export async function drag(page: Page, from: Point, to: Point): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + (to.x - from.x) / 3, from.y + (to.y - from.y) / 3, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 10 });
  await page.mouse.up();
}

/** Monday of next week as "YYYY-MM-DD" in Europe/Rome: always in the future, whatever today is. */
export function nextMonday(now = new Date()): string {
  const wall = new Date(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(now) + 'T12:00:00Z');
  const dow = wall.getUTCDay() || 7;
  wall.setUTCDate(wall.getUTCDate() + (8 - dow));
  return wall.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
