// Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header). The key is written in the
// same transaction as the work (db/idempotency.ts), so a retry after a crash or a timeout replays
// the answer or runs for the first time, never a second time; a retry while the first is running
// waits for it and replays its answer. The same key with a different body gets 422. Answers that
// carry a secret shown once (a new API token, a feed address), and requests that carry one (a
// password change), are never stored: those routes refuse the header. Keys are purged after IDEMPOTENCY_KEY_HOURS (jobs/housekeeping.ts).
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { IdempotentReplay, idempotencyScope, type IdempotencyScope } from '../db/idempotency.ts';
import { problem, sendProblem } from './errors.ts';

const KEY = /^[\x21-\x7e]{1,255}$/;
/** How long a retry waits for the answer of a first request that committed but has not answered yet. */
const ANSWER_WAIT_MS = 5_000;

/**
 * The stored request hash leaves out passwords (a new person's first password): a fast hash of a
 * password kept for a day is one an attacker with the table could guess offline. A retry that
 * changes only the password is then taken as the same request and gets the first answer.
 */
const withoutPasswords = (key: string, value: unknown) => (/password/i.test(key) ? undefined : value);

export type ReplayAnswer = { status: number; body: unknown; location?: string };

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyScope | null;
  }
  interface FastifyContextConfig {
    /** false: the answer carries a secret shown once; an Idempotency-Key is refused. */
    idempotency?: false;
    /**
     * Rebuilds the answer from what the first request made when its stored answer was lost (the
     * process died between its commit and its answer).
     */
    idempotentReplay?: (req: FastifyRequest, resourceId: string) => Promise<ReplayAnswer>;
  }
}

type StoredRow = { request_hash: string; status: number | null; response: unknown; resource_id: string | null };

export function registerIdempotency(app: FastifyInstance, db: Db) {
  app.decorateRequest('idempotency', null);

  const read = async (scope: Pick<IdempotencyScope, 'principal' | 'key'>) =>
    (await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status', 'response', 'resource_id'])
      .where('principal', '=', scope.principal)
      .where('key', '=', scope.key)
      .executeTakeFirst()) as StoredRow | undefined;

  async function replay(req: FastifyRequest, reply: FastifyReply, scope: IdempotencyScope, first: StoredRow | undefined) {
    let row = first;
    // Committed, but its answer is still being written (or never will be: the process died).
    for (const until = Date.now() + ANSWER_WAIT_MS; row && row.status === null && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
      row = await read(scope);
    }
    if (!row) return sendProblem(reply, problem(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry in a moment.', { instance: req.url }));
    if (row.request_hash !== scope.requestHash) {
      return sendProblem(reply, problem(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request; use a new key.', { instance: req.url }));
    }
    reply.header('idempotent-replayed', 'true');
    if (row.status !== null) {
      const stored = row.response as { contentType: string; body: unknown };
      return reply.code(row.status).type(stored.contentType).send(stored.body);
    }
    const rebuild = req.routeOptions.config.idempotentReplay;
    if (rebuild && row.resource_id) {
      const answer = await rebuild(req, row.resource_id);
      if (answer.location) reply.header('location', answer.location);
      return reply.code(answer.status).send(answer.body);
    }
    return sendProblem(
      reply,
      problem(409, 'IDEMPOTENCY_ANSWER_LOST', 'The request with this Idempotency-Key was carried out, but its answer was lost; look the result up instead of retrying.', {
        instance: req.url,
        resourceId: row.resource_id,
      }),
    );
  }

  // Runs each POST handler inside its request's idempotency scope, and replays when the
  // transaction found the key already taken (a retry that raced the first request).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST')) return;
    const handler = route.handler;
    route.handler = async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      const scope = req.idempotency;
      if (!scope) return handler.call(this, req, reply);
      try {
        return await idempotencyScope.run(scope, () => handler.call(this, req, reply));
      } catch (e) {
        if (!(e instanceof IdempotentReplay)) throw e;
        req.idempotency = null; // nothing of this request is to be stored
        return replay(req, reply, scope, await read(scope));
      }
    };
  });

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined || !req.actor || reply.sent) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      return sendProblem(reply, problem(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', { instance: req.url }));
    }
    if (req.routeOptions.config.idempotency === false) {
      return sendProblem(
        reply,
        problem(400, 'IDEMPOTENCY_KEY_NOT_ACCEPTED', 'This request carries or answers with a secret, so no copy of it is kept for a replay: send it without an Idempotency-Key.', { instance: req.url }),
      );
    }
    const requestHash = createHash('sha256').update(`${req.method} ${req.routeOptions.url}\n${req.url}\n${JSON.stringify(req.body ?? null, withoutPasswords)}`).digest('base64url');
    const scope: IdempotencyScope = { principal: req.actor.userId, key, requestHash, committed: false, resourceId: null };
    const prior = await read(scope);
    if (prior) return replay(req, reply, scope, prior);
    req.idempotency = scope;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const scope = req.idempotency;
    if (!scope) return payload;
    req.idempotency = null;
    const status = reply.statusCode;
    // The work committed with its key: store its answer. Otherwise nothing was recorded (no
    // transaction, or it rolled back): only a success is stored, so a refused request may be retried.
    if (scope.committed ? status >= 500 : status >= 300) return payload;
    let body: unknown = payload;
    try {
      body = typeof payload === 'string' ? JSON.parse(payload) : payload;
    } catch {
      /* not JSON: store as text */
    }
    const response = JSON.stringify({ contentType: String(reply.getHeader('content-type') ?? 'application/json'), body });
    await sql`
      INSERT INTO idempotency_keys (principal, key, request_hash, status, response)
      VALUES (${scope.principal}, ${scope.key}, ${scope.requestHash}, ${status}, ${response}::jsonb)
      ON CONFLICT (principal, key) DO UPDATE SET status = EXCLUDED.status, response = EXCLUDED.response
      WHERE idempotency_keys.request_hash = EXCLUDED.request_hash AND idempotency_keys.status IS NULL`.execute(db);
    return payload;
  });
}
