// The real portal on a fixed loopback port (its ACS URL must be known before it starts), with its
// log captured so tests can check that each refusal says why.
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, type Config } from '../../../src/config.ts';
import { createPortal, type Portal } from '../../../src/portal.ts';
import type { Clock } from '../../../src/ports.ts';
import { openTestDatabase, type TestDatabase } from '../../support/database.ts';

export type LogLine = { level: number; msg: string; event?: string; code?: string; [k: string]: unknown };

export type IdentityPortal = { portal: Portal; config: Config; baseUrl: string; db: TestDatabase; logs: LogLine[]; close(): Promise<void> };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startIdentityPortal(env: Record<string, string>, opts: { db?: TestDatabase; port?: number; clock?: Clock } = {}): Promise<IdentityPortal> {
  const port = opts.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ LOG_LEVEL: 'info', SEED_DEFAULT_ROOMS: 'false', DATABASE_POOL_SIZE: '20', PUBLIC_URL: baseUrl, ...env });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const db = opts.db ?? (await openTestDatabase());
  const portal = await createPortal(config, { database: db.database, logger: pino({ level: 'info' }, sink), ...(opts.clock && { clock: opts.clock }) });
  await portal.listen({ port, host: '127.0.0.1' });
  return {
    portal,
    config,
    baseUrl,
    db,
    logs,
    async close() {
      await portal.close();
      if (!opts.db) await db.drop();
    },
  };
}

/** Cookies from a fetch response's Set-Cookie headers, as name → value. */
export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = pair!.slice(i + 1);
  }
  return out;
}
