// Idempotency keys written in the work's own transaction. A request that carries a key runs in an
// idempotency scope (AsyncLocalStorage, set by the HTTP layer); the first transaction the unit of
// work opens in that scope inserts the key row before anything else. The row commits or rolls back
// with the booking, so after a crash a retry finds either both or neither: it replays, or it runs
// for the first time. A retry arriving while the first is still in its transaction waits on the
// row's primary key (PostgreSQL makes the second INSERT wait for the first to end), then replays.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'kysely';
import type { Executor } from './database.ts';

export type IdempotencyScope = {
  principal: string;
  key: string;
  requestHash: string;
  /** Set once a transaction holding the key committed: later transactions of the request skip it. */
  committed: boolean;
  /** The id of what the committed transaction made, for a replay whose stored answer was lost. */
  resourceId: string | null;
};

export const idempotencyScope = new AsyncLocalStorage<IdempotencyScope>();

/** Thrown inside the transaction when the key is already taken: the work is not done again. */
export class IdempotentReplay extends Error {
  constructor() {
    super('idempotency key already used');
  }
}

/** First statement of the scope's transaction; throws IdempotentReplay when the key is taken. */
export async function claimKey(trx: Executor, scope: IdempotencyScope): Promise<void> {
  if ((await claimKeys(trx, [scope])).size > 0) throw new IdempotentReplay();
}

/** Last statement of the scope's transaction: what was made, when the result says (its `id`). */
export async function noteResource(trx: Executor, scope: IdempotencyScope, result: unknown): Promise<void> {
  await noteResources(trx, [{ scope, result }]);
}

function resourceIdOf(result: unknown): string | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as { id?: unknown; series?: { id?: unknown } };
  if (typeof r.id === 'string') return r.id;
  if (typeof r.series?.id === 'string') return r.series.id;
  return null;
}

/**
 * The keys of requests written in their transaction (one, or a group of bookings): the ones already
 * used (or used twice in the group: the first keeps it) come back, and their requests are replays.
 */
export async function claimKeys(trx: Executor, scopes: readonly IdempotencyScope[]): Promise<Set<IdempotencyScope>> {
  const taken = new Set<IdempotencyScope>();
  const first = new Map<string, IdempotencyScope>();
  for (const s of scopes) {
    const id = `${s.principal}\n${s.key}`;
    if (first.has(id)) taken.add(s);
    else first.set(id, s);
  }
  const claiming = [...first.values()];
  if (claiming.length === 0) return taken;
  const { rows } = await sql<{ principal: string; key: string }>`
    INSERT INTO idempotency_keys (principal, key, request_hash)
    SELECT * FROM unnest(${claiming.map((s) => s.principal)}::text[], ${claiming.map((s) => s.key)}::text[], ${claiming.map((s) => s.requestHash)}::text[])
    ON CONFLICT DO NOTHING RETURNING principal, key`.execute(trx);
  const claimed = new Set(rows.map((r) => `${r.principal}\n${r.key}`));
  for (const s of claiming) if (!claimed.has(`${s.principal}\n${s.key}`)) taken.add(s);
  return taken;
}

/** The keys of requests refused inside a group's transaction: gone, as if each had rolled back alone. */
export async function releaseKeys(trx: Executor, scopes: readonly IdempotencyScope[]): Promise<void> {
  if (scopes.length === 0) return;
  await sql`DELETE FROM idempotency_keys k USING unnest(${scopes.map((s) => s.principal)}::text[], ${scopes.map((s) => s.key)}::text[]) AS v(principal, key)
    WHERE k.principal = v.principal AND k.key = v.key`.execute(trx);
}

/** What the requests' work made, in one statement (noteResource for one). */
export async function noteResources(trx: Executor, made: readonly { scope: IdempotencyScope; result: unknown }[]): Promise<void> {
  const noted = made.flatMap(({ scope, result }) => {
    const id = resourceIdOf(result);
    return id ? [{ scope, id }] : [];
  });
  if (noted.length === 0) return;
  for (const n of noted) n.scope.resourceId = n.id;
  await sql`UPDATE idempotency_keys k SET resource_id = v.id
    FROM unnest(${noted.map((n) => n.scope.principal)}::text[], ${noted.map((n) => n.scope.key)}::text[], ${noted.map((n) => n.id)}::text[]) AS v(principal, key, id)
    WHERE k.principal = v.principal AND k.key = v.key`.execute(trx);
}
