// REQUEST_TIMEOUT_SECONDS: a request the handler has not answered in time gets a 503 problem with
// Retry-After (the client retries with its Idempotency-Key) instead of hanging; event streams,
// which answer at once and then stay open, are exempt; the requests after it are served normally.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

describe('the request time limit', () => {
  let t: TestPortal;
  beforeAll(async () => {
    t = await startTestPortal({ env: { REQUEST_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  it('answers 503 REQUEST_TIMEOUT with Retry-After when the database holds a request past the limit, and serves the next one', async () => {
    const events = new AbortController();
    const stream = await fetch(`${t.baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${t.admin.token}` }, signal: events.signal });
    expect(stream.status).toBe(200);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // A transaction that keeps the bookings table locked (on PGlite: the one connection) for as long as we say.
    const holder = t.db.database.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE`.execute(trx);
      locked();
      await held;
    });
    await isLocked;
    const started = Date.now();
    const answer = await t.api('GET', '/api/v1/bookings', { as: t.admin });
    const waited = Date.now() - started;
    release();
    await holder;
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('REQUEST_TIMEOUT');
    expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(answer.body.detail).toMatch(/took too long/);
    // Not before the limit; the sweep answers within a quarter of it after (plus scheduling).
    expect(waited).toBeGreaterThanOrEqual(1000);
    // The portal goes on: the same request now succeeds, and the event stream opened before the
    // limit is still open well after it (it is exempt).
    expect((await t.api('GET', '/api/v1/bookings', { as: t.admin })).status).toBe(200);
    const reader = stream.body!.getReader();
    const chunk = await reader.read();
    expect(chunk.done).toBe(false);
    events.abort();
  });
});
