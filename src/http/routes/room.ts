// The room page's API (issue #14): its ticket (from the join URL's fragment) buys the entry to the
// Janus rooms, and the host's controls. Public routes: the ticket, not a session, is the authority
// (sent in the body or the X-Room-Ticket header, never in a URL that would be logged), so no
// session is read and no CSRF token is needed; a cross-site page cannot send the header.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import type { RoomService } from '../../app/rooms.ts';
import * as S from '../schemas.ts';
import { SCHEMA_WORDS } from '../schema-words.ts';

const Ticket = z.string().min(20).max(2048).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, SCHEMA_WORDS.roomTicket.en);
const BookingParams = z.strictObject({ bookingId: S.Id });
// Janus participant ids are unsigned 64-bit; the portal gives out ids below 2^47.
const ParticipantParams = z.strictObject({ bookingId: S.Id, participantId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const Visit = z.object({
  status: z.literal('entered'),
  bookingId: S.Id,
  title: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  role: z.enum(['host', 'attendee']),
  name: z.string(),
  janus: z.object({
    server: z.string().describe('the Janus HTTP API for the browser'),
    room: z.number().int().describe('the VideoRoom and AudioBridge room number'),
    pin: z.string().describe('the rooms’ PIN (never their secret)'),
    participantId: z.number().int().describe('the id to join both rooms with'),
    display: z.string(),
    audioGroup: z.string().describe('the AudioBridge group to join with'),
  }),
});
const Waiting = z.object({ status: z.literal('waiting').describe('a guest at the lobby door: ask again in a few seconds'), bookingId: S.Id, title: z.string() });
const Guest = z.object({ key: z.string().describe('names the guest for the host’s answer'), name: z.string(), askedAt: z.string() });
const GuestParams = z.strictObject({ bookingId: S.Id, key: z.string().regex(/^[0-9a-f]{64}$/, SCHEMA_WORDS.guestKey.en) });
const Participant = z.object({ id: z.number().int(), display: z.string(), publishing: z.boolean(), audioMuted: z.boolean().nullable() });
const errors = { ...S.errorResponses, 503: S.Problem };

export const roomRoutes: FastifyPluginAsyncZod<{ rooms: RoomService }> = async (app, { rooms }) => {
  const tags = ['room'];
  const ticketOf = (header: unknown): string => {
    const parsed = Ticket.safeParse(header);
    if (!parsed.success) throw new AppError('unauthenticated', 'ROOM_TICKET_INVALID', 'Send the room link’s ticket in the X-Room-Ticket header.', {}, { it: 'Invia il ticket del link della stanza nell’intestazione X-Room-Ticket.' });
    return parsed.data;
  };

  app.post('/rooms/:bookingId/entry', {
    config: { access: 'public' },
    schema: { tags, summary: 'Enter a booking’s room with the ticket of its join link (202: wait in the lobby)', params: BookingParams, body: z.strictObject({ ticket: Ticket }), response: { 200: Visit, 202: Waiting, 429: S.Problem, ...errors } },
    handler: async (req, reply) => {
      const v = await rooms.enter(req.params.bookingId, req.body.ticket);
      if (v.status === 'waiting') return reply.code(202).send(v);
      return { ...v, start: v.start.toISOString(), end: v.end.toISOString() };
    },
  });

  app.get('/rooms/:bookingId/lobby', {
    config: { access: 'public' },
    schema: { tags, summary: 'Guests waiting to be let in (the host only)', params: BookingParams, response: { 200: z.object({ items: z.array(Guest) }), ...errors } },
    handler: async (req) => ({
      items: (await rooms.lobby(req.params.bookingId, ticketOf(req.headers['x-room-ticket']))).map((g) => ({ key: g.key, name: g.name, askedAt: g.askedAt.toISOString() })),
    }),
  });

  app.put('/rooms/:bookingId/lobby/:key', {
    config: { access: 'public' },
    schema: { tags, summary: 'Let a waiting guest in, or not (the host only)', params: GuestParams, body: z.strictObject({ admit: z.boolean() }), response: { 204: z.null(), ...errors } },
    handler: async (req, reply) => {
      await rooms.admit(req.params.bookingId, ticketOf(req.headers['x-room-ticket']), req.params.key, req.body.admit);
      return reply.code(204).send(null);
    },
  });

  app.get('/rooms/:bookingId/participants', {
    config: { access: 'public' },
    schema: { tags, summary: 'Who is in the room (the host only)', params: BookingParams, response: { 200: z.object({ items: z.array(Participant) }), ...errors } },
    handler: async (req) => ({ items: await rooms.participants(req.params.bookingId, ticketOf(req.headers['x-room-ticket'])) }),
  });

  app.put('/rooms/:bookingId/participants/:participantId/muted', {
    config: { access: 'public' },
    schema: { tags, summary: 'Mute or unmute a participant (the host only)', params: ParticipantParams, body: z.strictObject({ muted: z.boolean() }), response: { 204: z.null(), ...errors } },
    handler: async (req, reply) => {
      await rooms.mute(req.params.bookingId, ticketOf(req.headers['x-room-ticket']), req.params.participantId, req.body.muted);
      return reply.code(204).send(null);
    },
  });

  app.delete('/rooms/:bookingId/participants/:participantId', {
    config: { access: 'public' },
    schema: { tags, summary: 'Remove a participant from the room (the host only)', params: ParticipantParams, response: { 204: z.null(), ...errors } },
    handler: async (req, reply) => {
      await rooms.remove(req.params.bookingId, ticketOf(req.headers['x-room-ticket']), req.params.participantId);
      return reply.code(204).send(null);
    },
  });
};
