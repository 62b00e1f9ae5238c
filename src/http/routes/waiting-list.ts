// The waiting list (issue #17): join for a slot that was taken, see your entries and holds, confirm a
// hold (a booking) or let go. Every route acts on the caller's own entries only.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WaitingListService } from '../../app/waiting-list.ts';
import type { WaitingEntry } from '../../ports.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import { bookingView } from '../views.ts';

const WaitingEntrySchema = z
  .object({
    id: S.Id,
    roomId: S.Id.nullable().describe('null: any room that fits the seats'),
    start: z.string(),
    end: z.string(),
    seats: z.number().int(),
    title: z.string(),
    state: z.enum(['waiting', 'held', 'booked', 'expired', 'withdrawn']),
    heldRoomId: S.Id.nullable(),
    holdExpiresAt: z.string().nullable().describe('While held: when the hold ends unless confirmed'),
    bookingId: S.Id.nullable(),
    createdAt: z.string(),
  })
  .describe('A place in a waiting list; held: the slot is kept for you until holdExpiresAt');

const entryView = (e: WaitingEntry): z.infer<typeof WaitingEntrySchema> => ({
  id: e.id,
  roomId: e.roomId,
  start: e.start.toISOString(),
  end: e.end.toISOString(),
  seats: e.seats,
  title: e.title,
  state: e.state,
  heldRoomId: e.heldRoomId,
  holdExpiresAt: e.holdExpiresAt?.toISOString() ?? null,
  bookingId: e.bookingId,
  createdAt: e.createdAt.toISOString(),
});

export const waitingListRoutes: FastifyPluginAsyncZod<{ waitingList: WaitingListService }> = async (app, { waitingList }) => {
  const tags = ['waiting-list'];

  app.post('/waiting-list', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Wait for a taken slot: when it frees, it is held for you (first come, first served) and you get a mail',
      body: S.BookingCreate.omit({ audio: true }),
      response: { 201: WaitingEntrySchema, ...S.errorResponses },
    },
    handler: async (req, reply) => reply.code(201).send(entryView(await waitingList.join(callContext(req), req.body))),
  });

  app.get('/waiting-list', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Your waiting-list entries and holds whose slot has not ended', response: { 200: z.object({ items: z.array(WaitingEntrySchema) }), ...S.errorResponses } },
    handler: async (req) => ({ items: (await waitingList.mine(callContext(req))).map(entryView) }),
  });

  app.delete('/waiting-list/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Leave the waiting list, or let a hold go to the next person', params: S.IdParams, response: { 200: WaitingEntrySchema, ...S.errorResponses } },
    handler: async (req) => entryView(await waitingList.leave(callContext(req), req.params.id)),
  });

  app.post('/waiting-list/:id/confirm', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: 'Confirm a hold: it becomes your booking (sent again, it answers the same booking)',
      params: S.IdParams,
      response: { 200: S.Booking, 201: S.Booking, ...S.errorResponses },
    },
    handler: async (req, reply) => {
      const { booking, created } = await waitingList.confirm(callContext(req), req.params.id);
      return reply
        .code(created ? 201 : 200)
        .header('location', `/api/v1/bookings/${booking.id}`)
        .send(bookingView(booking));
    },
  });
};
