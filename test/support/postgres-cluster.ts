// A throw-away PostgreSQL cluster (initdb into a temporary folder, its own free port) that a test or
// benchmark may restart, stop and start at will: never the shared server other sessions use. As
// root, the server runs as the `postgres` system user (initdb and postgres refuse to run as root).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const execFileAsync = promisify(execFile);

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why a throw-away cluster cannot be made here, or null when it can. */
export function clusterUnavailable(): string | null {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) return `no PostgreSQL server binaries in ${PG_BIN} (set PG_BIN)`;
  if (userInfo().uid === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no postgres system user to run the server as';
    }
  }
  return null;
}

export type PostgresCluster = {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** `pg_ctl restart -m fast`: every connection is dropped, the server is back when this resolves. */
  restart(): void;
  stop(): void;
  start(): void;
  /** SIGSTOP (true) or SIGCONT (false) to the server and all its processes: a database that hangs without closing anything. */
  freeze(frozen: boolean): void;
  /**
   * Runs SQL through psql as the superuser (e.g. pg_terminate_backend). Not synchronous: a test's
   * load goes on meanwhile and its answers keep their true times (a blocked event loop stamped them
   * all with the moment psql returned).
   */
  psql(sql: string, database?: string): Promise<string>;
  destroy(): void;
};

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  s.close();
  return port;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const why = clusterUnavailable();
  if (why) throw new Error(why);
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'wm-pgcluster-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const command = (bin: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args]);
  const run = (bin: string, args: string[]) => execFileSync(...command(bin, args), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  // Durability is not what these tests measure: fsync off keeps the machine's disk free for others.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', ...args]);
  ctl('start');
  const cluster: PostgresCluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    restart: () => void ctl('restart', '-m', 'fast'),
    stop: () => void ctl('stop', '-m', 'fast'),
    start: () => void ctl('start'),
    freeze(frozen) {
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const children = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster;
          } catch {
            return false;
          }
        })
        .map(Number);
      for (const pid of [postmaster, ...children]) process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    },
    psql: async (sql, database = 'postgres') =>
      (await execFileAsync(...command('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-Atqc', sql]), { encoding: 'utf8' })).stdout,
    destroy() {
      try {
        cluster.freeze(false);
      } catch {
        // not running
      }
      try {
        ctl('stop', '-m', 'immediate');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
