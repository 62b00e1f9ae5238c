// OpenID Connect sign-in: /auth/oidc/:id/login sends the browser to the provider (code flow with
// PKCE), /auth/oidc/:id/callback takes it back, with the same user and institution mapping as SAML.
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Identity } from '../../identity/module.ts';
import { OidcRejection } from '../../identity/oidc/relying-party.ts';
import { safeReturnTarget } from '../../identity/return-target.ts';
import { pickLang, sendError } from './discovery.ts';
import { startSession } from './saml.ts';

export const oidcRoutes: FastifyPluginAsync<{ identity: Identity }> = async (app, { identity }) => {
  const rp = identity.oidc;
  const safeReturn = (raw: unknown) => safeReturnTarget(raw, identity.publicUrl);

  app.get<{ Params: { id: string }; Querystring: { return?: string } }>('/auth/oidc/:id/login', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!rp) return sendError(reply, req, 404, 'OIDC_NOT_CONFIGURED', pickLang(req) === 'it' ? 'OpenID Connect non è configurato.' : 'OpenID Connect is not configured.');
    try {
      return reply.redirect(await rp.authorizationUrl(req.params.id, safeReturn(req.query.return)));
    } catch (e) {
      if (e instanceof OidcRejection) return sendError(reply, req, 404, e.code, pickLang(req) === 'it' ? 'Questo servizio di accesso non è configurato sul portale.' : 'This sign-in service is not configured on this portal.');
      req.log.error({ err: e, provider: req.params.id }, 'OIDC discovery failed');
      return sendError(reply, req, 502, 'OIDC_PROVIDER_UNREACHABLE', pickLang(req) === 'it' ? 'Il servizio di accesso non risponde; riprova tra poco.' : 'The sign-in service does not answer; try again shortly.');
    }
  });

  app.get<{ Params: { id: string } }>('/auth/oidc/:id/callback', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!rp) return sendError(reply, req, 404, 'OIDC_NOT_CONFIGURED');
    try {
      const { profile, returnTo, issuer } = await rp.callback(req.params.id, new URL(req.url, identity.publicUrl));
      const result = await identity.federated.signIn(profile, { protocol: 'oidc', issuer, provider: req.params.id }, req.id);
      await startSession(req, reply, identity, result.sessionId);
      req.log.info({ event: 'oidc.login', provider: req.params.id, userId: result.user.id, institutionId: result.institution?.id ?? null, newUser: result.newUser }, 'OIDC sign-in');
      return reply.redirect(safeReturn(returnTo));
    } catch (e) {
      if (e instanceof OidcRejection) {
        req.log.warn({ event: 'oidc.response.rejected', code: e.code, provider: req.params.id, reason: e.message }, `OIDC response rejected (${e.code}): ${e.message}`);
        return sendError(reply, req, 403, e.code);
      }
      if (e instanceof AppError) {
        req.log.warn({ event: 'oidc.login.refused', code: e.code }, `OIDC sign-in refused: ${e.message}`);
        return sendError(reply, req, 403, e.code, (pickLang(req) === 'it' && e.translations.it) || e.message);
      }
      throw e;
    }
  });
};
