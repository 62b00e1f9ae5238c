// The access log: one line per request, in ECS fields, written when the answer is out. Fastify's own
// pair of lines ("incoming request", then "request completed" with every response header) doubled
// what Elasticsearch stores, and under a meeting-start burst at the default level (info) the pair
// added a third to a join's CPU, the one line about a seventh (bench/RESULTS.md, issue #13). A request
// not answered in time still leaves a line: the request timeout answers it (app.ts).
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { ecsUrl } from '../observability/logger.ts';

/** What one answered request says in the access log. */
export type AccessFacts = { method: string; url: string; clientAddress: string | undefined; status: number; elapsedMs: number; bytes: number | undefined };

/** The line's fields: the address with its secret part masked (guest links, feeds, tickets…). */
export function accessEntry(a: AccessFacts): Record<string, unknown> {
  return {
    http: { request: { method: a.method }, response: { status_code: a.status, ...(a.bytes !== undefined && { body: { bytes: a.bytes } }) } },
    url: ecsUrl(a.url),
    ...(a.clientAddress && { client: { address: a.clientAddress } }),
    // ECS: event.duration is in nanoseconds.
    event: { duration: Math.round(a.elapsedMs * 1e6) },
  };
}

function factsOf(req: FastifyRequest, reply: FastifyReply): AccessFacts {
  const length = reply.getHeader('content-length');
  return { method: req.method, url: req.url, clientAddress: req.ip, status: reply.statusCode, elapsedMs: reply.elapsedTime, bytes: length === undefined ? undefined : Number(length) };
}

type Levels = { isLevelEnabled?(level: string): boolean };

/** Fastify's per-request log lines, replaced by the one access line (its other lines stay as they are). */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ ...accessEntry(factsOf(req, reply)), err: error }, 'request errored');
      return;
    }
    // Nothing is built when the level is above info (pino's own check).
    if ((reply.log as unknown as Levels).isLevelEnabled?.('info') === false) return;
    reply.log.info(accessEntry(factsOf(req, reply)), 'request completed');
  }
}
