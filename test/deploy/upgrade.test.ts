// Upgrades from every earlier schema version with data in it: for each version k, a fresh database
// gets migrations 1..k, each followed by the data a portal of that version held
// (upgrade-data/NNN.sql, optional for a migration that adds no table), then is migrated to the
// latest version. No row may be lost, and this version's code must read the old data. New
// migrations are picked up from src/db/migrations by themselves.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { listMigrations, migrate, schemaVersion } from '../../src/db/migrate.ts';
import type { Db } from '../../src/db/database.ts';
import { buildServices } from '../../src/portal.ts';
import { openTestDatabase } from '../support/database.ts';
import { TestClock } from '../support/portal.ts';

const migrations = listMigrations();
const latest = migrations.at(-1)!.version;
const DATA = join(import.meta.dirname, 'upgrade-data');
const dataFor = (version: number) => join(DATA, `${String(version).padStart(3, '0')}.sql`);

async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1`.execute(db);
  const counts: Record<string, number> = {};
  for (const t of tables.rows) {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(t.name)}`.execute(db);
    counts[t.name] = Number(rows[0]!.n);
  }
  return counts;
}

/** Migrations 1..k, each with its data. */
async function databaseAt(k: number) {
  const t = await openTestDatabase({ migrate: false });
  for (const m of migrations.filter((m) => m.version <= k)) {
    await migrate(t.database.db, { upTo: m.version });
    if (existsSync(dataFor(m.version))) await sql.raw(readFileSync(dataFor(m.version), 'utf8')).execute(t.database.db);
  }
  return t;
}

const admin = { actor: { userId: '20000000-0000-4000-8000-000000000001', role: 'admin' as const, institutionId: null } };

describe('upgrading the database', () => {
  for (const from of migrations.filter((m) => m.version < latest)) {
    it(`from version ${from.version} (${from.name}) to ${latest}, keeping every row, and this version reads it`, async () => {
      const t = await databaseAt(from.version);
      try {
        const db = t.database.db;
        const before = await rowCounts(db);
        const applied = await migrate(db);
        expect(applied).toEqual(migrations.filter((m) => m.version > from.version).map((m) => m.name));
        expect(await schemaVersion(db)).toBe(latest);
        const after = await rowCounts(db);
        for (const [table, n] of Object.entries(before)) expect(after[table], `rows of ${table}`).toBe(n);
        // The later versions' data goes on top, as those portals would have written it: then every
        // table holds rows (a new table without data in upgrade-data/ fails here).
        for (const m of migrations.filter((m) => m.version > from.version && existsSync(dataFor(m.version)))) {
          await sql.raw(readFileSync(dataFor(m.version), 'utf8')).execute(db);
        }
        const empty = Object.entries(await rowCounts(db)).filter(([, n]) => n === 0).map(([table]) => table);
        expect(empty, 'tables without rows: add them to test/deploy/upgrade-data/NNN.sql of the migration that made them').toEqual([]);

        const services = buildServices(loadConfig({ LOG_LEVEL: 'silent' }), t.database, new TestClock('2026-03-20T09:00:00Z'));
        const booking = await services.bookings.get(admin, '40000000-0000-4000-8000-000000000001');
        expect(booking).toMatchObject({ title: 'Consiglio di dipartimento', seats: 40, status: 'confirmed' });
        expect(booking.start.toISOString()).toBe('2026-04-01T08:00:00.000Z');
        const rooms = await services.uow.repos.rooms.list({ includeInactive: true });
        expect(rooms.map((r) => r.name)).toEqual(['Aula Magna']);
        const { series, occurrences } = await services.series.get(admin, '50000000-0000-4000-8000-000000000001');
        expect(series.rrule).toContain('FREQ=WEEKLY');
        expect(occurrences.map((o) => o.id)).toEqual(['40000000-0000-4000-8000-000000000003']);
        const pins = await sql<{ pin: string }>`SELECT pin FROM audio_pins WHERE booking_id = '40000000-0000-4000-8000-000000000001' ORDER BY role`.execute(db);
        expect(pins.rows.map((r) => r.pin)).toEqual(['7654321', '1234567']);
        // Version 7: every booking has its own secret meeting key, whenever it was made.
        const keys = await sql<{ id: string; meeting_key: string }>`SELECT id, meeting_key FROM bookings`.execute(db);
        for (const k of keys.rows) expect(k.meeting_key).toMatch(/^[0-9a-f]{32}$/);
        expect(new Set(keys.rows.map((k) => k.meeting_key)).size).toBe(keys.rows.length);
      } finally {
        await t.drop();
      }
    });
  }
});
