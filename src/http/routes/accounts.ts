import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, forbidden } from '../../domain/errors.ts';
import { SESSION_COOKIE, callContext, sessionCookieOptions } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';
import { meView } from '../views.ts';
import { toActor } from '../../app/accounts.ts';
import { safeReturnTarget } from '../../identity/return-target.ts';

export const accountRoutes: FastifyPluginAsyncZod<{ services: Services; cookieSecure: boolean; sessionHours: number; publicUrl: string }> = async (
  app,
  { services, cookieSecure, sessionHours, publicUrl },
) => {
  const accounts = services.accounts;

  app.post('/session', {
    config: { access: 'public' },
    schema: { tags: ['session'], summary: 'Sign in with a local account', body: S.SignIn, response: { 200: S.SignedIn, ...S.errorResponses } },
    handler: async (req, reply) => {
      let signedIn;
      try {
        signedIn = await accounts.signIn(req.body.email, req.body.password, req.id, req.ip);
      } catch (e) {
        if (e instanceof AppError && e.code === 'TOO_MANY_SIGN_IN_ATTEMPTS') {
          req.log.warn({ event: 'login.rate-limited', account: req.body.email, address: req.ip, retryAfterSeconds: e.details.retryAfterSeconds }, 'local sign-in rate limited');
        }
        throw e;
      }
      const { sessionId, csrfToken, user } = signedIn;
      // A fresh id at every sign-in (no fixation); the old cookie's session, if any, ends.
      const old = req.cookies[SESSION_COOKIE];
      if (old) await accounts.signOut(old);
      reply.setCookie(SESSION_COOKIE, sessionId, sessionCookieOptions(cookieSecure, sessionHours));
      // The same "me" as GET /me, so a client knows at once whether this person may book.
      const me = await accounts.me({ actor: toActor(user), requestId: req.id });
      // The same same-origin check as every federated return address.
      return { user: meView(me, csrfToken), csrfToken, next: safeReturnTarget(req.body.next, publicUrl) };
    },
  });

  app.delete('/session', {
    config: { access: 'signed-in' },
    schema: { tags: ['session'], summary: 'Sign out (the session ends on the server)', response: { 204: z.null() } },
    handler: async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) await accounts.signOut(sid);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  });

  app.get('/me', {
    config: { access: 'signed-in' },
    schema: { tags: ['session'], summary: 'The signed-in user, whether they may book, and the CSRF token', response: { 200: S.Me, ...S.errorResponses } },
    handler: async (req) => {
      const me = await accounts.me(callContext(req));
      return meView(me, req.csrfToken);
    },
  });

  app.patch('/me', {
    config: { access: 'signed-in' },
    schema: { tags: ['session'], summary: 'Save the signed-in person’s language, their mail choices (reminders, time zone) and (administrators) whether new requests are mailed to them', body: S.MePatch, response: { 200: S.Me, ...S.errorResponses } },
    handler: async (req) => {
      const ctx = callContext(req);
      // The mail choices first: a member's request that names the administrators' switch changes nothing.
      const { locale: _locale, ...mail } = req.body;
      if (Object.values(mail).some((v) => v !== undefined)) await accounts.setMailSettings(ctx, mail);
      const me = req.body.locale !== undefined ? await accounts.setLanguage(ctx, req.body.locale) : await accounts.me(ctx);
      return meView(me, req.csrfToken);
    },
  });

  // Passwords, sessions and new tokens are a browser's: a token (a script) neither changes, sees nor
  // ends them, nor mints tokens.
  const sessionOf = (req: FastifyRequest, what: { en: string; it: string }) => {
    if (!req.viaSession || req.credential?.kind !== 'session') throw forbidden('SESSION_REQUIRED', what.en, { it: what.it });
    return req.credential.hash;
  };

  app.post('/me/password', {
    // The body holds passwords: not even a hash of it is kept for a replay.
    config: { access: 'signed-in', idempotency: false },
    schema: {
      tags: ['session'],
      summary: 'Change your own local password, giving the current one (ends your other sessions; from a browser session only)',
      body: S.PasswordChange,
      response: { 200: z.object({ signedOut: z.number().int().describe('How many of your other sessions ended') }), ...S.errorResponses },
    },
    handler: async (req) => {
      // Like minting tokens: a token (a script) does not change the password of the person it acts for.
      const here = sessionOf(req, { en: 'Change your password from a signed-in browser session.', it: 'Cambia la password da una sessione del browser in cui hai effettuato l’accesso.' });
      return accounts.changePassword(callContext(req), { current: req.body.currentPassword, password: req.body.password, keepSession: here, address: req.ip });
    },
  });

  app.get('/me/sessions', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['session'],
      summary: 'How many of your sessions are open besides this one (other browsers and devices; from a browser session only)',
      response: { 200: z.object({ others: z.number().int() }), ...S.errorResponses },
    },
    handler: async (req) => {
      const here = sessionOf(req, { en: 'Your sessions are seen from a signed-in browser session.', it: 'Le tue sessioni si vedono da una sessione del browser in cui hai effettuato l’accesso.' });
      return { others: await accounts.otherSessions(callContext(req), here) };
    },
  });

  app.post('/me/sessions/end-others', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['session'],
      summary: 'Sign out everywhere but here: every other session of yours ends (from a browser session only)',
      response: { 200: z.object({ signedOut: z.number().int().describe('How many of your other sessions ended') }), ...S.errorResponses },
    },
    handler: async (req) => {
      const here = sessionOf(req, { en: 'Sign out your other sessions from a signed-in browser session.', it: 'Chiudi le altre sessioni da una sessione del browser in cui hai effettuato l’accesso.' });
      return accounts.endOtherSessions(callContext(req), here);
    },
  });

  const tokenView = (t: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }) => ({
    id: t.id,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  });

  app.get('/me/tokens', {
    config: { access: 'signed-in' },
    schema: { tags: ['session'], summary: 'Your personal API tokens', response: { 200: z.object({ items: z.array(S.Token) }), ...S.errorResponses } },
    handler: async (req) => ({ items: (await accounts.listTokens(callContext(req))).map(tokenView) }),
  });
  app.post('/me/tokens', {
    // The token is shown once: an answer that holds it is never stored for a replay.
    config: { access: 'signed-in', idempotency: false },
    schema: { tags: ['session'], summary: 'Create a personal API token (shown once)', body: S.TokenCreate, response: { 201: S.Token.extend({ token: z.string() }), ...S.errorResponses } },
    handler: async (req, reply) => {
      // A token must not mint tokens: only a signed-in person can create one.
      sessionOf(req, { en: 'Create API tokens from a signed-in browser session.', it: 'Crea i token API da una sessione del browser in cui hai effettuato l’accesso.' });
      const t = await accounts.createToken(callContext(req), req.body.name);
      return reply.code(201).send({ ...tokenView(t), token: t.token });
    },
  });
  app.delete('/me/tokens/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['session'], summary: 'Revoke a personal API token', params: S.IdParams, response: { 204: z.null(), ...S.errorResponses } },
    handler: async (req, reply) => {
      await accounts.revokeToken(callContext(req), req.params.id);
      return reply.code(204).send(null);
    },
  });
};
