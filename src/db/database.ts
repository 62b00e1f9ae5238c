// One code path for both databases: a node-postgres Pool under Kysely. With DATABASE_URL it is a
// real PostgreSQL pool; without, PGlite (PostgreSQL in WASM) in DATA_DIR behind its node-postgres
// adapter with a pool of one, since PGlite has a single session (see shared/reference/data-layer.md).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { callbackQueries } from './callback-queries.ts';
import { prepareRepeated, StatementNames } from './prepared.ts';
import type { DB } from './schema.ts';
import { fastTimestamptz } from './timestamps.ts';

export type Db = Kysely<DB>;
export type Executor = Kysely<DB> | Transaction<DB>;

export type Database = {
  db: Db;
  pool: pg.Pool;
  kind: 'postgres' | 'pglite';
  /**
   * LISTEN on a channel; returns a function that stops listening. `onResync` runs each time the
   * listening connection came back after a loss: notifications sent meanwhile were not delivered.
   */
  listen(channel: string, onPayload: (payload: string) => void, onResync?: () => void): Promise<() => Promise<void>>;
  /** PGlite only: its whole data folder as an uncompressed tar (PGlite's dumpDataDir), to start another from. */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
};

/**
 * What a PostgreSQL server allows, beside what is open on it now: every instance opens
 * DATABASE_POOL_SIZE connections at most, and one more that LISTENs, and the server refuses
 * connections beyond `max_connections` (less those it keeps for superusers).
 */
export type ConnectionLimits = { max: number; reservedForSuperusers: number; open: number };

export async function connectionLimits(pool: pg.Pool): Promise<ConnectionLimits> {
  const { rows } = await pool.query<ConnectionLimits>(
    `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS "reservedForSuperusers",
            (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS open`,
  );
  return rows[0]!;
}

/**
 * The connections this instance may want that the server would refuse now (`short`, or 0): its pool
 * and its LISTEN connection against what the server allows less what `others` hold (`ownOpen` of
 * those open are this instance's already).
 */
export function connectionShortfall(limits: ConnectionLimits, o: { poolSize: number; ownOpen: number }): { short: number; others: number } {
  const others = Math.max(0, limits.open - o.ownOpen);
  return { short: Math.max(0, o.poolSize + 1 - (limits.max - limits.reservedForSuperusers - others)), others };
}

// timestamptz → Date as pg's default parser makes it, read faster (db/timestamps.ts); `date`
// columns stay 'YYYY-MM-DD' strings (no zone shift).
pg.types.setTypeParser(1184, fastTimestamptz(pg.types.getTypeParser(1184)));
pg.types.setTypeParser(1082, (v: string) => v);
// bigint (count(*), identity ids) as string is pg's default; numeric stays string too.

export type OpenOptions = {
  databaseUrl?: string | undefined;
  dataDir?: string;
  poolSize?: number;
  memory?: boolean;
  /**
   * With `memory`: start from a `dump()` instead of PGlite's initdb, which takes seconds; the test
   * suite migrates one database per run and starts each file's from it.
   */
  snapshot?: Blob;
  /** Longest wait for a connection (a new one, or a free one of the pool); then the query fails as unavailable. */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout for every pooled connection (0: none). */
  statementTimeoutMs?: number;
  /** Named prepared statements for repeated statements (db/prepared.ts); default on. */
  preparedStatements?: boolean;
};

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 20, opts.connectTimeoutMs ?? 5_000, opts.statementTimeoutMs ?? 0, opts.preparedStatements ?? true);
  return openPglite(opts.memory ? undefined : (opts.dataDir ?? './data'), opts.memory ? opts.snapshot : undefined);
}

function openPostgres(url: string, max: number, connectTimeoutMs: number, statementTimeoutMs: number, preparedStatements: boolean): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: connectTimeoutMs,
    // A server that vanished without closing the socket (host down, network cut) is noticed.
    keepAlive: true,
    ...(statementTimeoutMs > 0 && { statement_timeout: statementTimeoutMs }),
  });
  // A connection that fails (server restart, pg_terminate_backend) must never crash the process:
  // the pool listens on idle ones, but not on those a transaction holds between two statements
  // (node-postgres removes its listener at checkout). Every client gets a listener of its own; the
  // query on it fails (answered 503) and the pool drops the broken client at release.
  pool.on('error', () => {});
  const names = new StatementNames();
  pool.on('connect', (client) => {
    client.on('error', () => {});
    callbackQueries(client);
    if (preparedStatements) prepareRepeated(client, names);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const listener = new SharedListener(() => new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true }));
  return {
    db,
    pool,
    kind: 'postgres',
    listen: (channel, onPayload, onResync) => listener.listen(channel, onPayload, onResync),
    async close() {
      await listener.close();
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string | undefined, snapshot: Blob | undefined): Promise<Database> {
  const [{ PGlite }, { btree_gist }, { createPgConfig }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('@electric-sql/pglite/node-postgres'),
  ]);
  let releaseLock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = lockDataDir(dataDir);
  }
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(snapshot && { loadDataDir: snapshot }), extensions: { btree_gist } });
  // createPgConfig once: every call would open another connection object on the same session.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig);
  const names = new StatementNames();
  pool.on('connect', (client) => {
    callbackQueries(client);
    prepareRepeated(client, names);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    kind: 'pglite',
    async listen(channel, onPayload) {
      // In-process: the connection cannot drop, so there is never anything to resync. LISTEN goes
      // to the session beside the pool's one connection: taking that connection first keeps it from
      // landing between the messages of a pooled query in flight (its parse and its bind), which
      // desynchronised the protocol ("unnamed prepared statement does not exist").
      const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
        const client = await pool.connect();
        try {
          return await work();
        } finally {
          client.release();
        }
      };
      const unsubscribe = await exclusive(() => pglite.listen(channel, onPayload));
      return async () => exclusive(() => unsubscribe());
    },
    dump: () => pglite.dumpDataDir('none'),
    async close() {
      await db.destroy();
      await pglite.close();
      releaseLock();
    },
  };
}

