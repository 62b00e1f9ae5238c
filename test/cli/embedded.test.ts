// The embedded database's life with the real commands: rooms imported from a file, a backup taken
// by `webmeetings backup` while the portal runs (the portal writes it), restored by
// `webmeetings restore` into another data folder, statistics exported from it, and, on the
// PostgreSQL run, moved to PostgreSQL by `webmeetings migrate-to-postgres`.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';
import { startMain, type MainProcess } from '../support/main-process.ts';
import { everyRow, runCli, tempDir } from './support.ts';

const dir = tempDir('embedded');
const live = { DATA_DIR: join(dir, 'live') };
const restored = { DATA_DIR: join(dir, 'restored') };
let main: MainProcess | null = null;
let pg: TestDatabase | null = null;

beforeAll(async () => {
  const rooms = join(dir, 'rooms.csv');
  writeFileSync(rooms, 'name,capacity,timeZone\n"Aula 1, piano terra",120,Europe/Rome\nSala Riunioni,12,\nAula Magna,250,\n');
  const imported = await runCli(['import-rooms', rooms], { env: { ...live, SEED_DEFAULT_ROOMS: 'true' } });
  expect(imported.stderr).toBe('');
  // Eight default rooms were seeded first; Aula Magna is one of them (200 seats) and is updated.
  expect(imported.stdout).toBe('Created 2, updated 1, left 0 unchanged.\n');
}, 120_000);
afterAll(async () => {
  if (main) {
    main.child.kill('SIGTERM');
    await new Promise((r) => main!.child.once('exit', r));
  }
  await pg?.drop();
});

async function roomsIn(dataDir: string) {
  const d = await openDatabase({ dataDir });
  try {
    return (await d.db.selectFrom('rooms').select(['name', 'capacity']).orderBy('name').execute()).map((r) => `${r.name}:${r.capacity}`);
  } finally {
    await d.close();
  }
}

describe('the embedded database with the webmeetings command', () => {
  it('import-rooms refuses a file with mistakes and writes nothing', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'Ok', capacity: 10 }, { name: 'Zero', capacity: 0 }, { name: 'Where', capacity: 5, timeZone: 'Mars/Olympus' }]));
    const r = await runCli(['import-rooms', bad], { env: live });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/room 2: capacity .*\n.*room 3: timeZone is not an IANA time zone/);
    expect(await roomsIn(live.DATA_DIR)).not.toContain('Ok:10');
  }, 120_000);

  it('backup asks the running portal for a consistent copy; restore brings it back in another folder', async () => {
    main = await startMain({ PATH: process.env.PATH, ...live, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const file = join(dir, 'live.wmbackup');
    const backup = await runCli(['backup', file], { env: live });
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toBe(`Backup written to ${file} by the running portal (process ${main.child.pid}).\n`);
    // The portal kept running and serving throughout (liveness: /readyz may report the event-loop
    // delay the in-process copy of the embedded database caused on a loaded machine).
    expect((await fetch(`${main.url}/healthz`)).status).toBe(200);

    const restore = await runCli(['restore', file], { env: restored });
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toMatch(/^Restored into the embedded database in .*restored: 0 bookings, 0 series, 10 rooms, 0 people, 0 dial-in PINs, 0 provider meetings, \d+ queued or past jobs\. Backup of 20\d\d-/);
    expect(await roomsIn(restored.DATA_DIR)).toEqual([
      'Aula 1, piano terra:120', 'Aula Galileo:200', 'Aula Magna:250', 'Sala Agnesi:50', 'Sala Fermi:100',
      'Sala Hack:50', 'Sala Levi-Montalcini:50', 'Sala Marconi:50', 'Sala Riunioni:12', 'Sala Volta:100',
    ]);

    const again = await runCli(['restore', file], { env: restored });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds data \(rooms\); restore into an empty database/);
  }, 240_000);

  it('export-stats writes CSV of the restored database', async () => {
    const r = await runCli(['export-stats', '--from', '2026-01', '--to', '2026-03'], { env: restored });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('month,room,institution,meetings,hours,seat_hours\n');
  }, 120_000);

  it.skipIf(!onPostgres)('migrate-to-postgres copies everything into an empty PostgreSQL database', async () => {
    pg = await openTestDatabase({ migrate: false });
    const r = await runCli(['migrate-to-postgres', '--to', pg.url!], { env: restored });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Copied from .*restored to PostgreSQL: 0 bookings, 0 series, 10 rooms/);
    const source = await openDatabase({ dataDir: restored.DATA_DIR });
    try {
      const [a, b] = [await everyRow(source.db), await everyRow(pg.database.db)];
      for (const table of Object.keys(a).filter((t) => t.startsWith('public.'))) expect(b[table], table).toEqual(a[table]);
    } finally {
      await source.close();
    }
    expect(existsSync(restored.DATA_DIR)).toBe(true);
  }, 240_000);
});
