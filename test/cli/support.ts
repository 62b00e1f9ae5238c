// Runs the real `webmeetings` command (node src/cli.ts) as a person or a script would, with the
// environment it is given and nothing inherited but PATH and HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { expect } from 'vitest';
import { waitFor } from '../api/provisioning-support.ts';
import { book, room, type Phone } from '../telephony/support.ts';
import { root } from '../support/main-process.ts';

export type CliRun = { code: number | null; stdout: string; stderr: string };

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['src/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `wm-${name}-`));

/** Every row of every table (ours and the job queue's), as text, per table. */
export async function everyRow(db: Db): Promise<Record<string, string[]>> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL timezone = 'UTC'`.execute(trx);
    await sql`SET LOCAL datestyle = 'ISO, YMD'`.execute(trx);
    const tables = await sql<{ id: string }>`
      SELECT table_schema || '.' || table_name AS id FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' AND (table_schema = 'public' OR (table_schema = 'pgboss' AND table_name IN ('queue', 'schedule', 'job')))
      ORDER BY 1`.execute(trx);
    const out: Record<string, string[]> = {};
    for (const { id } of tables.rows) {
      // pg-boss's queue rows carry counters its maintenance updates on its own: compare the definitions.
      const select = id === 'pgboss.queue' ? 'name, policy, retry_limit, dead_letter, partition' : '*';
      const { rows } = await sql.raw<{ r: string }>(`SELECT row_to_json(t)::text AS r FROM (SELECT ${select} FROM ${id}) t`).execute(trx);
      out[id] = rows.map((r) => r.r).sort();
    }
    return out;
  });
}

/** Waits until every booking's sync job has made its provider_meetings row. */
export const allProvisioned = (p: Phone) =>
  waitFor('a provider_meetings row for every booking', async () => {
    const { rows } = await sql<{ missing: number }>`SELECT count(*)::int AS missing FROM bookings b
      WHERE NOT EXISTS (SELECT 1 FROM provider_meetings pm WHERE pm.booking_id = b.id)`.execute(p.t.db.database.db);
    return rows[0]!.missing === 0;
  }, 60_000);

/**
 * What the copy tests copy, made through the API of a running phone portal: a booking with its PINs
 * and an invitee, a weekly series of four; it returns once every booking is provisioned.
 */
export async function bookSample(p: Phone) {
  const single = await book(p, { start: '2026-03-23T09:00:00Z', end: '2026-03-23T10:00:00Z' });
  const series = await p.t.api('POST', '/api/v1/series', {
    as: p.booker,
    body: { title: 'Lezione', roomId: await room(p), seats: 10, start: '2026-03-24T10:00', end: '2026-03-24T11:00', rrule: 'FREQ=WEEKLY;COUNT=4', mode: 'all-or-nothing' },
  });
  expect(series.status, JSON.stringify(series.body)).toBe(201);
  const invite = await p.t.api('POST', `/api/v1/bookings/${single.id}/invitees`, { as: p.booker, body: { email: 'guest@example.org' } });
  expect(invite.status, JSON.stringify(invite.body)).toBeLessThan(300);
  await allProvisioned(p);
  return { single, series };
}
