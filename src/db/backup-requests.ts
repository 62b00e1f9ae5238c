// Backing up the embedded database while the portal runs. PGlite is one process's database: the
// CLI cannot open it beside the portal, so it asks the portal. It drops a request file into
// DATA_DIR/backup-requests/ and sends SIGUSR2 to the process named in the lock file; the portal
// takes a snapshot through its own database session and writes the backup and a result file.
// Whoever may write into DATA_DIR may read the database anyway, so the request needs no secret.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Database } from './database.ts';
import { writeBackupFile } from './backup-file.ts';
import { openSnapshot } from './snapshot.ts';

const DIR = 'backup-requests';

type Request = { file: string };
type Result = { ok: true; tables: number } | { ok: false; error: string };

/** Writes a backup in the running portal `owner` and waits for it; throws with the portal's error. */
export async function requestBackup(dataDir: string, owner: number, file: string, timeoutMs = 10 * 60_000): Promise<Result & { ok: true }> {
  const dir = join(dataDir, DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = randomBytes(8).toString('hex');
  const resultFile = join(dir, `${id}.result.json`);
  writeFileSync(join(dir, `${id}.tmp`), JSON.stringify({ file } satisfies Request));
  renameSync(join(dir, `${id}.tmp`), join(dir, `${id}.request.json`));
  process.kill(owner, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(resultFile)) {
    if (Date.now() > deadline) throw new Error(`The running portal (process ${owner}) did not write the backup within ${timeoutMs / 1000} s.`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as Result;
  rmSync(resultFile, { force: true });
  if (!result.ok) throw new Error(`The running portal could not write the backup: ${result.error}`);
  return result;
}

/** In the portal: answers backup requests on SIGUSR2, one at a time. Returns the unsubscribe. */
export function serveBackupRequests(dataDir: string, database: Database, logger: Logger): () => void {
  const dir = join(dataDir, DIR);
  let running: Promise<void> = Promise.resolve();
  const handle = async () => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.request.json'))) {
      const id = name.slice(0, -'.request.json'.length);
      let result: Result;
      try {
        const request = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Request;
        rmSync(join(dir, name), { force: true });
        const { meta, events } = await openSnapshot(database.db);
        await writeBackupFile(request.file, meta, events);
        logger.info({ file: request.file, schemaVersion: meta.schemaVersion }, 'backup written');
        result = { ok: true, tables: meta.tables.length };
      } catch (e) {
        logger.error({ err: e }, 'backup failed');
        result = { ok: false, error: (e as Error).message };
      }
      writeFileSync(join(dir, `${id}.tmp`), JSON.stringify(result));
      renameSync(join(dir, `${id}.tmp`), join(dir, `${id}.result.json`));
    }
  };
  const onSignal = () => {
    running = running.then(handle, handle);
  };
  process.on('SIGUSR2', onSignal);
  return () => process.off('SIGUSR2', onSignal);
}
