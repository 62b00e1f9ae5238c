// Calendar feeds (secret ICS addresses), invitees by e-mail, and whether mail is configured.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FeedService, Feed } from '../../app/feeds.ts';
import type { InviteeService } from '../../app/invitees.ts';
import type { Invitee, InviteeTarget } from '../../ports.ts';
import { feedCalendar } from '../../notify/feeds.ts';
import type { MeetingDetailsSource } from '../../notify/meeting-details.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';

export type CalendarServices = { invitees: InviteeService; feeds: FeedService; publicUrl: string; mailConfigured: boolean };

const feedUrl = (publicUrl: string, token: string) => new URL(`/api/v1/feeds/${token}`, publicUrl).toString();
const feedView = (f: Feed, url: string | null) => ({ id: f.id, roomId: f.roomId, url, createdAt: f.createdAt.toISOString() });
// Never the reply link's secret: it is the invitee's alone (whoever holds it answers for them).
const inviteeView = (i: Invitee) => ({
  id: i.id,
  email: i.email,
  locale: i.locale,
  timeZone: i.timeZone,
  cohost: i.cohost,
  reply: i.reply,
  repliedAt: i.repliedAt?.toISOString() ?? null,
  muted: i.muted,
  createdAt: i.createdAt.toISOString(),
});

export const calendarRoutes: FastifyPluginAsyncZod<{ calendar: CalendarServices; details: MeetingDetailsSource }> = async (app, { calendar, details }) => {
  const { feeds, invitees, publicUrl } = calendar;

  app.get('/me/feeds', {
    config: { access: 'signed-in' },
    schema: { tags: ['feeds'], summary: 'Your calendar feeds (their addresses are shown only when made)', response: { 200: z.object({ items: z.array(S.Feed) }), ...S.errorResponses } },
    handler: async (req) => ({ items: (await feeds.list(callContext(req))).map((f) => feedView(f, null)) }),
  });

  app.post('/me/feeds', {
    // The feed's secret address is shown once: never stored for a replay.
    config: { access: 'signed-in', idempotency: false },
    schema: {
      tags: ['feeds'],
      summary: 'Make (or regenerate) a secret calendar address: your bookings, or a room’s busy times',
      body: S.FeedCreate,
      response: { 201: S.Feed, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const { feed, token } = await feeds.create(callContext(req), req.body.roomId ?? null);
      return reply.code(201).send(feedView(feed, feedUrl(publicUrl, token)));
    },
  });

  app.delete('/me/feeds/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['feeds'], summary: 'Stop a calendar feed', params: S.IdParams, response: { 204: z.null(), ...S.errorResponses } },
    handler: async (req, reply) => {
      await feeds.remove(callContext(req), req.params.id);
      return reply.code(204).send(null);
    },
  });

  app.get('/feeds/:token', {
    config: { access: 'public' },
    schema: { tags: ['feeds'], summary: 'A calendar feed (iCalendar); the secret token in the address is the only key', params: z.strictObject({ token: S.Line(100) }), produces: ['text/calendar'] },
    handler: async (req, reply) => {
      const content = await feeds.content(req.params.token);
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').send(await feedCalendar(content, publicUrl, details));
    },
  });

  for (const [path, target] of [
    ['/bookings/:id/invitees', (id: string): InviteeTarget => ({ bookingId: id })],
    ['/series/:id/invitees', (id: string): InviteeTarget => ({ seriesId: id })],
  ] as const) {
    app.get(path, {
      config: { access: 'signed-in' },
      schema: { tags: ['invitees'], summary: 'People invited by e-mail', params: S.IdParams, response: { 200: z.object({ items: z.array(S.Invitee) }), ...S.errorResponses } },
      handler: async (req) => ({ items: (await invitees.list(callContext(req), target(req.params.id))).map(inviteeView) }),
    });
    app.post(path, {
      config: { access: 'signed-in' },
      schema: { tags: ['invitees'], summary: 'Invite someone by e-mail (they get the invitation with its calendar part)', params: S.IdParams, body: S.InviteeCreate, response: { 201: S.Invitee, ...S.errorResponses } },
      handler: async (req, reply) => reply.code(201).send(inviteeView(await invitees.add(callContext(req), target(req.params.id), req.body))),
    });
    app.post(`${path}/batch`, {
      config: { access: 'signed-in' },
      schema: {
        tags: ['invitees'],
        summary: 'Invite several people at once: all or, when a limit refuses one, none',
        params: S.IdParams,
        body: S.InviteeBatch,
        response: { 200: S.InviteeBatchResult, ...S.errorResponses },
      },
      handler: async (req) => {
        const { added, alreadyInvited } = await invitees.addMany(callContext(req), target(req.params.id), req.body);
        return { added: added.map(inviteeView), alreadyInvited };
      },
    });
    app.post(`${path}/resend`, {
      config: { access: 'signed-in' },
      schema: {
        tags: ['invitees'],
        summary: 'Send the invitation again to everyone invited, with the meeting’s links as they are now (after a new guest link or PIN): all or, over the hourly mail limit, none',
        params: S.IdParams,
        body: S.MessageBody,
        response: { 200: z.object({ sent: z.number().int().describe('invitations sent again') }), ...S.errorResponses },
      },
      handler: async (req) => invitees.resend(callContext(req), target(req.params.id), req.body.message),
    });
    app.patch(`${path}/:inviteeId`, {
      config: { access: 'signed-in' },
      schema: {
        tags: ['invitees'],
        summary: 'Make someone invited a co-host (they enter the meeting as host, signed in with the invited address) or an attendee again',
        params: S.InviteeParams,
        body: S.InviteeChange,
        response: { 200: S.Invitee, ...S.errorResponses },
      },
      handler: async (req) => inviteeView(await invitees.setCohost(callContext(req), target(req.params.id), req.params.inviteeId, req.body.cohost)),
    });
    app.delete(`${path}/:inviteeId`, {
      config: { access: 'signed-in' },
      schema: { tags: ['invitees'], summary: 'Uninvite (they get a cancellation)', params: S.InviteeParams, response: { 204: z.null(), ...S.errorResponses } },
      handler: async (req, reply) => {
        await invitees.remove(callContext(req), target(req.params.id), req.params.inviteeId);
        return reply.code(204).send(null);
      },
    });
  }

  app.get('/mail/status', {
    config: { access: 'signed-in' },
    schema: { tags: ['settings'], summary: 'Whether outgoing mail is configured (admins see a notice when it is not)', response: { 200: S.MailStatus, ...S.errorResponses } },
    handler: async () => ({ mailConfigured: calendar.mailConfigured }),
  });
};
