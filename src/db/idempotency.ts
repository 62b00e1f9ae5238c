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
  const row = await sql<{ key: string }>`
    INSERT INTO idempotency_keys (principal, key, request_hash)
    VALUES (${scope.principal}, ${scope.key}, ${scope.requestHash})
    ON CONFLICT DO NOTHING RETURNING key`.execute(trx);
  if (row.rows.length === 0) throw new IdempotentReplay();
}

/** Last statement of the scope's transaction: what was made, when the result says (its `id`). */
export async function noteResource(trx: Executor, scope: IdempotencyScope, result: unknown): Promise<void> {
  const id = resourceIdOf(result);
  if (!id) return;
  scope.resourceId = id;
  await sql`UPDATE idempotency_keys SET resource_id = ${id} WHERE principal = ${scope.principal} AND key = ${scope.key}`.execute(trx);
}

function resourceIdOf(result: unknown): string | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as { id?: unknown; series?: { id?: unknown } };
  if (typeof r.id === 'string') return r.id;
  if (typeof r.series?.id === 'string') return r.series.id;
  return null;
}
