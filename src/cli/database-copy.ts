// What restore and migrate-to-postgres share: a target brought to the copy's schema version, with
// pg-boss's schema installed, then the copy written in one transaction and the target migrated on.
import pino from 'pino';
import type { Database } from '../db/database.ts';
import { migrate, schemaVersion } from '../db/migrate.ts';
import { applySnapshot, type ApplyResult, type SnapshotEvent, type SnapshotMeta } from '../db/snapshot.ts';
import { JobQueue } from '../jobs/queue.ts';
import { CliError } from './commands.ts';

export async function writeCopy(target: Database, meta: SnapshotMeta, events: AsyncIterable<SnapshotEvent>, opts: { force?: boolean } = {}): Promise<ApplyResult> {
  const before = await schemaVersion(target.db);
  if (before > meta.schemaVersion) {
    throw new CliError(`The target database is at schema version ${before}, newer than the copy's ${meta.schemaVersion}: restore into an empty database.`);
  }
  await migrate(target.db, { upTo: meta.schemaVersion });
  if (meta.jobSchemaVersion !== null) {
    // pg-boss installs its own schema when it starts; a start and stop leaves it there, empty.
    const queue = new JobQueue(target, pino({ level: 'silent' }));
    await queue.start();
    await queue.stop();
  }
  const result = await applySnapshot(target.db, meta, events, opts).catch((e: Error) => {
    throw /already holds data|schema differs/.test(e.message) ? new CliError(e.message) : e;
  });
  await migrate(target.db);
  return result;
}

export function describeCopy(result: ApplyResult, meta: SnapshotMeta): string {
  const r = result.rows;
  const n = (id: string) => r[`public.${id}`] ?? 0;
  // A source whose portal never started has no job queue: nothing was left behind then.
  const jobs = result.jobsCopied
    ? `, ${r['pgboss.job'] ?? 0} queued or past jobs`
    : meta.jobSchemaVersion === null
      ? ' (the source had no job queue yet: the portal makes one when it starts)'
      : ' (job queue not copied: another pg-boss version)';
  return `${n('bookings')} bookings, ${n('booking_series')} series, ${n('rooms')} rooms, ${n('users')} people, ${n('audio_pins')} dial-in PINs, ${n('provider_meetings')} provider meetings${jobs}`;
}
