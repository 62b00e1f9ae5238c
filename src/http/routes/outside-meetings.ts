// Meetings on the conferencing services that the portal did not make (issue #17), for
// administrators: the list reconcile keeps, "adopt as a booking" and "remove" on the service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OutsideMeetingRow, OutsideMeetingService } from '../../app/outside-meetings.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import { bookingView } from '../views.ts';

const Instant = z.string().describe('RFC 3339 date-time');
const OutsideMeeting = z.object({
  id: z.uuid(),
  provider: z.string(),
  providerMeetingId: z.string(),
  name: z.string(),
  url: z.string().nullable(),
  roomId: z.uuid().nullable(),
  start: Instant.nullable().describe('when the service says it starts (or started); null when it does not say'),
  end: Instant.nullable(),
  firstSeenAt: Instant,
  lastSeenAt: Instant,
  status: z.enum(['open', 'gone', 'adopted', 'removed']),
  bookingId: z.uuid().nullable(),
});
const Adopt = z.strictObject({
  roomId: z.uuid(),
  ownerId: z.uuid().describe('the person the booking is made for, as if they had booked it'),
  start: S.Line(40).describe('ISO 8601; local to the room unless it carries an offset'),
  end: S.Line(40),
  title: S.Text(200).optional().describe('default: the meeting’s name on the service'),
  seats: z.number().int().min(1).max(100_000).optional(),
});

const view = (m: OutsideMeetingRow) => ({
  id: m.id,
  provider: m.provider,
  providerMeetingId: m.providerMeetingId,
  name: m.name,
  url: m.url,
  roomId: m.roomId,
  start: m.start?.toISOString() ?? null,
  end: m.end?.toISOString() ?? null,
  firstSeenAt: m.firstSeenAt.toISOString(),
  lastSeenAt: m.lastSeenAt.toISOString(),
  status: m.status,
  bookingId: m.bookingId,
});

export const outsideMeetingRoutes: FastifyPluginAsyncZod<{ outside: OutsideMeetingService }> = async (app, { outside }) => {
  const tags = ['provisioning'];
  app.get('/admin/outside-meetings', {
    config: { access: { role: 'admin' } },
    schema: {
      tags,
      summary: 'Meetings on the conferencing services that were not made through the portal, as the last reconcile saw them (admins)',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(200) }),
      response: { 200: z.object({ items: z.array(OutsideMeeting) }), ...S.errorResponses },
    },
    handler: async (req) => ({ items: (await outside.list(callContext(req), req.query.limit)).map(view) }),
  });

  app.post('/admin/outside-meetings/:id/adopt', {
    config: { access: { role: 'admin' } },
    schema: {
      tags,
      summary: 'Adopt as a booking: book its time in a room for an owner, by the booking rules (admins). The meeting on the service is not linked: the booking gets its own.',
      params: S.IdParams,
      body: Adopt,
      response: { 201: z.object({ meeting: OutsideMeeting, booking: S.Booking, linked: z.boolean() }), ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const r = await outside.adopt(callContext(req), req.params.id, req.body);
      return reply.status(201).send({ meeting: view(r.meeting), booking: bookingView(r.booking), linked: r.linked });
    },
  });

  app.post('/admin/outside-meetings/:id/remove', {
    config: { access: { role: 'admin' } },
    schema: { tags, summary: 'Remove the meeting on its service (ends it and deletes it there) (admins)', params: S.IdParams, response: { 200: OutsideMeeting, ...S.errorResponses } },
    handler: async (req) => view(await outside.remove(callContext(req), req.params.id)),
  });
};