export class DatabaseInUseError extends Error {}

/** The file in DATA_DIR that names the process using the embedded database. */
export const LOCK_FILE = 'webmeetings.pid';

/** The live process that holds the embedded database in `dataDir`, or null. */
export function dataDirOwner(dataDir: string): number | null {
  try {
    const owner = Number(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    return Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner) ? owner : null;
  } catch {
    return null;
  }
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * A lock file with the owner's pid keeps a second portal or the CLI out while one runs; a lock
 * left by a process that no longer exists is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new DatabaseInUseError(
          `The embedded database in ${dataDir} is in use by process ${owner} (a running portal?). Stop it first, or use a PostgreSQL server through DATABASE_URL.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DatabaseInUseError(`Could not lock the embedded database in ${dataDir}.`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Errors that say the database cannot be reached or is going away, not that the request was wrong:
// SQLSTATE class 08 (connection exception), 57P01-57P03 (admin or crash shutdown, cannot connect
// now), 53300 (too many connections); Node's socket errors; node-postgres's own messages for a
// connection that ended or a pool that found no connection in time.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection ended|not queryable|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)/i;

/** Whether `e` says the database is unreachable (the request may succeed later), as opposed to a bad request or a bug. */
export function databaseUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const state = sqlState(e);
  if (state && (state.startsWith('08') || UNAVAILABLE_STATES.has(state) || UNAVAILABLE_NODE.has(state))) return true;
  if (e instanceof AggregateError && e.errors.some(databaseUnavailable)) return true;
  return e instanceof Error && UNAVAILABLE_MESSAGES.test(e.message);
}

/** Whether `e` is PostgreSQL cancelling a statement that ran past statement_timeout (57014). */
export function statementTimedOut(e: unknown): boolean {
  return sqlState(e) === '57014' && /statement timeout/i.test((e as Error).message ?? '');
}

/** SQLSTATE of a database error (PGlite's error classes are minified: never use instanceof). */
export function sqlState(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

type ChannelListener = { onPayload(payload: string): void; onResync?: (() => void) | undefined };

/**
 * One dedicated connection per process for every LISTEN (LISTEN does not survive in a pool): a
 * connection per channel would cost each instance half a dozen of the server's max_connections.
 * If it drops (server restart, network, pg_terminate_backend) it reconnects with capped backoff
 * and LISTENs again on every channel, so live updates resume without a portal restart; then each
 * `onResync`, since what was notified meanwhile is lost.
 */
class SharedListener {
  readonly #connect: () => pg.Client;
  readonly #channels = new Map<string, Set<ChannelListener>>();
  #client: pg.Client | null = null;
  #connecting: Promise<void> | null = null;
  #closed = false;
  #lost = false;
  #delay = 100;
  #sent: Promise<unknown> = Promise.resolve();

  constructor(connect: () => pg.Client) {
    this.#connect = connect;
  }

  async listen(channel: string, onPayload: (payload: string) => void, onResync?: () => void): Promise<() => Promise<void>> {
    const entry: ChannelListener = { onPayload, onResync };
    let set = this.#channels.get(channel);
    const fresh = !set;
    if (!set) this.#channels.set(channel, (set = new Set()));
    set.add(entry);
    try {
      if (!this.#client) await (this.#connecting ??= this.#open().finally(() => (this.#connecting = null)));
      // A connection made before this channel was added listens to it now (one made after did already).
      else if (fresh) await this.#send(this.#client, `LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (e) {
      set.delete(entry);
      if (set.size === 0) this.#channels.delete(channel);
      throw e;
    }
    return async () => {
      set.delete(entry);
      if (set.size > 0 || this.#channels.get(channel) !== set) return;
      this.#channels.delete(channel);
      if (this.#client) await this.#send(this.#client, `UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
    };
  }

  // Channels added or dropped together (the portal's close drops them all at once) would each send
  // a statement on the one connection while another runs; node-postgres queues those for now but
  // deprecates it (gone in pg 9), so they go one after another here.
  #send(c: pg.Client, text: string): Promise<unknown> {
    const sent = this.#sent.then(() => c.query(text));
    this.#sent = sent.catch(() => {});
    return sent;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#client;
    this.#client = null;
    await c?.end().catch(() => {});
  }

  async #open(): Promise<void> {
    const c = this.#connect();
    c.on('notification', (n) => {
      for (const l of this.#channels.get(n.channel) ?? []) l.onPayload(n.payload ?? '');
    });
    c.on('error', () => {});
    try {
      await c.connect();
      for (const channel of this.#channels.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
    if (this.#closed) return void (await c.end().catch(() => {}));
    c.on('end', () => {
      if (this.#client !== c) return;
      this.#client = null;
      this.#retry();
    });
    this.#client = c;
    this.#delay = 100;
    if (this.#lost) {
      this.#lost = false;
      for (const set of [...this.#channels.values()]) for (const l of set) l.onResync?.();
    }
  }

  #retry(): void {
    if (this.#closed) return;
    this.#lost = true;
    setTimeout(() => {
      if (this.#closed || this.#client) return;
      void (this.#connecting ??= this.#open().finally(() => (this.#connecting = null))).catch(() => this.#retry());
    }, this.#delay).unref();
    this.#delay = Math.min(this.#delay * 2, 2_000);
  }
}
