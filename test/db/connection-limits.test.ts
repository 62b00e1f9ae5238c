// An instance whose pool cannot fit in what the PostgreSQL server allows says so at start-up: under
// a burst its requests beyond the server's limit would be answered 503 DATABASE_UNAVAILABLE.
import { afterEach, describe, expect, it } from 'vitest';
import { connectionShortfall } from '../../src/db/database.ts';
import { onPostgres } from '../support/database.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

describe('connectionShortfall', () => {
  const limits = { max: 100, reservedForSuperusers: 3, open: 30 };

  it('is 0 while the pool and the LISTEN connection fit beside the others', () => {
    // 97 usable, 30 open of which 5 are this instance's: 25 others, 72 left for 20 + 1.
    expect(connectionShortfall(limits, { poolSize: 20, ownOpen: 5 }).short).toBe(0);
    expect(connectionShortfall(limits, { poolSize: 71, ownOpen: 5 }).short).toBe(0);
  });

  it('counts the connections the server would refuse', () => {
    expect(connectionShortfall(limits, { poolSize: 72, ownOpen: 5 }).short).toBe(1);
    expect(connectionShortfall(limits, { poolSize: 200, ownOpen: 0 }).short).toBe(200 + 1 - (97 - 30));
  });

  it('does not count its own open connections as others', () => {
    expect(connectionShortfall({ ...limits, open: 21 }, { poolSize: 96, ownOpen: 21 }).short).toBe(0);
  });
});

describe.runIf(onPostgres)('at start-up on PostgreSQL', () => {
  let t: TestPortal | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('warns when DATABASE_POOL_SIZE is more than the server allows, and names what to change', async () => {
    const logs: Record<string, unknown>[] = [];
    t = await startTestPortal({ env: { DATABASE_POOL_SIZE: '200' }, logs });
    const warning = logs.find((l) => l.event === 'database.connections-short');
    expect(warning).toMatchObject({ level: 40, poolSize: 200 });
    expect(warning!.max).toBeGreaterThan(0);
    expect(warning!.short).toBeGreaterThan(0);
    expect(warning!.msg).toMatch(/DATABASE_POOL_SIZE is 200 .* allows \d+ connections.*Lower DATABASE_POOL_SIZE .* or raise max_connections\.$/);
  });
});
