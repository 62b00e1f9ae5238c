// Who may call each route is data on the route (`config.access`), read from the route the router
// matched, never from the URL string: the router decodes `/%61pi/v1/…`, folds `//` and a trailing
// `/`, so any check on `req.url` can be walked around. A route that declares nothing refuses to
// start the server, so a new route cannot be open by accident.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Actor, Role } from '../domain/access.ts';
import type { AccountService } from '../app/accounts.ts';
import type { CallContext } from '../ports.ts';
import { hashSecret } from '../identity/secrets.ts';
import { AppError } from '../domain/errors.ts';
import { sendProblem, toProblem } from './errors.ts';

export const SESSION_COOKIE = 'wm_session';

/**
 * - `public`: anyone; no credentials are looked at (the route is not acting for anyone).
 * - `signed-in`: a live session or personal API token.
 * - `{ role }`: signed in with one of these roles (use-cases check the finer rules again).
 */
export type Access = 'public' | 'signed-in' | { readonly role: Role | readonly Role[] };

/** The credential a request was authenticated with, by hash (for revocation notices). */
export type Credential = { kind: 'session' | 'token'; hash: string };

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    viaSession: boolean;
    credential: Credential | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Unsafe methods authenticated by the session cookie need the CSRF token (header
     * X-CSRF-Token, or a `csrf` field of a form post). Default true.
     */
    csrf?: boolean;
    /** How a non-public route answers a caller without credentials; default 401 problem+json. */
    anonymous?: (req: FastifyRequest, reply: FastifyReply) => unknown;
  }
}

/** `ownAnonymousAnswer`: the route answers callers without credentials itself (a page, a redirect). */
export type DeclaredRoute = { method: string; url: string; access: Access; ownAnonymousAnswer: boolean };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The refusals of this layer, typed like a use-case's and answered in the person's language
// (http/errors.ts), with the request's id.
const UNAUTHENTICATED = new AppError('unauthenticated', 'UNAUTHENTICATED', 'Sign in first, or send a personal API token as "Authorization: Bearer …".', {}, {
  it: 'Accedi prima, oppure invia un token API personale come "Authorization: Bearer …".',
});
const INVALID_TOKEN = new AppError('unauthenticated', 'INVALID_TOKEN', 'The API token is unknown or was revoked.', {}, {
  it: 'Il token API non è noto o è stato revocato.',
});
const CSRF_TOKEN_INVALID = new AppError('forbidden', 'CSRF_TOKEN_INVALID', 'Send the X-CSRF-Token header with the token from GET /api/v1/me.', {}, {
  it: 'Invia l’intestazione X-CSRF-Token con il token di GET /api/v1/me (nel portale: ricarica la pagina).',
});
const ROLE_NAMES: Record<Role, { en: string; it: string }> = {
  admin: { en: 'administrator', it: 'amministratore' },
  'institution-manager': { en: 'institution manager', it: 'referente dell’ente' },
  member: { en: 'member', it: 'utente' },
};
const roleRequired = (roles: readonly Role[]) =>
  new AppError('forbidden', 'ROLE_REQUIRED', `Only ${roles.map((r) => ROLE_NAMES[r].en).join(' or ')} accounts may do this.`, { roles }, {
    it: `Solo gli account ${roles.map((r) => ROLE_NAMES[r].it).join(' o ')} possono farlo.`,
  });
const refuse = (req: FastifyRequest, reply: FastifyReply, e: AppError) => sendProblem(reply, toProblem(e, req));

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The session cookie's attributes, the same for local and federated sign-in. */
export const sessionCookieOptions = (secure: boolean, hours: number) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: hours * 3600 });

/**
 * Routes registered inside `scope` by third-party plugins (static files, the OpenAPI browser)
 * that cannot declare access themselves are public. Only for plugins serving public material.
 */
export function publicByDefault(scope: FastifyInstance) {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: route.config?.access ?? 'public' };
  });
}

/**
 * Collects every route with its declaration; `onReady` refuses to start when one has none.
 * Call first, before any route is registered.
 */
export function registerAccess(app: FastifyInstance, accounts: AccountService): () => DeclaredRoute[] {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  const declared = () =>
    routes.flatMap((r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      return methods.map((method) => ({ method, url: r.url, access: r.config?.access as Access, ownAnonymousAnswer: Boolean(r.config?.anonymous) }));
    });
  app.addHook('onReady', async () => {
    const missing = declared().filter((r) => r.access === undefined);
    if (missing.length > 0) {
      throw new Error(`Routes without an access declaration (config.access): ${missing.map((r) => `${r.method} ${r.url}`).join(', ')}`);
    }
  });

  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('viaSession', false);
  app.decorateRequest('credential', null);

  // Authentication and role, before the body is read: an anonymous caller costs no parsing.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.is404) return; // the not-found handler answers; nothing is served
    const config = req.routeOptions.config;
    const access = config.access;
    if (access === 'public') return;
    if (access === undefined) {
      // Unreachable after onReady's check; refuse rather than serve.
      return refuse(req, reply, new AppError('forbidden', 'ACCESS_UNDECLARED', 'This route declares no access and is closed.', {}, { it: 'Questo percorso non dichiara chi può accedervi, quindi è chiuso.' }));
    }
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7).trim();
      req.actor = await accounts.actorForToken(token);
      if (!req.actor) return refuse(req, reply, INVALID_TOKEN);
      req.credential = { kind: 'token', hash: hashSecret(token) };
    } else {
      const sid = req.cookies[SESSION_COOKIE];
      const found = sid ? await accounts.actorForSession(sid) : null;
      if (found && sid) {
        req.actor = found.actor;
        req.csrfToken = found.csrfToken;
        req.viaSession = true;
        req.credential = { kind: 'session', hash: hashSecret(sid) };
      }
    }
    if (!req.actor) {
      if (config.anonymous) return config.anonymous(req, reply);
      return refuse(req, reply, UNAUTHENTICATED);
    }
    if (typeof access === 'object') {
      const roles: readonly Role[] = typeof access.role === 'string' ? [access.role] : access.role;
      if (!roles.includes(req.actor.role)) {
        return refuse(req, reply, roleRequired(roles));
      }
    }
  });

  // CSRF after the body is parsed, so that a form post may carry the token as a field.
  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.viaSession || SAFE_METHODS.has(req.method) || req.routeOptions.config.csrf === false) return;
    const header = req.headers['x-csrf-token'];
    const field = (req.body as { csrf?: unknown } | undefined)?.csrf;
    const sent = typeof header === 'string' ? header : typeof field === 'string' ? field : null;
    if (sent === null || !req.csrfToken || !sameSecret(sent, req.csrfToken)) {
      return refuse(req, reply, CSRF_TOKEN_INVALID);
    }
  });

  return declared;
}

/** The call context of an authenticated request (routes that are not public only). */
export function callContext(req: FastifyRequest): CallContext {
  if (!req.actor) throw new Error('callContext on an unauthenticated request');
  return { actor: req.actor, requestId: req.id };
}
