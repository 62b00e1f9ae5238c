// The backup file: a gzip-compressed text file, one JSON value a line. The first line is the
// snapshot's meta (format, schema versions, tables and columns); then `["T", table]` starts a
// table and each `["R", row]` is one row as row_to_json() wrote it; `["Q", queue]` is a job queue's
// definition and `["S", sequences]` the sequences. Lines are written as they are read, so a large
// database never sits in memory, and the file is renamed into place only once complete.
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { SNAPSHOT_FORMAT, type SnapshotEvent, type SnapshotMeta } from './snapshot.ts';
import type { SequenceState } from './table-copy.ts';

async function* lines(meta: SnapshotMeta, events: AsyncIterable<SnapshotEvent>): AsyncGenerator<string> {
  yield `${JSON.stringify(meta)}\n`;
  for await (const e of events) {
    if (e.kind === 'table') yield `${JSON.stringify(['T', e.id])}\n`;
    else if (e.kind === 'rows') yield e.rows.map((r) => `["R",${r}]\n`).join('');
    else if (e.kind === 'queues') yield e.rows.map((r) => `["Q",${r}]\n`).join('');
    else yield `${JSON.stringify(['S', e.sequences])}\n`;
  }
}

export async function writeBackupFile(path: string, meta: SnapshotMeta, events: AsyncIterable<SnapshotEvent>): Promise<void> {
  const partial = `${path}.partial`;
  try {
    await pipeline(Readable.from(lines(meta, events)), createGzip(), createWriteStream(partial, { mode: 0o600 }));
    renameSync(partial, path);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

export class BackupFileError extends Error {}

/** Opens a backup: its meta at once, then its events, with rows in batches of `batch`. */
export async function readBackupFile(path: string, batch = 500): Promise<{ meta: SnapshotMeta; events: AsyncGenerator<SnapshotEvent> }> {
  const input = createReadStream(path);
  await Promise.race([once(input, 'open'), once(input, 'error').then(([e]) => Promise.reject(e as Error))]);
  const reader = createInterface({ input: input.pipe(createGunzip()), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const first = await reader.next().catch(() => ({ done: true, value: '' }));
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(String(first.value)) as SnapshotMeta;
  } catch {
    meta = null as unknown as SnapshotMeta;
  }
  if (first.done || meta?.format !== SNAPSHOT_FORMAT) {
    input.destroy();
    throw new BackupFileError(`${path} is not a WebMeetings backup (made by \`webmeetings backup\`).`);
  }
  async function* events(): AsyncGenerator<SnapshotEvent> {
    let rows: string[] = [];
    const queues: string[] = [];
    let sawEnd = false;
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      const line: string = next.value;
      if (line.startsWith('["R",')) {
        rows.push(line.slice(5, -1));
        if (rows.length >= batch) {
          yield { kind: 'rows', rows };
          rows = [];
        }
        continue;
      }
      if (rows.length) yield { kind: 'rows', rows };
      rows = [];
      if (line.startsWith('["Q",')) {
        queues.push(line.slice(5, -1));
        continue;
      }
      if (queues.length) yield { kind: 'queues', rows: queues.splice(0) };
      const [tag, value] = JSON.parse(line) as [string, unknown];
      if (tag === 'T') yield { kind: 'table', id: value as string };
      else if (tag === 'S') {
        yield { kind: 'sequences', sequences: value as SequenceState[] };
        sawEnd = true;
      } else throw new BackupFileError(`${path}: unknown line ${line.slice(0, 40)}`);
    }
    if (rows.length) yield { kind: 'rows', rows };
    // The sequences are the last line: a file without them was cut short.
    if (!sawEnd) throw new BackupFileError(`${path} is incomplete (it ends before its last line); use another backup.`);
  }
  return { meta, events: events() };
}
