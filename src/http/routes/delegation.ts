// Booking on behalf (issue #17): the delegates a person names, and the people one books for.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DelegationService } from '../../app/delegation.ts';
import type { Delegation } from '../../ports.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';

const delegationView = (d: Delegation) => ({
  person: d.person,
  delegate: d.delegate,
  status: d.status,
  createdAt: d.createdAt.toISOString(),
  acceptedAt: d.acceptedAt ? d.acceptedAt.toISOString() : null,
});

export const delegationRoutes: FastifyPluginAsyncZod<{ delegation: DelegationService }> = async (app, { delegation }) => {
  const tags = ['delegation'];
  const signedIn = { access: 'signed-in' as const };

  app.get('/account/delegates', {
    config: signedIn,
    schema: { tags, summary: 'The delegates you named (they may book for you once they accept)', response: { 200: S.DelegationList, ...S.errorResponses } },
    handler: async (req) => ({ items: (await delegation.delegates(callContext(req))).map(delegationView) }),
  });

  app.post('/account/delegates', {
    config: signedIn,
    schema: {
      tags,
      summary: 'Name a delegate by e-mail address or id; they get a mail asking for their consent',
      body: S.DelegateAdd,
      response: { 201: S.Delegation, ...S.errorResponses },
    },
    handler: async (req, reply) => reply.code(201).send(delegationView(await delegation.addDelegate(callContext(req), req.body))),
  });

  app.delete('/account/delegates/:delegateId', {
    config: signedIn,
    schema: { tags, summary: 'End a delegation you gave (or withdraw the request)', params: S.DelegateParams, response: { 204: z.null(), ...S.errorResponses } },
    handler: async (req, reply) => {
      await delegation.removeDelegate(callContext(req), req.params.delegateId);
      return reply.code(204).send(null);
    },
  });

  app.get('/account/delegations', {
    config: signedIn,
    schema: { tags, summary: 'The people who named you delegate: accepted, and waiting for your answer', response: { 200: S.DelegationList, ...S.errorResponses } },
    handler: async (req) => ({ items: (await delegation.delegations(callContext(req))).map(delegationView) }),
  });

  app.post('/account/delegations/:personId/accept', {
    config: signedIn,
    schema: { tags, summary: 'Accept to book for this person', params: S.PersonParams, response: { 200: S.Delegation, ...S.errorResponses } },
    handler: async (req) => delegationView(await delegation.accept(callContext(req), req.params.personId)),
  });

  app.delete('/account/delegations/:personId', {
    config: signedIn,
    schema: { tags, summary: 'Decline a request, or stop booking for this person', params: S.PersonParams, response: { 204: z.null(), ...S.errorResponses } },
    handler: async (req, reply) => {
      await delegation.decline(callContext(req), req.params.personId);
      return reply.code(204).send(null);
    },
  });

  app.get('/account/book-for', {
    config: signedIn,
    schema: { tags, summary: 'Whom you may book for: the "Book for" choice of the booking forms', response: { 200: S.BookFor, ...S.errorResponses } },
    handler: async (req) => delegation.bookFor(callContext(req)),
  });
};
