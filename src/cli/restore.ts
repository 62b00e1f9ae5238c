// `webmeetings restore <file>`: a backup into an empty database (the embedded one in DATA_DIR, or
// DATABASE_URL), then forward to this version's schema. The portal must be stopped.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { BackupFileError, readBackupFile } from '../db/backup-file.ts';
import { CliError } from './commands.ts';
import { describeCopy, writeCopy } from './database-copy.ts';

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new CliError('Usage: webmeetings restore <file> [--force]');
  if (!existsSync(file)) throw new CliError(`There is no file ${file}.`);
  const config = loadConfig();
  const backup = await readBackupFile(file).catch((e: Error) => {
    throw e instanceof BackupFileError ? new CliError(e.message) : e;
  });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const result = await writeCopy(database, backup.meta, backup.events, { force: values.force });
    const where = config.databaseUrl ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`;
    console.log(`Restored into ${where}: ${describeCopy(result, backup.meta)}. Backup of ${backup.meta.createdAt}.`);
  } finally {
    await database.close();
  }
}
