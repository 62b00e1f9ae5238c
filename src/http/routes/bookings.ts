import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../domain/errors.ts';
import { availability } from '../../app/availability.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import type { Services } from '../services.ts';
import { availabilityView, bookingView, decodeCursor, encodeCursor, invitationView } from '../views.ts';

/** The message a change or cancellation was sent with, kept in its audit record's `after` (app/bookings.ts). */
const messageOf = (after: unknown): string | null =>
  after && typeof after === 'object' && 'message' in after && typeof after.message === 'string' ? after.message : null;

/** Whom an entry concerns (a co-host's address), kept in its `after`. */
const aboutOf = (after: unknown): string | null => (after && typeof after === 'object' && 'email' in after && typeof after.email === 'string' ? after.email : null);

export const bookingRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (app, { services }) => {
  const tags = ['bookings'];

  app.get('/bookings', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'List bookings you may see, by time range, room or booker', querystring: S.BookingQuery, response: { 200: S.Page(S.Booking), ...S.errorResponses } },
    handler: async (req) => {
      const q = req.query;
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      if (after === null) throw new AppError('invalid', 'INVALID_CURSOR', 'The cursor is not one this API returned; start again without it.', {}, { it: 'Il cursore non è uno di quelli restituiti da questa API; ricomincia senza.' });
      const items = await services.bookings.list(callContext(req), {
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        roomId: q.roomId,
        bookerId: q.userId,
        status: q.status,
        title: q.q,
        latestFirst: q.order === 'desc',
        limit: q.limit + 1,
        after,
      });
      const page = items.slice(0, q.limit);
      const last = page[page.length - 1];
      return { items: page.map(bookingView), nextCursor: items.length > q.limit && last ? encodeCursor(last) : null };
    },
  });

  app.post('/bookings', {
    config: {
      access: 'signed-in',
      // A retry whose first answer was lost in a crash gets the booking the first request made.
      idempotentReplay: async (req, id) => ({ status: 201, body: bookingView(await services.bookings.get(callContext(req), id)), location: `/api/v1/bookings/${id}` }),
    },
    schema: {
      tags,
      summary: 'Book a room (or the smallest free room with enough seats)',
      body: S.BookingCreate,
      response: { 201: S.Booking, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const booking = await services.bookings.create(callContext(req), req.body);
      return reply.code(201).header('location', `/api/v1/bookings/${booking.id}`).send(bookingView(booking));
    },
  });

  app.get('/bookings/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'One booking', params: S.IdParams, response: { 200: S.Booking, ...S.errorResponses } },
    handler: async (req) => bookingView(await services.bookings.get(callContext(req), req.params.id)),
  });

  app.get('/bookings/:id/history', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'A booking’s changes, newest first (for whoever may see the booking)', params: S.IdParams, response: { 200: S.BookingHistory, ...S.errorResponses } },
    handler: async (req) => ({
      items: (await services.bookings.history(callContext(req), req.params.id)).map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actor: r.actorId ? { id: r.actorId, name: r.actorName } : null,
        action: r.action,
        message: messageOf(r.after),
        about: aboutOf(r.after),
      })),
    }),
  });

  app.patch('/bookings/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Move, resize or edit a booking', params: S.IdParams, body: S.BookingPatch, response: { 200: S.Booking, ...S.errorResponses } },
    handler: async (req) => {
      const { message, ...change } = req.body;
      return bookingView(await services.bookings.change(callContext(req), req.params.id, change, { message }));
    },
  });

  app.delete('/bookings/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel a booking (its slot and seats are free at once)', params: S.IdParams, response: { 200: S.Booking, ...S.errorResponses } },
    handler: async (req) => bookingView(await services.bookings.cancel(callContext(req), req.params.id)),
  });

  // DELETE carries no body (RFC 9110, 9.3.5): cancelling with a message to the people told is a POST.
  app.post('/bookings/:id/cancel', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Cancel a booking, with a message for its booker and invitees', params: S.IdParams, body: S.MessageBody, response: { 200: S.Booking, ...S.errorResponses } },
    handler: async (req) => bookingView(await services.bookings.cancel(callContext(req), req.params.id, req.body)),
  });

  app.get('/invitations', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Meetings not yet over that the caller is invited to by e-mail (their account’s address), soonest first',
      querystring: S.InvitationsQuery,
      response: { 200: S.Invitations, ...S.errorResponses },
    },
    handler: async (req) => ({ items: (await services.bookings.invitations(callContext(req), req.query.limit)).map(invitationView) }),
  });

  app.put('/invitations/:id/reply', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Answer an invitation: will you come (to this date, or to every date of its series when the series is what you were invited to)',
      params: S.IdParams,
      body: S.InvitationReply,
      response: { 200: S.InvitationReply, ...S.errorResponses },
    },
    handler: async (req) => ({ reply: await services.calendar.invitees.answerAsInvited(callContext(req), req.params.id, req.body.reply) }),
  });

  app.get('/availability', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Busy slots per room and seats left in the licence pool over a range',
      querystring: S.AvailabilityQuery,
      response: { 200: S.Availability, ...S.errorResponses },
    },
    handler: async (req) =>
      availabilityView(
        await availability(services, callContext(req), { from: new Date(req.query.from), to: new Date(req.query.to), seats: req.query.seats }),
      ),
  });
};
