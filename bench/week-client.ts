// How the calendar benchmark reads a week through the API, and the same client as a process of its
// own ("apart"). In the benchmark's process the client parses every answer (~220 KB of JSON a week)
// in the portal's heap, and its garbage lands in the portal's collections; a browser does that
// on another machine. Run as a script, it reads one request per line on stdin ({"kind","query"})
// and answers one line per request: how long the request took, timed here, and how many bookings
// the answer carried. WEEK_CLIENT_URL and WEEK_CLIENT_TOKEN say where and as whom.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

export type WeekKind = 'availability' | 'bookings';
// The API's largest page. The web calendar no longer reads this list (availability carries what its
// grid shows); the row stays as the issue's figure for an integrator reading a week of bookings.
export const PAGE = 500;

type Get = (path: string) => Promise<Record<string, unknown>>;

export function httpGetter(http: Pool, token: string): Get {
  return async (path) => {
    const res = await http.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
    const body = (await res.body.json()) as Record<string, unknown>;
    if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
}

/** One week as the calendar reads it; resolves to the number of bookings in the answers. `query` is `from=…&to=…`. */
export async function fetchWeek(get: Get, kind: WeekKind, query: string): Promise<number> {
  if (kind === 'availability') return ((await get(`/api/v1/availability?${query}`)).rooms as { busy: unknown[] }[]).reduce((n, r) => n + r.busy.length, 0);
  let count = 0;
  let cursor: string | null = null;
  do {
    const page = await get(`/api/v1/bookings?${query}&status=confirmed&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    count += (page.items as unknown[]).length;
    cursor = page.nextCursor as string | null;
  } while (cursor);
  return count;
}

export type ApartClient = { fetch(kind: WeekKind, query: string): Promise<{ ms: number; rows: number }>; close(): Promise<void> };

/** This file as a child process, asked one week at a time. */
export function startApartClient(baseUrl: string, token: string): ApartClient {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, WEEK_CLIENT_URL: baseUrl, WEEK_CLIENT_TOKEN: token },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    fetch(kind, query) {
      return new Promise((resolve, reject) => {
        waiting.push((line) => {
          const answer = JSON.parse(line) as { ms: number; rows: number } | { error: string };
          if ('error' in answer) reject(new Error(answer.error));
          else resolve(answer);
        });
        child.stdin!.write(`${JSON.stringify({ kind, query })}\n`);
      });
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const http = new Pool(process.env.WEEK_CLIENT_URL!, { connections: 1 });
  const get = httpGetter(http, process.env.WEEK_CLIENT_TOKEN!);
  for await (const line of createInterface({ input: process.stdin })) {
    const { kind, query } = JSON.parse(line) as { kind: WeekKind; query: string };
    try {
      const t0 = performance.now();
      const rows = await fetchWeek(get, kind, query);
      process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, rows })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`);
    }
  }
  await http.close();
}
