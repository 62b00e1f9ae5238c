// Audio conference of a booking (issue #7): dial-in details, the phone participants with the host's
// controls (mute, remove, lock), and the on/off switch. The calls are run by src/telephony/.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AudioService, AudioView } from '../../app/audio.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';

const Participant = z.object({
  id: z.string().describe('the call’s channel id on Asterisk'),
  caller: z.string().describe('the caller’s number with all but its last digits masked'),
  role: z.enum(['participant', 'host', 'room']).describe('room: the virtual room’s own audio leg'),
  muted: z.boolean(),
  joinedAt: z.string(),
});
const AudioViewSchema = z.object({
  bookingId: S.Id,
  available: z.boolean().describe('the portal has telephone dial-in at all (Asterisk configured)'),
  enabled: z.boolean().describe('this booking has its audio conference (default on; the booker may turn it off)'),
  pin: z.string().nullable(),
  hostPin: z.string().nullable().describe('dialled instead of the PIN, makes the caller host: enters a locked or full conference'),
  numbers: z.array(z.object({ number: z.string(), country: z.string().nullable(), tel: z.string().describe('one-tap tel: link with the PIN as DTMF') })),
  sipUri: z.string().nullable(),
  locked: z.boolean(),
  opensAt: z.string(),
  closesAt: z.string(),
  canManage: z.boolean(),
  participants: z.array(Participant),
  phoneSeats: z.number().int(),
  seats: z.number().int(),
});
const ParticipantParams = z.strictObject({ id: S.Id, participantId: S.Line(200).min(1) });

const json = (v: AudioView) => ({
  ...v,
  opensAt: v.opensAt.toISOString(),
  closesAt: v.closesAt.toISOString(),
  participants: v.participants.map((p) => ({ ...p, joinedAt: p.joinedAt.toISOString() })),
});

export const audioRoutes: FastifyPluginAsyncZod<{ audio: AudioService }> = async (app, { audio }) => {
  const tags = ['audio'];
  const view = { 200: AudioViewSchema, ...S.errorResponses };

  app.get('/bookings/:id/audio', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'The booking’s audio conference: dial-in numbers, PINs, SIP URI, phone participants', params: S.IdParams, response: view },
    handler: async (req) => json(await audio.view(callContext(req), req.params.id)),
  });

  app.put('/bookings/:id/audio', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Turn the booking’s audio conference on or off (off hangs up the callers)', params: S.IdParams, body: z.strictObject({ enabled: z.boolean() }), response: view },
    handler: async (req) => json(await audio.setEnabled(callContext(req), req.params.id, req.body.enabled)),
  });

  app.put('/bookings/:id/audio/lock', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Lock the conference (only the host PIN enters) or unlock it', params: S.IdParams, body: z.strictObject({ locked: z.boolean() }), response: view },
    handler: async (req) => json(await audio.setLocked(callContext(req), req.params.id, req.body.locked)),
  });

  for (const [action, muted] of [['mute', true], ['unmute', false]] as const) {
    app.post(`/bookings/:id/audio/participants/:participantId/${action}`, {
      config: { access: 'signed-in' },
      schema: { tags, summary: muted ? 'Mute a phone participant' : 'Unmute a phone participant', params: ParticipantParams, response: { 204: z.null(), ...S.errorResponses } },
      handler: async (req, reply) => {
        await audio.mute(callContext(req), req.params.id, req.params.participantId, muted);
        return reply.code(204).send(null);
      },
    });
  }

  app.delete('/bookings/:id/audio/participants/:participantId', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Remove a phone participant (hangs up the call)', params: ParticipantParams, response: { 204: z.null(), ...S.errorResponses } },
    handler: async (req, reply) => {
      await audio.remove(callContext(req), req.params.id, req.params.participantId);
      return reply.code(204).send(null);
    },
  });
};
