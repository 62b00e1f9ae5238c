// Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header): the first request with a key
// claims it in PostgreSQL; its answer is stored and replayed to every retry with the same key, on
// any server instance. A retry while the first is still running gets 409; the same key with a
// different body gets 422. Server errors are not stored, so a retry after one runs again.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/database.ts';
import { problem, sendProblem } from './errors.ts';

const LEASE_SECONDS = 60;
const KEY = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { principal: string; key: string } | null;
  }
}

export function registerIdempotency(app: FastifyInstance, db: Db) {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined || !req.actor || reply.sent) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      return sendProblem(reply, problem(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', { instance: req.url }));
    }
    const principal = req.actor.userId;
    const hash = createHash('sha256').update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`).digest('base64url');
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ principal, key, request_hash: hash, locked_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const prior = await db
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status', 'response', sql<boolean>`locked_until < now()`.as('expired')])
        .where('principal', '=', principal)
        .where('key', '=', key)
        .executeTakeFirst();
      if (prior && prior.request_hash !== hash) {
        return sendProblem(
          reply,
          problem(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request; use a new key.', { instance: req.url }),
        );
      }
      if (prior && prior.status !== null) {
        const stored = prior.response as { contentType: string; body: unknown };
        return reply.code(prior.status).header('idempotent-replayed', 'true').type(stored.contentType).send(stored.body);
      }
      // Still running elsewhere, unless its lease ran out (the process died): then take it over.
      const taken = prior?.expired
        ? await db
            .updateTable('idempotency_keys')
            .set({ locked_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
            .where('principal', '=', principal)
            .where('key', '=', key)
            .where('status', 'is', null)
            .where(sql<boolean>`locked_until < now()`)
            .executeTakeFirst()
        : undefined;
      if (!taken || taken.numUpdatedRows === 0n) {
        return sendProblem(reply, problem(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry in a moment.', { instance: req.url }));
      }
    }
    req.idempotency = { principal, key };
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotency;
    if (!claim) return payload;
    req.idempotency = null;
    const where = db.updateTable('idempotency_keys').where('principal', '=', claim.principal).where('key', '=', claim.key);
    if (reply.statusCode >= 500) {
      await db.deleteFrom('idempotency_keys').where('principal', '=', claim.principal).where('key', '=', claim.key).execute();
      return payload;
    }
    let body: unknown = payload;
    try {
      body = typeof payload === 'string' ? JSON.parse(payload) : payload;
    } catch {
      /* not JSON: store as text */
    }
    const contentType = String(reply.getHeader('content-type') ?? 'application/json');
    await where.set({ status: reply.statusCode, response: JSON.stringify({ contentType, body }), locked_until: null }).execute();
    return payload;
  });
}
