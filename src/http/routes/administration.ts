import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';
import { institutionView, listedUserView, roomView, userView } from '../views.ts';
import { z } from 'zod';

export const administrationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const admin = services.administration;

  app.get('/rooms', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['rooms'],
      summary: 'Rooms, largest first',
      querystring: z.strictObject({ includeInactive: z.enum(['true', 'false']).default('false') }),
      response: { 200: z.object({ items: z.array(S.Room) }), ...S.errorResponses },
    },
    handler: async (req) => ({ items: (await admin.listRooms(callContext(req), req.query.includeInactive === 'true')).map(roomView) }),
  });
  app.post('/rooms', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['rooms'], summary: 'Add a room (admin)', body: S.RoomCreate, response: { 201: S.Room, ...S.errorResponses } },
    handler: async (req, reply) => reply.code(201).send(roomView(await admin.createRoom(callContext(req), req.body))),
  });
  app.get('/rooms/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['rooms'], summary: 'One room', params: S.IdParams, response: { 200: S.Room, ...S.errorResponses } },
    handler: async (req) => roomView(await admin.getRoom(callContext(req), req.params.id)),
  });
  app.patch('/rooms/:id', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['rooms'], summary: 'Change a room (admin)', params: S.IdParams, body: S.RoomPatch, response: { 200: S.Room, ...S.errorResponses } },
    handler: async (req) => roomView(await admin.updateRoom(callContext(req), req.params.id, req.body)),
  });

  app.get('/institutions', {
    config: { access: 'signed-in' },
    schema: { tags: ['institutions'], summary: 'Institutions (a manager sees their own)', response: { 200: z.object({ items: z.array(S.Institution) }), ...S.errorResponses } },
    handler: async (req) => ({ items: (await admin.listInstitutions(callContext(req))).map(institutionView) }),
  });
  app.post('/institutions', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['institutions'], summary: 'Add a subscribing institution (admin)', body: S.InstitutionCreate, response: { 201: S.Institution, ...S.errorResponses } },
    handler: async (req, reply) => reply.code(201).send(institutionView(await admin.createInstitution(callContext(req), req.body))),
  });
  app.get('/institutions/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['institutions'], summary: 'One institution', params: S.IdParams, response: { 200: S.Institution, ...S.errorResponses } },
    handler: async (req) => institutionView(await admin.getInstitution(callContext(req), req.params.id)),
  });
  app.get('/institutions/:id/usage', {
    config: { access: { role: ['admin', 'institution-manager'] } },
    schema: {
      tags: ['institutions'],
      summary: 'Booked hours per month beside the quota (admin, or the institution’s manager)',
      params: S.IdParams,
      querystring: z.strictObject({ months: z.coerce.number().int().min(1).max(24).default(6) }),
      response: { 200: z.object({ items: z.array(z.object({ month: z.string(), bookedHours: z.number(), quotaHours: z.number().nullable() })) }), ...S.errorResponses },
    },
    handler: async (req) => ({ items: await admin.institutionUsage(callContext(req), req.params.id, req.query.months) }),
  });
  app.patch('/institutions/:id', {
    config: { access: { role: 'admin' } },
    schema: { tags: ['institutions'], summary: 'Change an institution (admin)', params: S.IdParams, body: S.InstitutionPatch, response: { 200: S.Institution, ...S.errorResponses } },
    handler: async (req) => institutionView(await admin.updateInstitution(callContext(req), req.params.id, req.body)),
  });

  app.get('/users', {
    config: { access: { role: ['admin', 'institution-manager'] } },
    schema: { tags: ['users'], summary: 'Users (admin: all; manager: own institution)', querystring: S.UserQuery, response: { 200: z.object({ items: z.array(S.ListedUser) }), ...S.errorResponses } },
    handler: async (req) => ({ items: (await admin.listUsers(callContext(req), req.query)).map(listedUserView) }),
  });
  app.get('/users/:id', {
    config: { access: { role: ['admin', 'institution-manager'] } },
    schema: {
      tags: ['users'],
      summary: 'One person, as the Users list shows them (admin: anyone; manager: their institution’s people)',
      params: S.IdParams,
      response: { 200: S.ListedUser, ...S.errorResponses },
    },
    handler: async (req) => listedUserView(await admin.getUser(callContext(req), req.params.id)),
  });
  app.post('/users', {
    config: { access: { role: ['admin', 'institution-manager'] } },
    schema: {
      tags: ['users'],
      summary: 'Add a person (admin), or invite a member to one’s own institution (manager); then send them a password link',
      body: S.UserCreate,
      response: { 201: S.User, ...S.errorResponses },
    },
    handler: async (req, reply) => reply.code(201).send(userView(await services.people.createUser(callContext(req), req.body))),
  });
  app.patch('/users/:id', {
    config: { access: { role: ['admin', 'institution-manager'] } },
    schema: {
      tags: ['users'],
      summary: 'Change a user’s name, language, role or institution, or disable them (admin; a manager: names and removal of their members)',
      params: S.IdParams,
      body: S.UserPatch,
      response: { 200: S.User, ...S.errorResponses },
    },
    handler: async (req) => {
      const { disabled, ...change } = req.body;
      const ctx = callContext(req);
      let user = disabled === undefined ? null : await services.people.setDisabled(ctx, req.params.id, disabled);
      if (Object.keys(change).length > 0 || !user) user = await admin.updateUser(ctx, req.params.id, change);
      return userView(user);
    },
  });
};
