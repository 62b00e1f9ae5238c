// The pool's clients run every awaited query in node-postgres's callback form (src/db/callback-queries.ts):
// on the database under test the answers and errors are those of the promise form, and calls that
// already have a callback or are submittables go through untouched.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type pg from 'pg';
import { callbackQueries } from '../../src/db/callback-queries.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase({ migrate: false });
});
afterAll(async () => t?.drop());

/** A client whose query records its arguments and answers through the callback it was given, if any. */
function recording() {
  const calls: unknown[][] = [];
  const client = {
    query: (...args: unknown[]) => {
      calls.push(args);
      const callback = args.find((a) => typeof a === 'function') as ((e: Error | null, r: unknown) => void) | undefined;
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      const fail = text === 'FAIL';
      if (callback) setImmediate(() => (fail ? callback(new Error('refused'), undefined) : callback(null, { rows: [{ text }] })));
      return callback ? undefined : Promise.resolve({ rows: [] });
    },
  };
  callbackQueries(client as unknown as pg.ClientBase);
  return { client: client as unknown as pg.ClientBase, calls };
}

it('turns awaited text and config queries into callback queries, with the same answers', async () => {
  const { client, calls } = recording();
  await expect(client.query('SELECT 1')).resolves.toEqual({ rows: [{ text: 'SELECT 1' }] });
  await expect(client.query('SELECT $1', [2])).resolves.toEqual({ rows: [{ text: 'SELECT $1' }] });
  const config = { name: 'wm_0', text: 'SELECT $1', values: [3] };
  await expect(client.query(config)).resolves.toEqual({ rows: [{ text: 'SELECT $1' }] });
  expect(calls.map((c) => c.map((a) => (typeof a === 'function' ? 'callback' : a)))).toEqual([
    ['SELECT 1', 'callback'],
    ['SELECT $1', [2], 'callback'],
    [config, 'callback'],
  ]);
});

it('leaves queries that have their own callback, and submittables, as they are', () => {
  const { client, calls } = recording();
  const own = () => {};
  client.query('SELECT 1', own);
  client.query('SELECT $1', [1], own);
  const submittable = { submit: () => {}, text: 'SELECT 1' };
  client.query(submittable as unknown as pg.Submittable);
  expect(calls).toEqual([['SELECT 1', own], ['SELECT $1', [1], own], [submittable]]);
});

it('rejects with the error, its stack leading back to the caller', async () => {
  const { client } = recording();
  const error = await client.query('FAIL').catch((e: unknown) => e as Error);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe('refused');
  expect((error as Error).stack).toContain('callback-queries.test');
});

it("answers on the portal's pool as node-postgres's promise form does, rows, errors and transactions", async () => {
  const c = await t.database.pool.connect();
  try {
    const { rows } = await c.query<{ n: number; at: Date }>(`SELECT g AS n, timestamptz '2026-03-29 01:30:00+00' + g * interval '1 hour' AS at FROM generate_series(1, 3) g WHERE g >= $1`, [2]);
    expect(rows).toEqual([
      { n: 2, at: new Date('2026-03-29T03:30:00Z') },
      { n: 3, at: new Date('2026-03-29T04:30:00Z') },
    ]);
    const failed = await c.query('SELECT 1 / $1::int', [0]).catch((e: unknown) => e as Error & { code?: string });
    expect(failed).toBeInstanceOf(Error);
    expect((failed as { code?: string }).code).toBe('22012');
    expect((failed as Error).stack).toContain('callback-queries.test');
    await c.query('BEGIN');
    await c.query('CREATE TEMP TABLE callback_probe (n int)');
    await c.query('INSERT INTO callback_probe VALUES ($1)', [7]);
    await c.query('ROLLBACK');
    expect(c.getTransactionStatus()).toBe('I');
  } finally {
    c.release();
  }
});
