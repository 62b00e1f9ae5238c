// Starts the real portal (real database, real HTTP on a loopback port) for a test file, with a
// clock the test controls, and gives it helpers to create people and call the API.
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { seedDefaultRooms } from '../../src/db/seed.ts';
import { createPortal, type Portal } from '../../src/portal.ts';
import { loggerOptions } from '../../src/observability/logger.ts';
import type { Role } from '../../src/domain/access.ts';
import type { Clock, Institution, Room } from '../../src/ports.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';

export class TestClock implements Clock {
  private t: number;
  constructor(iso: string) {
    this.t = new Date(iso).getTime();
  }
  now = () => new Date(this.t);
  set(iso: string) {
    this.t = new Date(iso).getTime();
  }
}

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Caller = { token: string; userId: string; institutionId: string | null };

export type TestPortal = {
  portal: Portal;
  config: Config;
  clock: TestClock;
  baseUrl: string;
  db: TestDatabase;
  rooms: Room[];
  admin: Caller;
  api<T = any>(method: string, path: string, opts?: { as?: Caller; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<ApiResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  institution(input?: Partial<Institution>): Promise<Institution>;
  user(role?: Role, institutionId?: string | null, name?: string): Promise<Caller>;
  close(): Promise<void>;
};

let counter = 0;

/** The bearer token test portals require for /metrics. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';

/**
 * `db`: a second instance on the database of another test portal (the first one drops it).
 * `logs`: the portal logs at info level into this array (one parsed JSON object per line); in the
 * production format (ECS, redaction) with `ecsLogs`.
 */
export async function startTestPortal(
  opts: { now?: string; clock?: TestClock; env?: Record<string, string>; seedRooms?: boolean; db?: TestDatabase; logs?: Record<string, unknown>[]; ecsLogs?: boolean } = {},
): Promise<TestPortal> {
  // The test runner shares the machine with other test files: a stall of a second is no reason for
  // /readyz to say 503 here, except in the tests of that check (they set the limit themselves).
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_DEFAULT_ROOMS: 'false', DATABASE_POOL_SIZE: '20', EVENT_LOOP_DELAY_LIMIT_MS: '600000', OVERLOAD_EVENT_LOOP_DELAY_MS: '0', METRICS_TOKEN, USAGE_SAMPLING: 'false', ...opts.env });
  // A second instance of one deployment (opts.db) shares the first one's clock through opts.clock.
  const clock = opts.clock ?? new TestClock(opts.now ?? '2026-03-20T09:00:00Z');
  const db = opts.db ?? (await openTestDatabase());
  if (opts.seedRooms !== false && !opts.db) await seedDefaultRooms(db.database.db, config.booking.defaultTimeZone);
  const logs = opts.logs;
  const logger = logs
    ? pino(opts.ecsLogs ? loggerOptions('info') : { level: 'info' }, { write: (line: string) => void logs.push(...line.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)) })
    : pino({ level: 'silent' });
  const portal = await createPortal(config, { clock, database: db.database, logger });
  const address = await portal.listen({ port: 0, host: '127.0.0.1' });
  const services = portal.services;

  const api: TestPortal['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.as) headers.authorization = `Bearer ${o.as.token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(address + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };

  const user: TestPortal['user'] = async (role = 'member', institutionId = null, name) => {
    const n = ++counter;
    const u = await services.uow.repos.users.create({
      email: `user${n}-${Date.now()}@example.org`,
      name: name ?? `Test User ${n}`,
      role,
      institutionId,
      passwordHash: null,
    });
    const t = await services.accounts.createToken({ actor: { userId: u.id, role, institutionId } }, 'test');
    return { token: t.token, userId: u.id, institutionId };
  };

  const institution: TestPortal['institution'] = (input = {}) =>
    services.uow.repos.institutions.create({
      name: input.name ?? `University ${++counter}`,
      scopes: input.scopes ?? [],
      subscriptionStart: input.subscriptionStart ?? '2026-01-01',
      subscriptionEnd: input.subscriptionEnd ?? '2027-12-31',
      monthlyQuotaHours: input.monthlyQuotaHours ?? null,
    });

  const admin = await user('admin', null, 'Admin');
  return {
    portal,
    config,
    clock,
    baseUrl: address,
    db,
    rooms: await services.uow.repos.rooms.list(),
    admin,
    api,
    institution,
    user,
    async close() {
      await portal.close();
      if (!opts.db) await db.drop();
    },
  };
}
