// A backup taken while the portal runs and keeps writing, restored into a fresh database, holds
// every booking, series, PIN and provisioning state, and the restored portal works on it. The same
// stream is what migrate-to-postgres copies, so this also covers that copy's rows.
import { readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCopy } from '../../src/cli/database-copy.ts';
import { readBackupFile, writeBackupFile } from '../../src/db/backup-file.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openSnapshot } from '../../src/db/snapshot.ts';
import { loadConfig } from '../../src/config.ts';
import { buildServices } from '../../src/portal.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { TestClock } from '../support/portal.ts';
import { book, startPhonePortal, stopPhonePortal, type Phone } from '../telephony/support.ts';
import { bookSample, everyRow, tempDir } from './support.ts';


/** The rows a backup file holds, per table, as written. */
function rowsInFile(file: string): Record<string, string[]> {
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n').slice(1);
  const out: Record<string, string[]> = {};
  let table = '';
  for (const line of lines) {
    if (line.startsWith('["T",')) out[(table = JSON.parse(line)[1] as string)] = [];
    else if (line.startsWith('["R",')) out[table]!.push(line.slice(5, -1));
  }
  return out;
}

let p: Phone;
let dir: string;
const targets: TestDatabase[] = [];
beforeAll(async () => {
  p = await startPhonePortal(); // 2026-03-20T09:20Z; telephony on, so bookings get PINs
  dir = tempDir('backup');
});
afterAll(async () => {
  for (const t of targets) await t.drop();
  await stopPhonePortal(p);
  rmSync(dir, { recursive: true, force: true });
});

async function freshTarget(): Promise<TestDatabase> {
  const t = await openTestDatabase({ migrate: false });
  targets.push(t);
  return t;
}

describe('backup and restore', () => {
  it('restores a backup taken while the portal writes into a fresh database: every row, PIN, series and job', async () => {
    const { single, series } = await bookSample(p);

    // The snapshot is taken, then the portal books again before the file is written: the backup
    // holds the state of the moment it was taken, whole (on PGlite the booking waits for it).
    const file = join(dir, 'running.wmbackup');
    const { meta, events } = await openSnapshot(p.t.db.database.db);
    const later = book(p, { start: '2026-03-25T09:00:00Z', end: '2026-03-25T10:00:00Z' });
    await writeBackupFile(file, meta, events);
    const laterId = (await later).id;
    const inFile = rowsInFile(file);
    expect(inFile['public.bookings']!.some((r) => r.includes(single.id))).toBe(true);
    expect(inFile['public.bookings']!.some((r) => r.includes(laterId))).toBe(false);

    const target = await freshTarget();
    const backup = await readBackupFile(file);
    expect(backup.meta).toMatchObject({ format: 'webmeetings-backup', schemaVersion: meta.schemaVersion, jobSchemaVersion: expect.any(Number) });
    const result = await writeCopy(target.database, backup.meta, backup.events);
    expect(result.jobsCopied).toBe(true);
    const restored = await everyRow(target.database.db);
    for (const [table, rows] of Object.entries(inFile)) {
      if (table.startsWith('public.')) expect(restored[table], table).toEqual([...rows].sort());
    }
    expect(Object.keys(restored).filter((t) => t.startsWith('public.')).sort()).toEqual(Object.keys(inFile).filter((t) => t.startsWith('public.')).sort());
    expect(restored['pgboss.job']!.length).toBe(inFile['pgboss.job']!.length);
    expect(restored['pgboss.job']!.length).toBeGreaterThan(0);
    expect(restored['public.audio_pins']!.length).toBeGreaterThanOrEqual(2 * 2);
    expect(restored['public.provider_meetings']!.length).toBe(restored['public.bookings']!.length);
    expect(restored['public.booking_invitees']!.length).toBe(1);

    // The restored database works: the booking, its PIN, the series, and new identity values.
    const services = buildServices(loadConfig({ LOG_LEVEL: 'silent' }), target.database, new TestClock('2026-03-20T09:20:00Z'));
    const ctx = { actor: { userId: p.booker.userId, role: 'member' as const, institutionId: p.booker.institutionId } };
    expect((await services.bookings.get(ctx, single.id)).start.toISOString()).toBe('2026-03-23T09:00:00.000Z');
    const pins = await sql<{ pin: string }>`SELECT pin FROM audio_pins WHERE booking_id = ${single.id} AND role = 'participant'`.execute(target.database.db);
    expect(pins.rows[0]?.pin).toBe(single.pin);
    const s = await services.series.get(ctx, series.body.series.id);
    expect(s.occurrences).toHaveLength(4);
    await services.uow.transaction((r) => r.audit.record({ actorId: null, action: 'test', entity: 'test', entityId: 'x', before: null, after: null }));
    const ids = await sql<{ id: string }>`SELECT id::text FROM audit_log ORDER BY id`.execute(target.database.db);
    expect(new Set(ids.rows.map((r) => r.id)).size).toBe(ids.rows.length);
  });

  it('refuses a database that already holds data, and a file cut short, changing nothing', async () => {
    const file = join(dir, 'refused.wmbackup');
    const { meta, events } = await openSnapshot(p.t.db.database.db);
    await writeBackupFile(file, meta, events);

    const used = await freshTarget();
    await migrate(used.database.db);
    await used.database.db.insertInto('rooms').values({ name: 'Already here', capacity: 10, time_zone: 'Europe/Rome' }).execute();
    const b1 = await readBackupFile(file);
    await expect(writeCopy(used.database, b1.meta, b1.events)).rejects.toThrow(/already holds data \(rooms\)/);
    expect(await used.database.db.selectFrom('rooms').select('name').execute()).toEqual([{ name: 'Already here' }]);

    truncateSync(file, Math.floor(statSync(file).size * 0.8));
    const empty = await freshTarget();
    const b2 = await readBackupFile(file);
    await expect(writeCopy(empty.database, b2.meta, b2.events)).rejects.toThrow(/incomplete|unexpected end|invalid|JSON/i);
    expect(await empty.database.db.selectFrom('bookings').select('id').execute()).toEqual([]);
  });
});
