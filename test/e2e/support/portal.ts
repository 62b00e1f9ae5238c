// The real portal for browser tests: real database (in-memory PGlite, or a fresh PostgreSQL
// database when DATABASE_URL is set), real HTTP on a loopback port, the built web UI, the
// system clock unless a test gives its own (the browser's clock is the real one too unless the
// test fixes it). Test data goes in through the API.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../../../src/config.ts';
import { seedDefaultRooms } from '../../../src/db/seed.ts';
import { createPortal, type Portal } from '../../../src/portal.ts';
import { openTestDatabase } from '../../support/database.ts';
import type { Clock } from '../../../src/ports.ts';

const WEB = fileURLToPath(new URL('../../../web/', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function webBuildIsFresh(): boolean {
  const index = join(WEB, 'dist', 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= Math.max(newestMtime(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs);
}

// Test files run in parallel processes: one builds, the others wait for it and reuse the result.
const LOCK = join(tmpdir(), 'webmeetings-web-build.lock');

async function withBuildLock(fn: () => Promise<void>): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed run is stale after two minutes.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      if (waited > 180_000) throw new Error(`waited 3 minutes for ${LOCK}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds web/dist when it is missing or older than web/src (vite build takes about a second). */
export async function ensureWebBuild(): Promise<void> {
  if (webBuildIsFresh()) return;
  await withBuildLock(async () => {
    if (!webBuildIsFresh()) await buildWeb();
  });
}

async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would give React's development build; test what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export type Person = { id: string; email: string; password: string; name: string; token: string };

export type BrowserPortal = {
  baseUrl: string;
  portal: Portal;
  admin: Person;
  /** Calls the API with a person's API token (no CSRF needed). */
  api<T = any>(as: Person, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A member of an institution with an active subscription, able to book. */
  member(name: string): Promise<Person>;
  rooms(): Promise<Array<{ id: string; name: string; capacity: number; timeZone: string }>>;
  close(): Promise<void>;
};

let counter = 0;

/** `listen`: another address (a test namespace's veth) and a port chosen beforehand (PUBLIC_URL needs it). */
/** `clock`: a fixed clock for the portal's use-cases (tests that assert dates, e.g. a link's expiry). */
export async function startBrowserPortal(
  env: Record<string, string> = {},
  listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
  opts: { clock?: Clock } = {},
): Promise<BrowserPortal> {
  await ensureWebBuild();
  // No event-loop overload guard (as in the API tests' portals; test/api/overload.test.ts tests it):
  // on a busy CI machine a heavy PGlite query (the statistics of a demo year) held the loop past
  // its second and the page's next request got 503 OVERLOADED instead of its figures.
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: String(listen.port), TURNAROUND_MINUTES: '15', OVERLOAD_EVENT_LOOP_DELAY_MS: '0', ...env });
  const db = await openTestDatabase();
  await seedDefaultRooms(db.database.db, config.booking.defaultTimeZone);
  const portal = await createPortal(config, { database: db.database, logger: pino({ level: 'silent' }), ...(opts.clock && { clock: opts.clock }) });
  const baseUrl = await portal.listen(listen);

  const api: BrowserPortal['api'] = async (as, method, path, body) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${as.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const stamp = Date.now().toString(36);
  const adminPassword = 'Admin-pass-12345';
  const adminUser = await portal.services.accounts.createAdmin({ email: `admin-${stamp}@example.org`, name: 'Ada Admin', password: adminPassword });
  const adminToken = await portal.services.accounts.createToken({ actor: { userId: adminUser.id, role: 'admin', institutionId: null } }, 'e2e');
  const admin: Person = { id: adminUser.id, email: adminUser.email, password: adminPassword, name: adminUser.name, token: adminToken.token };

  const today = new Date();
  const year = today.getUTCFullYear();
  const institution = await api<{ id: string }>(admin, 'POST', '/api/v1/institutions', {
    name: 'Università degli Studi di Prova',
    scopes: ['prova.it'],
    subscriptionStart: `${year - 1}-01-01`,
    subscriptionEnd: `${year + 2}-12-31`,
    monthlyQuotaHours: null,
  });
  if (institution.status !== 201) throw new Error(`institution: ${institution.status} ${JSON.stringify(institution.body)}`);

  return {
    baseUrl,
    portal,
    admin,
    api,
    async member(name) {
      const n = ++counter;
      const email = `member${n}-${stamp}@prova.it`;
      const password = `Member-pass-${n}2345`;
      const created = await api<{ id: string }>(admin, 'POST', '/api/v1/users', {
        name,
        email,
        password,
        role: 'member',
        institutionId: institution.body.id,
      });
      if (created.status !== 201) throw new Error(`user: ${created.status} ${JSON.stringify(created.body)}`);
      const token = await portal.services.accounts.createToken(
        { actor: { userId: created.body.id, role: 'member', institutionId: institution.body.id } },
        'e2e',
      );
      return { id: created.body.id, email, password, name, token: token.token };
    },
    async rooms() {
      return (await api<{ items: Array<{ id: string; name: string; capacity: number; timeZone: string }> }>(admin, 'GET', '/api/v1/rooms')).body.items;
    },
    async close() {
      await portal.close();
      await db.drop();
    },
  };
}
