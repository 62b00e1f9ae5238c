// Named prepared statements (src/db/prepared.ts) on the database under test: a repeated statement
// is prepared once on its connection, one-off and parameterless ones are not, the names are
// bounded, and a schema change under a prepared `SELECT *` costs no answer outside a transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
import { StatementNames, prepareRepeated } from '../../src/db/prepared.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase({ migrate: false });
});
afterAll(async () => t?.drop());

/** One connection of the pool under test, for statements that must share a session. */
async function withClient<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await t.database.pool.connect();
  try {
    return await work(c);
  } finally {
    c.release();
  }
}

const prepared = (c: pg.PoolClient) =>
  c.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY name').then((r) => r.rows);

describe('StatementNames', () => {
  it('names a text the second time it is seen, and no more than its bound', () => {
    const names = new StatementNames(2);
    expect(names.nameFor('a')).toBeUndefined();
    const a = names.nameFor('a');
    expect(a).toBeDefined();
    expect(names.nameFor('a')).toBe(a);
    names.nameFor('b');
    const b = names.nameFor('b');
    expect(b).toBeDefined();
    expect(b).not.toBe(a);
    names.nameFor('c');
    expect(names.nameFor('c')).toBeUndefined();
    expect(names.size).toBe(2);
  });
});

describe('prepared statements on the pool', () => {
  it('prepares a repeated parameterised statement once on its connection', async () => {
    await withClient(async (c) => {
      const text = 'SELECT $1::int + 1 AS n';
      expect((await c.query(text, [1])).rows).toEqual([{ n: 2 }]);
      expect((await prepared(c)).some((p) => p.statement === text)).toBe(false);
      expect((await c.query(text, [2])).rows).toEqual([{ n: 3 }]);
      expect((await c.query(text, [3])).rows).toEqual([{ n: 4 }]);
      expect((await prepared(c)).filter((p) => p.statement === text)).toHaveLength(1);
    });
  });

  it('leaves statements without parameters on the simple protocol (several statements in one text work)', async () => {
    await withClient(async (c) => {
      for (let i = 0; i < 3; i++) await c.query('SELECT 1; SELECT 2', []);
      expect((await prepared(c)).some((p) => p.statement.includes('SELECT 2'))).toBe(false);
    });
  });

  it('a schema change under a prepared SELECT * costs no answer outside a transaction, and one statement inside one', async () => {
    await t.database.pool.query('CREATE TABLE prepared_probe (id int PRIMARY KEY, a text)');
    await t.database.pool.query("INSERT INTO prepared_probe VALUES (1, 'x')");
    const text = 'SELECT * FROM prepared_probe WHERE id = $1';
    await withClient(async (c) => {
      for (let i = 0; i < 3; i++) expect((await c.query(text, [1])).rows).toEqual([{ id: 1, a: 'x' }]);
      expect((await prepared(c)).some((p) => p.statement === text)).toBe(true);
      // Another instance migrates (PGlite has one session: the same effect from this one).
      await alter(c, 'ALTER TABLE prepared_probe ADD COLUMN b text');
      expect((await c.query(text, [1])).rows).toEqual([{ id: 1, a: 'x', b: null }]);
      await alter(c, 'ALTER TABLE prepared_probe ADD COLUMN d text');
      await c.query('BEGIN');
      await expect(c.query(text, [1])).rejects.toMatchObject({ code: '0A000' });
      await c.query('ROLLBACK');
      // Prepared again under a new name: the next transaction reads the new columns.
      await c.query('BEGIN');
      expect((await c.query(text, [1])).rows).toEqual([{ id: 1, a: 'x', b: null, d: null }]);
      await c.query('COMMIT');
    });
  });
});

// Behind a pooler in transaction mode (DATABASE_PREPARED_STATEMENTS=false): nothing is prepared.
it.skipIf(!onPostgres)('prepares nothing when told not to', async () => {
  const plain = await openDatabase({ databaseUrl: t.url!, poolSize: 1, preparedStatements: false });
  try {
    const c = await plain.pool.connect();
    try {
      for (let i = 0; i < 3; i++) await c.query('SELECT $1::int AS n', [i]);
      expect(await prepared(c as pg.PoolClient)).toEqual([]);
    } finally {
      c.release();
    }
  } finally {
    await plain.close();
  }
});

async function alter(c: pg.PoolClient, statement: string): Promise<void> {
  if (!onPostgres) return void (await c.query(statement));
  const other = new pg.Client({ connectionString: t.url });
  await other.connect();
  try {
    await other.query(statement);
  } finally {
    await other.end();
  }
}

it('prepareRepeated leaves callback-style and config-object queries alone', async () => {
  const calls: unknown[][] = [];
  const fake = { query: (...args: unknown[]) => (calls.push(args), Promise.resolve({ rows: [] })), getTransactionStatus: () => 'I' } as unknown as pg.ClientBase;
  const names = new StatementNames();
  prepareRepeated(fake, names);
  const config = { text: 'SELECT $1', values: [1] };
  await fake.query(config);
  await fake.query(config);
  expect(calls).toEqual([[config], [config]]);
});
