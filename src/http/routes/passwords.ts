// Password links: an administrator or manager sends one; anyone asks for a "forgot password" one;
// the password page reads whom a link is for and sets the password through it. The link's secret
// travels in request bodies, never in a URL (it would land in logs).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';

const FORGOT_ANSWER = 'If this address belongs to an account with a local password, a link to choose a new one is on its way. It works once and expires.';

export const passwordRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const people = services.people;

  app.post('/users/:id/password-link', {
    // With no mail server the link is in the answer, once: never stored for a replay.
    config: { access: { role: ['admin', 'institution-manager'] }, idempotency: false },
    schema: {
      tags: ['users'],
      summary: 'Send a person a one-time link to choose (or reset) their password (admin; a manager: their institution’s members)',
      params: S.IdParams,
      response: { 201: S.PasswordLinkIssued, 202: S.PasswordLinkIssued, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const issued = await people.issueLink(callContext(req), req.params.id);
      const body = { ...issued, expiresAt: issued.expiresAt.toISOString() };
      return reply.code(issued.delivery === 'mail' ? 202 : 201).send(body);
    },
  });

  app.post('/password/forgot', {
    config: { access: 'public' },
    schema: {
      tags: ['session'],
      summary: 'Ask for a link to reset a local password (the same answer whether the address has an account or not)',
      body: S.PasswordForgot,
      response: { 202: z.object({ message: z.string() }), ...S.errorResponses },
    },
    handler: async (req, reply) => {
      try {
        await people.requestReset(req.body.email, req.ip);
      } catch (e) {
        if (e instanceof AppError && e.code === 'PASSWORD_RESET_LIMITED') {
          req.log.warn({ event: 'password.reset.rate-limited', address: req.ip }, 'password reset requests rate limited');
          reply.header('retry-after', String(e.details.retryAfterSeconds));
        }
        throw e;
      }
      return reply.code(202).send({ message: FORGOT_ANSWER });
    },
  });

  app.post('/password/link', {
    config: { access: 'public' },
    schema: {
      tags: ['session'],
      summary: 'Whom a password link is for and until when it holds (409 when used or expired, 404 when unknown)',
      body: S.PasswordLinkQuery,
      response: { 200: S.PasswordLinkInfo, ...S.errorResponses },
    },
    handler: async (req) => {
      const info = await people.linkInfo(req.body.token);
      return { ...info, expiresAt: info.expiresAt.toISOString() };
    },
  });

  app.post('/password', {
    config: { access: 'public' },
    schema: {
      tags: ['session'],
      summary: 'Set a local password through a one-time link (ends the account’s sessions)',
      body: S.PasswordSet,
      response: { 200: z.object({ email: z.string() }), ...S.errorResponses },
    },
    handler: async (req) => people.setPassword(req.body.token, req.body.password, req.id),
  });
};
