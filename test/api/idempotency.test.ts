// Exactly once under retries and crashes: the Idempotency-Key is written in the booking's own
// transaction, so a retry replays or waits, never books twice; answers with secrets are never
// stored; old keys are purged.
import { once } from 'node:events';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMain, type MainProcess } from '../support/main-process.ts';
import { onPostgres } from '../support/database.ts';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { answerOf, resendWhileUnavailable } from '../support/resend.ts';

let t: TestPortal;
let alice: Caller;
let room: string;

beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:00:00Z' });
  alice = await t.user('member', (await t.institution()).id, 'Alice');
  room = t.rooms.find((r) => r.capacity === 50)!.id;
});
afterAll(() => t.close());

const book = (key: string, body: Record<string, unknown>) =>
  t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'Retried', roomId: room, seats: 5, ...body }, headers: { 'idempotency-key': key } });

const bookingsAt = async (startUtc: string) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM bookings WHERE status = 'confirmed' AND lower(during) = ${startUtc}::timestamptz`.execute(t.db.database.db)).rows[0]!.n,
  );

describe('Idempotency-Key in the booking’s transaction', () => {
  it('a request held up inside its transaction by a lock and its retry both answer with the one booking', async () => {
    if (!onPostgres) return; // PGlite has one session: nothing can hold a lock beside the request
    // Hold the seat-pool lock of the meeting's hour (db/booking-repository.ts: class 7310002, the
    // hour since the epoch) from another connection: the request waits inside its transaction.
    const hour = Math.floor(Date.parse('2026-04-01T08:00:00Z') / 3_600_000);
    const blocker = new pg.Client({ connectionString: t.db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_advisory_xact_lock(7310002, $1::int)', [hour]);
      const first = book('held-1', { start: '2026-04-01T10:00', end: '2026-04-01T11:00' });
      await new Promise((r) => setTimeout(r, 300));
      // The client gave up on the first and retries with the same key while it is still held.
      const retry = book('held-1', { start: '2026-04-01T10:00', end: '2026-04-01T11:00' });
      await new Promise((r) => setTimeout(r, 300));
      await blocker.query('ROLLBACK');
      const [a, b] = await Promise.all([first, retry]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.body.id).toBe(a.body.id);
      expect(b.headers.get('idempotent-replayed')).toBe('true');
      expect(await bookingsAt('2026-04-01T08:00:00Z')).toBe(1);
    } finally {
      await blocker.end();
    }
  });

  it('a retry racing the first request while it is still in its transaction waits and replays (20 at once)', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => book('race-1', { start: '2026-04-02T10:00', end: '2026-04-02T11:00' })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await bookingsAt('2026-04-02T08:00:00Z')).toBe(1);
  });

  it('after the answer was lost (committed, then the process died), a retry gets the booking made, not a second one', async () => {
    const first = await book('lost-1', { start: '2026-04-03T10:00', end: '2026-04-03T11:00' });
    expect(first.status).toBe(201);
    // What a SIGKILL between the commit and the answer leaves: the key row without an answer.
    await sql`UPDATE idempotency_keys SET status = NULL, response = NULL WHERE key = 'lost-1'`.execute(t.db.database.db);
    const retry = await book('lost-1', { start: '2026-04-03T10:00', end: '2026-04-03T11:00' });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get('location')).toBe(`/api/v1/bookings/${first.body.id}`);
    expect(await bookingsAt('2026-04-03T08:00:00Z')).toBe(1);
  });

  it('a booking that rolled back leaves no key: its retry runs for the first time', async () => {
    const taken = await t.api('POST', '/api/v1/bookings', { as: alice, body: { title: 'First', roomId: room, seats: 5, start: '2026-04-04T10:00', end: '2026-04-04T11:00' } });
    expect(taken.status).toBe(201);
    const refused = await book('rolled-back-1', { start: '2026-04-04T10:00', end: '2026-04-04T11:00' });
    expect(refused.status).toBe(409);
    const rows = await sql`SELECT 1 FROM idempotency_keys WHERE key = 'rolled-back-1'`.execute(t.db.database.db);
    expect(rows.rows).toHaveLength(0);
  });
});

describe('answers with secrets', () => {
  it('refuses an Idempotency-Key on creating an API token or a feed address, and stores nothing', async () => {
    const me = await t.api('POST', '/api/v1/me/feeds', { as: alice, body: {}, headers: { 'idempotency-key': 'feed-1' } });
    expect(me.status).toBe(400);
    expect(me.body.code).toBe('IDEMPOTENCY_KEY_NOT_ACCEPTED');
    const token = await t.api('POST', '/api/v1/me/tokens', { as: alice, body: { name: 'x' }, headers: { 'idempotency-key': 'token-1' } });
    expect(token.status).toBe(400);
    expect(token.body.code).toBe('IDEMPOTENCY_KEY_NOT_ACCEPTED');
    const stored = await sql<{ response: unknown }>`SELECT response FROM idempotency_keys`.execute(t.db.database.db);
    expect(JSON.stringify(stored.rows)).not.toMatch(/wmt_|\/feeds\//);
  });
});

describe('requests that carry a password', () => {
  it('keep no hash of the password: a new person made with a key is replayed whatever password the retry carries', async () => {
    const body = { name: 'Paola Neri', email: 'paola.neri@example.org', role: 'member', password: 'paola first passphrase' };
    const first = await t.api('POST', '/api/v1/users', { as: t.admin, body, headers: { 'idempotency-key': 'person-1' } });
    expect(first.status).toBe(201);
    // The same body with another password is the same request; another name is not (422).
    const retry = await t.api('POST', '/api/v1/users', { as: t.admin, body: { ...body, password: 'some other passphrase' }, headers: { 'idempotency-key': 'person-1' } });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    const renamed = await t.api('POST', '/api/v1/users', { as: t.admin, body: { ...body, name: 'Paola Rossi' }, headers: { 'idempotency-key': 'person-1' } });
    expect(renamed.status).toBe(422);
  });
});

describe('purging old keys', () => {
  it('removes keys older than IDEMPOTENCY_KEY_HOURS and keeps the recent ones', async () => {
    await sql`INSERT INTO idempotency_keys (principal, key, request_hash, status, response, created_at)
              SELECT ${alice.userId}, 'old-' || g, 'h', 201, '{}'::jsonb, now() - interval '2 days' FROM generate_series(1, 300) g`.execute(t.db.database.db);
    const before = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM idempotency_keys`.execute(t.db.database.db)).rows[0]!.n);
    const removed = await t.portal.housekeeping.runNow();
    expect(removed['idempotency-keys']).toBe(300);
    const after = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM idempotency_keys`.execute(t.db.database.db)).rows[0]!.n);
    expect(after).toBe(before - 300);
    expect(after).toBeGreaterThan(0);
  });
});

describe('a SIGKILL under load', () => {
  it('retries of every request answered or not after the crash give one booking per key', async () => {
    if (!onPostgres) return; // two processes on one database: PostgreSQL only
    const env = { ...process.env, DATABASE_URL: t.db.url!, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SEED_DEFAULT_ROOMS: 'false', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' };
    type Answer = { status: number; body: { id?: string } };
    const run = async (main: MainProcess, keys: string[], onAnswer: (a: Answer) => void = () => {}): Promise<Answer[]> =>
      Promise.all(
        keys.map((key, i) =>
          // The server's connections are shared with the test files beside this one: a 503
          // DATABASE_UNAVAILABLE is sent again after its Retry-After, with the same key, as a client would.
          resendWhileUnavailable(() =>
            fetch(`${main.url}/api/v1/bookings`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}`, 'idempotency-key': key },
              // Each key its own hour in the real (wall) clock's future (the process has no test clock),
              // in any room: a request run twice would take a second room, which the count below sees.
              body: JSON.stringify({ title: `Crash ${key}`, seats: 1, start: slot(i).start, end: slot(i).end }),
            }).then((r) => answerOf<{ id?: string }>(r)),
          )
            .then(
              ({ status, body }): Answer => ({ status, body }),
              (): Answer => ({ status: 0, body: {} }),
            )
            .then((a) => (onAnswer(a), a)),
        ),
      );
    const keys = Array.from({ length: 60 }, (_, i) => `crash-${i}`);
    const first = await startMain(env);
    // Killed as soon as ten answers have arrived, the others on their way: some of those committed.
    // (Counted as the client receives them: the log is written asynchronously, and may lag.)
    let answered = 0;
    let kill!: () => void;
    const killed = new Promise<void>((resolve) => (kill = resolve));
    const inFlight = run(first, keys, (a) => {
      if (a.status === 201 && ++answered === 10) kill();
    });
    // (Should fewer than ten be 201, the kill comes when all are in, and the checks below say why.)
    void inFlight.then(() => kill());
    await killed;
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const before = await inFlight;
    const second = await startMain(env);
    try {
      const retried = await run(second, keys);
      // Listed whole (key, status, body), so that a failure says which answer and why.
      expect(retried.flatMap((r, i) => (r.status === 201 ? [] : [{ key: keys[i], ...r }]))).toEqual([]);
      expect(retried.map((r) => r.status)).toEqual(Array(keys.length).fill(201));
      for (const [i, r] of before.entries()) if (r.status === 201) expect(retried[i]!.body.id).toBe(r.body.id);
      const rows = await sql<{ title: string; n: string }>`SELECT title, count(*) AS n FROM bookings WHERE title LIKE 'Crash crash-%' GROUP BY title`.execute(t.db.database.db);
      expect(rows.rows).toHaveLength(keys.length);
      expect(rows.rows.every((r) => r.n === '1')).toBe(true);
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  });
});

/** Distinct one-hour slots, one per day, some weeks ahead of the real clock (main.ts runs on it). */
function slot(i: number) {
  const day = new Date(Date.now() + (14 + i) * 86_400_000).toISOString().slice(0, 10);
  return { start: `${day}T10:00`, end: `${day}T11:00` };
}
