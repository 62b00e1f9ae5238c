// Render benchmark of the room calendar (issue 3 budget): the week view with 8 rooms and 300
// bookings must render in < 300 ms in headless Chromium, and the calendar page's initial
// JavaScript must stay ≤ 200 KB gzipped. The built app runs against a canned API (Playwright
// routes), so the figure is the browser's work alone: data in → events on screen, measured with
// the Performance API marks the app sets (wm:calendar-data → wm:calendar-painted).
//
//   node bench/ui-week-render.ts [--runs 7]
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'web', 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ZONE = 'Europe/Rome';
const BUDGET_MS = 300;
const BUDGET_KB = 200;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Math.max(1, Number(values.runs));

async function build(): Promise<void> {
  const { build: viteBuild } = await import('vite');
  process.env.NODE_ENV = 'production';
  await viteBuild({ configFile: join(ROOT, 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
}

/** gzip -9 sizes of the scripts index.html loads before anything else (entry + modulepreloads). */
function initialJs(): { files: Array<{ file: string; raw: number; gzip: number }>; gzipTotal: number } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)].map((m) => m[1] ?? m[2]!);
  const files = refs.map((ref) => {
    const body = readFileSync(join(DIST, ref.replace(/^\//, '')));
    return { file: ref, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  return { files, gzipTotal: files.reduce((s, f) => s + f.gzip, 0) };
}

// --- canned API: 8 rooms, 300 bookings in the week shown ---------------------------------

const pad = (n: number) => String(n).padStart(2, '0');
function wallToUtc(date: string, hour: number, minute: number): Date {
  // Europe/Rome is UTC+1 or +2; find the offset that maps back to the wanted wall clock.
  for (const offset of [1, 2]) {
    const d = new Date(`${date}T${pad(hour)}:${pad(minute)}:00Z`);
    d.setUTCHours(d.getUTCHours() - offset);
    const shown = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', hourCycle: 'h23' }).format(d);
    if (Number(shown) === hour) return d;
  }
  throw new Error('zone');
}

/**
 * Monday of the week the calendar opens on: this week, or on a Saturday or Sunday the coming one
 * (CalendarPage's landingDay, weekends hidden). A Sunday's run with this week's Monday painted an
 * empty grid. (The page's clock is not faked: Playwright's clock would also stop performance.now,
 * which times the render.)
 */
function mondayOfShownWeek(): string {
  const today = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date())}T12:00:00Z`);
  const weekday = today.getUTCDay();
  today.setUTCDate(today.getUTCDate() + (weekday === 6 ? 2 : weekday === 0 ? 1 : 1 - weekday));
  return today.toISOString().slice(0, 10);
}

function fixtures(bookingCount: number) {
  const now = new Date().toISOString();
  const rooms = Array.from({ length: 8 }, (_, i) => ({
    id: `room-${i + 1}`,
    name: ['Aula Magna', 'Aula Galileo', 'Sala Volta', 'Sala Fermi', 'Sala Levi-Montalcini', 'Sala Hack', 'Sala Marconi', 'Sala Agnesi'][i]!,
    capacity: [200, 200, 100, 100, 50, 50, 50, 50][i]!,
    timeZone: ZONE,
    provider: null,
    active: true,
    createdAt: now,
    updatedAt: now,
  }));
  const monday = mondayOfShownWeek();
  const bookings: Array<Record<string, unknown>> = [];
  // 5 weekdays × 8 rooms × 8 one-hour meetings with a 15-minute turnaround, first 300 of them.
  outer: for (let slot = 0; slot < 8; slot++) {
    for (let day = 0; day < 5; day++) {
      for (let r = 0; r < 8; r++) {
        if (bookings.length >= bookingCount) break outer;
        const date = new Date(`${monday}T12:00:00Z`);
        date.setUTCDate(date.getUTCDate() + day);
        const iso = date.toISOString().slice(0, 10);
        const start = wallToUtc(iso, 8 + slot, (r % 4) * 15 % 60 === 45 ? 0 : 0);
        start.setUTCMinutes(start.getUTCMinutes() + slot * 15);
        const end = new Date(start.getTime() + 60 * 60_000);
        const room = rooms[r]!;
        const mine = (slot + day + r) % 3 !== 0;
        bookings.push({
          id: `b-${bookings.length + 1}`,
          title: mine ? `Lezione ${bookings.length + 1}` : null,
          roomId: room.id,
          roomName: room.name,
          seats: 10 + ((slot * 7 + r * 3) % 40),
          start: start.toISOString(),
          end: end.toISOString(),
          blockedUntil: new Date(end.getTime() + 15 * 60_000).toISOString(),
          mine,
        });
      }
    }
  }
  return { rooms, bookings, monday };
}

function api(bookingCount: number) {
  const { rooms, bookings } = fixtures(bookingCount);
  const me = { id: 'me', name: 'Bench User', email: 'bench@example.org', role: 'member', institution: { id: 'i1', name: 'Ateneo' }, canBook: true, cannotBookReason: null, csrfToken: 'x' };
  const settings = { seatPool: 500, turnaroundMinutes: 15, minDurationMinutes: 15, maxDurationMinutes: 720, maxDaysAhead: 180, granularityMinutes: 5, defaultTimeZone: ZONE };
  return (path: string, query: URLSearchParams): unknown => {
    switch (path) {
      case '/api/v1/me':
        return me;
      case '/api/v1/settings':
        return settings;
      case '/api/v1/rooms':
        return { items: rooms };
      case '/api/v1/bookings': {
        const items = bookings
          .filter((b) => b.mine)
          .map((b) => ({ ...b, description: '', timeZone: ZONE, startLocal: b.start, endLocal: b.end, status: 'confirmed', booker: { id: 'me', name: 'Bench User' }, institutionId: 'i1', createdAt: b.start, updatedAt: b.start }));
        return { items, nextCursor: null };
      }
      case '/api/v1/availability': {
        const from = query.get('from')!;
        const to = query.get('to')!;
        const edges = new Set<number>([Date.parse(from), Date.parse(to)]);
        for (const b of bookings) edges.add(Date.parse(b.start as string)).add(Date.parse(b.end as string));
        const sorted = [...edges].filter((t) => t >= Date.parse(from) && t <= Date.parse(to)).sort((a, b) => a - b);
        const pool = sorted.slice(0, -1).map((t, i) => {
          const used = bookings.filter((b) => Date.parse(b.start as string) <= t && Date.parse(b.end as string) > t).reduce((s, b) => s + (b.seats as number), 0);
          return { start: new Date(t).toISOString(), end: new Date(sorted[i + 1]!).toISOString(), seatsUsed: used, seatsLeft: 500 - used };
        });
        return {
          from,
          to,
          seatPool: 500,
          rooms: rooms.map((room) => ({
            roomId: room.id,
            name: room.name,
            capacity: room.capacity,
            timeZone: ZONE,
            fits: true,
            busy: bookings
              .filter((b) => b.roomId === room.id)
              .map((b) => ({
                start: b.start,
                end: b.end,
                blockedUntil: b.blockedUntil,
                bookingId: b.mine ? b.id : null,
                title: b.title,
                seats: b.seats,
                booker: b.mine ? { id: 'me', name: 'Bench User' } : null,
              })),
          })),
          pool,
        };
      }
      default:
        return null;
    }
  };
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

async function serve(page: Page, bookingCount: number): Promise<void> {
  const answer = api(bookingCount);
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/api/v1/events') return route.fulfill({ status: 204 });
    if (url.pathname.startsWith('/api/')) {
      const body = answer(url.pathname, url.searchParams);
      return route.fulfill({ status: body ? 200 : 404, contentType: 'application/json', body: JSON.stringify(body ?? { code: 'NOT_FOUND' }) });
    }
    const file = join(DIST, url.pathname === '/' ? 'index.html' : url.pathname);
    const path = existsSync(file) ? file : join(DIST, 'index.html');
    return route.fulfill({ status: 200, contentType: TYPES[extname(path)] ?? 'application/octet-stream', body: readFileSync(path) });
  });
}

type Run = { renderMs: number; loadMs: number; events: number };

async function measure(bookingCount: number, runs: number): Promise<Run[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const results: Run[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-GB', timezoneId: ZONE, baseURL: 'http://bench.invalid' });
      const page = await context.newPage();
      await serve(page, bookingCount);
      await page.goto('/');
      await page.waitForFunction(
        `(() => { const data = performance.getEntriesByName('wm:calendar-data')[0];
          return data && performance.getEntriesByName('wm:calendar-painted').some((m) => m.startTime > data.startTime); })()`,
        null,
        { timeout: 30_000 },
      );
      const run = (await page.evaluate(`(() => {
        const data = performance.getEntriesByName('wm:calendar-data')[0];
        const painted = performance.getEntriesByName('wm:calendar-painted').find((m) => m.startTime > data.startTime);
        return { renderMs: painted.startTime - data.startTime, loadMs: painted.startTime,
                 events: document.querySelectorAll('.ec-body .ec-event:not(.ec-bg-event)').length };
      })()`)) as Run;
      // The first page warms the browser's caches; it is not counted.
      if (i > 0) results.push(run);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return results;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (!existsSync(CHROMIUM)) {
  console.error(`Chromium is missing at ${CHROMIUM} (apt-get install chromium).`);
  process.exit(2);
}
await build();
const js = initialJs();
console.log('Initial JavaScript of the calendar page (gzip -9):');
for (const f of js.files) console.log(`  ${f.file.padEnd(40)} ${(f.raw / 1024).toFixed(1).padStart(7)} KB raw ${(f.gzip / 1024).toFixed(1).padStart(7)} KB gzip`);
console.log(`  total ${(js.gzipTotal / 1024).toFixed(1)} KB gzip   (budget ${BUDGET_KB} KB)`);

const empty = await measure(0, RUNS);
const full = await measure(300, RUNS);
const fmt = (runs: Run[]) =>
  `median ${median(runs.map((r) => r.renderMs)).toFixed(1)} ms, min ${Math.min(...runs.map((r) => r.renderMs)).toFixed(1)} ms, max ${Math.max(...runs.map((r) => r.renderMs)).toFixed(1)} ms ` +
  `(page load to painted: median ${median(runs.map((r) => r.loadMs)).toFixed(0)} ms; ${runs[0]?.events ?? 0} events on screen)`;
console.log(`\nWeek view render, data received → events painted, ${RUNS} runs each:`);
console.log(`  baseline, 8 rooms, 0 bookings:    ${fmt(empty)}`);
console.log(`  8 rooms, 300 bookings:            ${fmt(full)}   (budget ${BUDGET_MS} ms)`);
// A render that painted none of the week's bookings measured an empty grid, not the budget's case.
const painted = full.every((r) => r.events > 0);
if (!painted) console.log('\nNOTHING MEASURED: the 300 bookings were not on screen.');
const ok = painted && median(full.map((r) => r.renderMs)) < BUDGET_MS && js.gzipTotal / 1024 <= BUDGET_KB;
console.log(ok ? '\nWithin budget.' : '\nOVER BUDGET.');
process.exitCode = ok ? 0 : 1;
