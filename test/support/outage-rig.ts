// A portal process on a throw-away PostgreSQL cluster, with clients that book without pause: what
// the database-outage test and bench/faults.ts restart, stop and terminate under. Each answer is
// recorded with its time, so the figures (answers by status during an outage, time to serve after
// the database is back) come from what clients saw.
import pg from 'pg';
import { request as httpRequest } from 'node:http';
import { loadConfig } from '../../src/config.ts';
import { buildServices, openPortalDatabase, systemClock } from '../../src/portal.ts';
import { portalEnvironment, startPortalProcess, type PortalProcess } from '../../bench/portal-process.ts';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.ts';

/** `sent`: when the request left; `at`: when its answer (or its failure) came back. */
export type Answer = { sent: number; at: number; status: number | 'network error'; code?: string; bookingId?: string; retryAfter?: string | null };

export type OutageRig = {
  cluster: PostgresCluster;
  portal: PortalProcess;
  /** The portal's environment (to start another one on the same database). */
  env: NodeJS.ProcessEnv;
  tokens: string[];
  answers: Answer[];
  /** Starts `clients` loops that each POST a booking, one after the other (`pauseMs` between), until stopLoad(). */
  startLoad(clients: number, opts?: { pauseMs?: number }): void;
  stopLoad(): Promise<void>;
  /** Whether the portal process still runs. */
  alive(): boolean;
  /** pg_terminate_backend of every connection to the portal's database; how many it ended. Resolves once they are gone. */
  terminateConnections(): Promise<number>;
  /** Ids of the bookings answered 201 that the database does not hold. */
  missingBookings(): Promise<string[]>;
  close(): Promise<void>;
};

export async function startOutageRig(o: { clients: number; env?: Record<string, string> }): Promise<OutageRig> {
  const cluster = await startPostgresCluster();
  let portal: PortalProcess | undefined;
  try {
    await cluster.psql('CREATE DATABASE wm');
    const env = portalEnvironment({ DATABASE_URL: cluster.url('wm'), MAX_DAYS_AHEAD: '3650', DATABASE_POOL_SIZE: '10', DRAIN_SECONDS: '1', ...o.env });
    const config = loadConfig(env);
    const database = await openPortalDatabase({ ...config, databasePoolSize: 2 });
    const services = buildServices(config, database, systemClock);
    const rooms = (await services.uow.repos.rooms.list()).map((r) => r.id);
    const admin = await services.uow.repos.users.create({ email: 'outage@example.org', name: 'Outage', role: 'admin', institutionId: null, passwordHash: null });
    const actor = { userId: admin.id, role: 'admin' as const, institutionId: null };
    const tokens: string[] = [];
    for (let i = 0; i < o.clients; i++) tokens.push((await services.accounts.createToken({ actor }, `client ${i + 1}`)).token);
    await database.close();
    portal = await startPortalProcess(env);
    const started = portal;
    const answers: Answer[] = [];
    let running = false;
    let loops: Promise<void>[] = [];
    let seq = 0;
    const base = Date.now() + 86_400_000;
    const book = async (token: string): Promise<Answer> => {
      // Half-hour meetings an hour apart (the turnaround between them) in turn over every room: conflicts are rare, every 201 is a row.
      const n = seq++;
      const start = new Date(Math.ceil((base + Math.floor(n / rooms.length) * 3_600_000) / 300_000) * 300_000);
      const sent = Date.now();
      const body = JSON.stringify({ title: 'Outage', roomId: rooms[n % rooms.length], seats: 1, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString() });
      try {
        const res = await post(`${started.baseUrl}/api/v1/bookings`, token, body);
        const parsed = safeJson(res.body) as { id?: string; code?: string } | null;
        return { sent, at: Date.now(), status: res.status, code: parsed?.code, bookingId: res.status === 201 ? parsed?.id : undefined, retryAfter: res.retryAfter };
      } catch {
        return { sent, at: Date.now(), status: 'network error' };
      }
    };
    return {
      cluster,
      portal: started,
      env,
      tokens,
      answers,
      startLoad(clients, opts = {}) {
        running = true;
        loops = tokens.slice(0, clients).map(async (token) => {
          while (running) {
            const a = await book(token);
            answers.push(a);
            if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
            // A client told to wait does, a little (as a browser retrying would).
            if (a.status !== 201 && a.status !== 409) await new Promise((r) => setTimeout(r, 50));
          }
        });
      },
      async stopLoad() {
        running = false;
        await Promise.all(loops);
      },
      async terminateConnections() {
        return Number((await cluster.psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'wm' AND pid <> pg_backend_pid()`)).trim());
      },
      alive() {
        try {
          process.kill(started.pid, 0);
          return true;
        } catch {
          return false;
        }
      },
      async missingBookings() {
        const ids = answers.flatMap((a) => (a.bookingId ? [a.bookingId] : []));
        if (ids.length === 0) return [];
        // As a parameter, not on psql's command line: a 15-minute soak answers tens of thousands (E2BIG).
        const client = new pg.Client({ connectionString: cluster.url('wm') });
        await client.connect();
        try {
          const { rows } = await client.query<{ id: string }>('SELECT id FROM bookings WHERE id = ANY ($1::uuid[])', [ids]);
          const present = new Set(rows.map((r) => r.id));
          return ids.filter((id) => !present.has(id));
        } finally {
          await client.end();
        }
      },
      async close() {
        running = false;
        await Promise.all(loops);
        await started.stop();
        cluster.destroy();
      },
    };
  } catch (e) {
    await portal?.stop();
    cluster.destroy();
    throw e;
  }
}

// node:http with its own short-lived connection per request: a client's keep-alive connection that
// the server closed while draining must not be mistaken for a crash.
function post(url: string, token: string, body: string): Promise<{ status: number; body: string; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 60_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Answers by status (and problem code) in [from, to). */
export function answersBetween(answers: Answer[], from: number, to: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    if (a.at < from || a.at >= to) continue;
    const key = a.code && a.status !== 201 ? `${a.status} ${a.code}` : String(a.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Milliseconds from `since` to the first 201 of a request sent after it (null: none). Only those:
 * a request sent before a fault may have been served before it and answered just after.
 */
export function timeToServe(answers: Answer[], since: number): number | null {
  const first = answers.filter((a) => a.sent >= since && a.status === 201).sort((a, b) => a.at - b.at)[0];
  return first ? first.at - since : null;
}
