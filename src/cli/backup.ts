// `webmeetings backup <file>`: a consistent copy of the database. With the embedded database in
// use by a running portal, the portal writes it (see db/backup-requests.ts); else the CLI opens
// the database itself. Works on PostgreSQL too, where pg_dump is the usual tool.
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { DatabaseInUseError, dataDirOwner, openDatabase } from '../db/database.ts';
import { writeBackupFile } from '../db/backup-file.ts';
import { requestBackup } from '../db/backup-requests.ts';
import { openSnapshot } from '../db/snapshot.ts';
import { CliError } from './commands.ts';

export async function run(args: string[]): Promise<void> {
  const [target, ...rest] = args;
  if (!target || rest.length) throw new CliError('Usage: webmeetings backup <file>   (for example backup-2026-05-01.wmbackup)');
  const file = resolve(target);
  const config = loadConfig();
  if (!config.databaseUrl) {
    const owner = dataDirOwner(config.dataDir);
    if (owner !== null) {
      await requestBackup(config.dataDir, owner, file);
      console.log(`Backup written to ${file} by the running portal (process ${owner}).`);
      return;
    }
  }
  let database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  } catch (e) {
    // The portal started between the look at the lock and the open: ask it instead.
    if (e instanceof DatabaseInUseError) throw new CliError(`${e.message} Run the backup again: it will ask the running portal.`);
    throw e;
  }
  try {
    const { meta, events } = await openSnapshot(database.db);
    await writeBackupFile(file, meta, events);
    console.log(`Backup written to ${file} (schema version ${meta.schemaVersion}).`);
  } finally {
    await database.close();
  }
}
