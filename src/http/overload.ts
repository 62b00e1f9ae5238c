// Under overload the portal answers fast and honestly: a 503 problem+json (code OVERLOADED) with
// Retry-After, at once, instead of letting requests queue until clients time out (measured before
// this: at 500 concurrent joins on 2 busy cores, p99 above 5 s and some connections never answered).
// Two bounds, either of which refuses:
// - the requests in progress on this instance (OVERLOAD_MAX_IN_FLIGHT): a bounded queue; one more is
//   refused before anything is parsed or read;
// - the event loop's mean delay over the last second (OVERLOAD_EVENT_LOOP_DELAY_MS), measured by
//   @fastify/under-pressure: when the process is already behind, new work only makes it later.
// Health probes and metrics are never refused (/readyz says why this instance is unready), nor the
// live-update streams, which stay open for hours and are bounded per person and address elsewhere.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';
import { problem } from './errors.ts';

export type OverloadLimits = {
  /** Requests in progress at once on this instance (0: no bound). */
  maxInFlight: number;
  /** Mean event-loop delay over the last second, in ms, above which new requests are refused (0: off). */
  eventLoopDelayMs: number;
  /** What Retry-After says. */
  retryAfterSeconds: number;
};

const EXEMPT = /^\/(healthz|readyz|metrics)(\?|$)|^\/api\/v1\/events(\?|\/|$)/;

function refuse(reply: FastifyReply, limits: OverloadLimits, detail: string) {
  return reply
    .code(503)
    .header('retry-after', String(limits.retryAfterSeconds))
    .type('application/problem+json')
    .send(problem(503, 'OVERLOADED', detail, { retryAfterSeconds: limits.retryAfterSeconds }));
}

/** Registers both bounds on the root instance, before any route. */
export async function registerOverloadGuard(app: FastifyInstance, limits: OverloadLimits, onRefused: (reason: 'in-flight' | 'event-loop') => void): Promise<void> {
  let inFlight = 0;
  if (limits.maxInFlight > 0) {
    app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      if (EXEMPT.test(req.url)) return done();
      if (inFlight >= limits.maxInFlight) {
        onRefused('in-flight');
        refuse(reply, limits, `This instance is answering ${limits.maxInFlight} requests already; send the request again in ${limits.retryAfterSeconds} s.`);
        return;
      }
      inFlight++;
      // 'close' fires once for every response, sent or aborted.
      reply.raw.once('close', () => inFlight--);
      done();
    });
  }
  if (limits.eventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: limits.eventLoopDelayMs,
      retryAfter: limits.retryAfterSeconds,
      // Resolved once the answer is out (a reply is a thenable): under-pressure then calls the next
      // hook, which Fastify skips for a sent reply. Resolving earlier would let the next hooks run
      // while the onSend hooks are still at work.
      pressureHandler: async (req, reply) => {
        if (EXEMPT.test(req.url)) return; // handled normally
        onRefused('event-loop');
        await refuse(reply, limits, `This instance is running behind; send the request again in ${limits.retryAfterSeconds} s.`);
      },
    });
  }
}
