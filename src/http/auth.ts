// Who is calling: a session cookie (browser, CSRF-protected) or a personal API token (scripts).
// Every /api/v1 route except the public ones needs one; each use-case then checks the role.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Actor } from '../domain/access.ts';
import type { AccountService } from '../app/accounts.ts';
import type { CallContext } from '../ports.ts';
import { problem, sendProblem } from './errors.ts';

export const SESSION_COOKIE = 'wm_session';

/** The session cookie's attributes, the same for local and federated sign-in. */
export const sessionCookieOptions = (secure: boolean, hours: number) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: hours * 3600 });

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    viaSession: boolean;
  }
  interface FastifyContextConfig {
    /** Route answers without a signed-in caller. */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function registerAuth(app: FastifyInstance, accounts: AccountService) {
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('viaSession', false);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/v1/')) return;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      req.actor = await accounts.actorForToken(header.slice(7).trim());
      if (!req.actor) return sendProblem(reply, problem(401, 'INVALID_TOKEN', 'The API token is unknown or was revoked.', { instance: req.url }));
    } else {
      const sid = req.cookies[SESSION_COOKIE];
      const found = sid ? await accounts.actorForSession(sid) : null;
      if (found) {
        req.actor = found.actor;
        req.csrfToken = found.csrfToken;
        req.viaSession = true;
        const sent = req.headers['x-csrf-token'];
        if (!SAFE_METHODS.has(req.method) && (typeof sent !== 'string' || !sameSecret(sent, found.csrfToken))) {
          return sendProblem(
            reply,
            problem(403, 'CSRF_TOKEN_INVALID', 'Send the X-CSRF-Token header with the token from GET /api/v1/me.', { instance: req.url }),
          );
        }
      }
    }
    if (!req.actor && !req.routeOptions.config.public) {
      return sendProblem(reply, problem(401, 'UNAUTHENTICATED', 'Sign in first, or send a personal API token as "Authorization: Bearer …".', { instance: req.url }));
    }
  });
}

/** The call context of an authenticated request (routes that are not public only). */
export function callContext(req: FastifyRequest): CallContext {
  if (!req.actor) throw new Error('callContext on an unauthenticated request');
  return { actor: req.actor, requestId: req.id };
}
