// The documented PostgreSQL backup (docs/en/operations/index.md, "Back up and restore"), word for
// word: `pg_dump -Fc -f webmeetings.dump "$DATABASE_URL"` while the portal runs and writes, then
// `pg_restore --no-owner -d "$DATABASE_URL" webmeetings.dump` into an empty database. Every
// booking, series, PIN, invitee and provisioning state is there, and a portal started on the
// restored database works. PostgreSQL only (pg_dump does not read the embedded database).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriDouble } from '../doubles/ari/index.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { book, NUMBER, SIP_DOMAIN, startPhonePortal, stopPhonePortal, type Phone } from '../telephony/support.ts';
import { allProvisioned, bookSample, everyRow, tempDir } from './support.ts';

/** A command line as the documentation writes it, run by a shell with DATABASE_URL set. */
function sh(line: string, cwd: string, databaseUrl: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', line], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl } }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

let p: Phone | null = null;
let dir: string;
let target: TestDatabase | null = null;
let restoredAri: AriDouble | null = null;
let restored: TestPortal | null = null;

beforeAll(() => {
  dir = tempDir('pg-dump');
});
afterAll(async () => {
  await restored?.close();
  await restoredAri?.close();
  await target?.drop();
  if (p) await stopPhonePortal(p);
  rmSync(dir, { recursive: true, force: true });
});

describe('pg_dump and pg_restore as the operations guide says', () => {
  it.skipIf(!onPostgres)('a dump taken while the portal writes restores into an empty database whole, and a portal works on it', async () => {
    p = await startPhonePortal(); // 2026-03-20T09:20Z; telephony on, so bookings get PINs
    const { single, series } = await bookSample(p);
    const before = await everyRow(p.t.db.database.db);

    // The dump runs while the portal books again (pg_dump reads one snapshot: the new booking is in
    // it whole or not at all).
    const source = p.t.db.url!;
    const [dump] = await Promise.all([
      sh('pg_dump -Fc -f webmeetings.dump "$DATABASE_URL"', dir, source),
      Promise.all([book(p, { start: '2026-03-25T09:00:00Z', end: '2026-03-25T10:00:00Z' }), book(p, { start: '2026-03-26T09:00:00Z', end: '2026-03-26T10:00:00Z' })]),
    ]);
    expect(dump.code, dump.stderr).toBe(0);
    await allProvisioned(p);
    const after = await everyRow(p.t.db.database.db);

    target = await openTestDatabase({ migrate: false });
    const restore = await sh('pg_restore --no-owner -d "$DATABASE_URL" webmeetings.dump', dir, target.url!);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toBe('');

    const rows = await everyRow(target.database.db);
    expect(Object.keys(rows).sort()).toEqual(Object.keys(before).sort());
    for (const [table, was] of Object.entries(before)) {
      // What existed before the dump and did not change while it ran is in the restored database,
      // and nothing there is from outside the time the dump ran.
      const stable = was.filter((r) => after[table]!.includes(r));
      expect(rows[table], table).toEqual(expect.arrayContaining(stable));
      if (table.startsWith('public.') && !['public.provider_meetings', 'public.audit_log'].includes(table)) {
        const seen = new Set([...was, ...after[table]!]);
        expect(rows[table]!.filter((r) => !seen.has(r)), table).toEqual([]);
      }
    }
    // The bookings made while the dump ran: each one whole (its PINs with it) or absent.
    const db = target.database.db;
    const restoredBookings = (await sql<{ id: string }>`SELECT id::text AS id FROM bookings ORDER BY 1`.execute(db)).rows.map((r) => r.id);
    const withPins = (await sql<{ id: string }>`SELECT DISTINCT booking_id::text AS id FROM audio_pins ORDER BY 1`.execute(db)).rows.map((r) => r.id);
    expect(withPins).toEqual(restoredBookings);
    expect(restoredBookings).toContain(single.id);
    expect(restoredBookings.length).toBeGreaterThanOrEqual(1 + 4);
    expect(rows['public.audio_pins']!.length).toBeGreaterThanOrEqual(2 * restoredBookings.length);
    expect(rows['public.booking_invitees']!.length).toBe(1);
    expect(rows['public.booking_series']!.length).toBe(1);
    expect(rows['public.provider_meetings']!.length).toBeGreaterThanOrEqual(1 + 4);
    expect(rows['pgboss.job']!.length).toBeGreaterThan(0);

    // A portal on the restored database: the booker's token still works, the booking, its PIN and
    // the series read back, and a new booking gets fresh identity values.
    restoredAri = await AriDouble.start({ playbackMs: 10 });
    restored = await startTestPortal({
      db: target,
      now: '2026-03-20T09:20:00Z',
      env: { ARI_URL: restoredAri.url, ARI_USERNAME: restoredAri.username, ARI_PASSWORD: restoredAri.password, DIAL_IN_NUMBERS: `IT:${NUMBER}`, SIP_DOMAIN, AUDIO_SWEEP_SECONDS: '0', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', PUBLIC_URL: 'http://portal.test' },
    });
    const got = await restored.api('GET', `/api/v1/bookings/${single.id}`, { as: p.booker });
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.start).toBe('2026-03-23T09:00:00.000Z');
    const audio = await restored.api('GET', `/api/v1/bookings/${single.id}/audio`, { as: p.booker });
    expect(audio.status).toBe(200);
    expect([audio.body.pin, audio.body.hostPin]).toEqual([single.pin, single.hostPin]);
    const s = await restored.api('GET', `/api/v1/series/${series.body.series.id}`, { as: p.booker });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const fresh = await restored.api('POST', '/api/v1/bookings', {
      as: p.booker,
      body: { title: 'Dopo il ripristino', roomId: JSON.parse(rows['public.bookings']![0]!).room_id, start: '2026-03-27T09:00:00Z', end: '2026-03-27T10:00:00Z', seats: 5 },
    });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(201);
  }, 300_000);
});
