// The database pool gauge must describe the portal, not the scrape that reads it: a scrape's own
// gauges (readiness, the service snapshot) ask the pool for connections, and pg-pool queues such a
// request for a tick even when a connection is idle, so an idle portal read `waiting 3` on every
// scrape and the "pool exhausted" alerts (minimum over 5 min > 0) fired for ever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, startTestPortal, type TestPortal } from '../support/portal.ts';
import { onPostgres } from '../support/database.ts';
import { sampleOf } from '../support/metrics.ts';

// PGlite has one connection and no queue (waiting is always 0 there): only PostgreSQL shows it.
describe.skipIf(!onPostgres)('the database pool gauge of an idle portal on PostgreSQL', () => {
  let t: TestPortal;
  const scrape = async () => {
    const res = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    t = await startTestPortal({ env: { PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0', HOUSEKEEPING_TICK_SECONDS: '0' } });
    // Warm the pool up to several idle connections, as a portal that served requests has.
    await Promise.all(Array.from({ length: 6 }, () => t.api('GET', '/readyz')));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports no request waiting, scrape after scrape', async () => {
    for (let i = 0; i < 5; i++) {
      const text = await scrape();
      expect(sampleOf(text, 'webmeetings_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(sampleOf(text, 'webmeetings_db_pool_connections', { state: 'waiting' }), `scrape ${i + 1}`).toBe(0);
    }
  });

  it('reports no request waiting when two scrapes run at once (Prometheus and Zabbix)', async () => {
    const texts = await Promise.all([scrape(), scrape(), scrape()]);
    for (const text of texts) expect(sampleOf(text, 'webmeetings_db_pool_connections', { state: 'waiting' })).toBe(0);
  });

  it('still counts requests that really wait for a connection', async () => {
    // Hold every connection of the pool, then ask for one more: it waits until one is released.
    const pool = t.portal.database.pool;
    const size = pool.options.max ?? 10;
    const held = await Promise.all(Array.from({ length: size }, () => pool.connect()));
    const extra = pool.connect();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      for (const c of held) c.release();
      (await extra).release();
    };
    try {
      // The scrape's own database reads wait too: release the pool once it has begun.
      const pending = scrape();
      await new Promise((r) => setTimeout(r, 50));
      await release();
      expect(sampleOf(await pending, 'webmeetings_db_pool_connections', { state: 'waiting' })).toBeGreaterThanOrEqual(1);
    } finally {
      await release();
    }
  });
});
