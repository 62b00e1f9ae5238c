// `webmeetings archive-audit`: the audit entries the retention purge would delete (older than
// AUDIT_RETENTION_DAYS, or --days), written as JSON lines for an archive before they go. With
// --delete the entries written, and only those, are deleted once the file is complete on disk.
import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { PgHousekeeping } from '../db/housekeeping-repository.ts';
import { CliError } from './commands.ts';

const PAGE = 5_000;

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, days: { type: 'string' }, delete: { type: 'boolean', default: false } } });
  if (!values.out) throw new CliError('--out F: the file to write the archive to (JSON lines).');
  const config = loadConfig();
  const days = values.days === undefined ? config.retention.auditDays : Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new CliError('--days is a whole number of days, at least 1 (AUDIT_RETENTION_DAYS=0 keeps everything: give --days).');
  // Said at once, before the database opens; the 'wx' open below still guards against a race.
  if (existsSync(values.out)) throw exists(values.out);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    const store = new PgHousekeeping(database.db);
    const fd = openArchive(values.out);
    let written = 0;
    let last = '0';
    try {
      for (;;) {
        const rows = await store.auditOlderThan(days, last, PAGE);
        if (rows.length === 0) break;
        writeSync(fd, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        written += rows.length;
        last = rows.at(-1)!.id;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    console.error(`${written} audit entries older than ${days} days written to ${values.out}.`);
    if (values.delete && written > 0) {
      const deleted = await store.deleteAuditUpTo(days, last);
      console.error(`${deleted} of them deleted from the database.`);
    }
  } finally {
    await database.close();
  }
}

const exists = (file: string) => new CliError(`${file} already exists, and archive-audit never overwrites an archive: give --out a new file name.`);

// 'wx': an archive is never overwritten by mistake.
function openArchive(file: string): number {
  try {
    return openSync(file, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(file);
    if (code === 'ENOENT') throw new CliError(`The folder of ${file} does not exist: create it, or give --out a file in an existing folder.`);
    throw e;
  }
}
