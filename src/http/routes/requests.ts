// /api/v1/requests: what self-service may not grant, asked of an administrator (app/requests.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';
import { bookingView, requestView } from '../views.ts';

export const requestRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['requests'];
  const requests = services.requests;

  app.post('/requests', {
    config: {
      access: 'signed-in',
      // A retry whose first answer was lost in a crash gets the request the first one made.
      idempotentReplay: async (req, id) => ({ status: 201, body: requestView(await requests.get(callContext(req), id), services.policy.defaultTimeZone), location: `/api/v1/requests/${id}` }),
    },
    schema: {
      tags,
      summary: 'Ask an administrator for a booking self-service refuses (too long, too far ahead, too many seats, a room on approval, no subscription)',
      body: S.RequestCreate,
      response: { 201: S.BookingRequest, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const q = await requests.ask(callContext(req), req.body);
      return reply.code(201).header('location', `/api/v1/requests/${q.id}`).send(requestView(q, services.policy.defaultTimeZone));
    },
  });

  app.get('/requests', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Requests: every one for administrators (the queue, with filters), your own for anyone else', querystring: S.RequestQuery, response: { 200: S.RequestList, ...S.errorResponses } },
    handler: async (req) => {
      const q = req.query;
      const items = await requests.list(callContext(req), {
        state: q.state,
        institutionId: q.institutionId,
        roomId: q.roomId,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        mine: q.mine === 'true',
        limit: q.limit,
        offset: q.offset,
      });
      return { items: items.map((i) => requestView(i, services.policy.defaultTimeZone)) };
    },
  });

  app.get('/requests/counts', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Pending requests (for the navigation’s badges)', response: { 200: S.RequestCounts, ...S.errorResponses } },
    handler: async (req) => requests.counts(callContext(req)),
  });

  app.get('/requests/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One request (its requester or an administrator)', params: S.IdParams, response: { 200: S.BookingRequest, ...S.errorResponses } },
    handler: async (req) => requestView(await requests.get(callContext(req), req.params.id), services.policy.defaultTimeZone),
  });

  app.post('/requests/:id/approve', {
    config: { access: { role: 'admin' } },
    schema: {
      tags,
      summary: 'Approve: book it for the requester under the booking rules (409 with suggestions when the slot was taken meanwhile; approve again with another room or time)',
      params: S.IdParams,
      body: S.RequestApprove,
      response: { 200: S.RequestApproved, ...S.errorResponses },
    },
    handler: async (req) => {
      const { request, booking } = await requests.approve(callContext(req), req.params.id, req.body);
      return { request: requestView(request, services.policy.defaultTimeZone), booking: bookingView(booking) };
    },
  });

  app.post('/requests/:id/deny', {
    config: { access: { role: 'admin' } },
    schema: { tags, summary: 'Deny, with a reason the requester reads', params: S.IdParams, body: S.RequestDeny, response: { 200: S.BookingRequest, ...S.errorResponses } },
    handler: async (req) => requestView(await requests.deny(callContext(req), req.params.id, req.body.reason), services.policy.defaultTimeZone),
  });

  app.post('/requests/:id/withdraw', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Withdraw your own pending request', params: S.IdParams, response: { 200: S.BookingRequest, ...S.errorResponses } },
    handler: async (req) => requestView(await requests.withdraw(callContext(req), req.params.id), services.policy.defaultTimeZone),
  });
};

