// Provisioning API: a booking's room state and links, the guest link controls, and the admins'
// page of recent and failed jobs with "retry now".
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { JoiningService } from '../../app/joining.ts';
import type { ProvisioningService } from '../../app/provisioning.ts';
import { callContext } from '../access.ts';
import * as S from '../schemas.ts';
import { SCHEMA_WORDS } from '../schema-words.ts';
import type { StalledJob } from '../../ports.ts';

const Id = z.uuid();
const RoomState = z.object({
  bookingId: Id,
  state: z.enum(['scheduled', 'pending', 'ready', 'failed', 'ended']).describe('scheduled: prepared shortly before the meeting (PROVISIONING_LEAD_MINUTES); pending: being prepared now'),
  provider: z.string(),
  usedFallback: z.boolean().describe('the room’s own provider failed and the fallback provider serves this booking'),
  lastError: z.string().nullable(),
  opensAt: z.string(),
  joinUrl: z.string().describe('for signed-in people: the booker and managers enter as host'),
  guestUrl: z.string().describe('for guests without an account; regenerate it to revoke it'),
  guestPolicy: z.enum(['open', 'pin', 'lobby']),
  hasPin: z.boolean(),
  guestPin: z.string().nullable().describe('the PIN guests enter with the "pin" policy (only those who manage the booking read this)'),
  lobbyAvailable: z.boolean().describe('the room’s service holds guests in a lobby until a host lets them in: the "lobby" policy is offered'),
  guestLinkForSeries: z.boolean().describe('every date of the series shares this guest link and its policy: a change here is the series’'),
});
const GuestPolicyBody = z.strictObject({
  policy: z.enum(['open', 'pin', 'lobby']),
  pin: z.string().regex(/^\d{4,10}$/, SCHEMA_WORDS.pinDigits.en).nullable().optional(),
});
const Job = z.object({
  id: z.string(),
  bookingId: Id.nullable(),
  bookingTitle: z.string().nullable().describe('the booking’s title; null once the booking is gone'),
  provider: z.string(),
  action: z.string(),
  ok: z.boolean(),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
  at: z.string(),
});
const Stalled = z.object({
  jobId: z.string(),
  bookingId: Id.nullable(),
  startedAt: z.string(),
  heartbeatAt: z.string().nullable().describe('last sign of life of its worker; an old one means the instance running it died'),
});
const DeadLetter = z.object({
  bookingId: Id,
  provider: z.string(),
  state: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  updatedAt: z.string(),
  booking: z
    .object({ title: z.string(), start: z.string(), end: z.string(), cancelled: z.boolean(), roomName: z.string(), timeZone: z.string(), bookerName: z.string() })
    .describe('the meeting whose room failed: how soon it starts says how urgent it is'),
});

export type ProvisioningRouteOptions = {
  joining: JoiningService;
  provisioning: ProvisioningService;
  /** Sync jobs left active by a worker that stopped beating (a killed instance), until pg-boss retries them. */
  stalledJobs: () => Promise<StalledJob[]>;
};

export const provisioningRoutes: FastifyPluginAsyncZod<ProvisioningRouteOptions> = async (app, { joining, provisioning, stalledJobs }) => {
  const tags = ['provisioning'];
  const room = async (req: Parameters<typeof callContext>[0], id: string) => {
    const r = await joining.roomInfo(callContext(req), id);
    return { ...r, opensAt: r.opensAt.toISOString() };
  };

  app.get('/bookings/:id/room', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'The virtual room of a booking: state (scheduled, pending, ready, failed, ended), join and guest links', params: S.IdParams, response: { 200: RoomState, ...S.errorResponses } },
    handler: async (req) => room(req, req.params.id),
  });

  app.post('/bookings/:id/guest-link', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Regenerate the guest link (the old one stops working at once)', params: S.IdParams, response: { 200: RoomState, ...S.errorResponses } },
    handler: async (req) => {
      await joining.regenerateGuestLink(callContext(req), req.params.id);
      return room(req, req.params.id);
    },
  });

  app.put('/bookings/:id/guest-policy', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Choose how guests enter: open, with a PIN, or through a lobby where the service has one (422 GUEST_LOBBY_UNAVAILABLE where it has none)', params: S.IdParams, body: GuestPolicyBody, response: { 200: RoomState, ...S.errorResponses } },
    handler: async (req) => {
      await joining.setGuestPolicy(callContext(req), req.params.id, req.body.policy, req.body.pin);
      return room(req, req.params.id);
    },
  });

  const Settings = z.strictObject({
    scoId: z.string().regex(/^\d+$/, SCHEMA_WORDS.scoId.en).optional(),
    folderId: z.string().regex(/^\d+$/, SCHEMA_WORDS.scoId.en).optional(),
    noShowRelease: z.boolean().optional(),
  });
  const SettingsView = z.object({ provider: z.string(), settings: Settings });

  app.get('/rooms/:id/provider-settings', {
    config: { access: { role: 'admin' } },
    schema: { tags, summary: 'The provider a room uses and its settings (admins)', params: S.IdParams, response: { 200: SettingsView, ...S.errorResponses } },
    handler: async (req) => provisioning.roomSettings(callContext(req), req.params.id),
  });

  app.put('/rooms/:id/provider-settings', {
    config: { access: { role: 'admin' } },
    schema: { tags, summary: 'Set a room’s provider settings: Adobe Connect fixed room or folder, no-show release (admins)', params: S.IdParams, body: Settings, response: { 200: SettingsView, ...S.errorResponses } },
    handler: async (req) => provisioning.setRoomSettings(callContext(req), req.params.id, req.body),
  });

  app.get('/admin/provisioning/jobs', {
    config: { access: { role: 'admin' } },
    schema: {
      tags,
      summary: 'Recent provisioning attempts, the bookings parked as failed, and stalled jobs (admins)',
      querystring: z.object({ failed: z.enum(['true', 'false']).default('false'), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ attempts: z.array(Job), deadLetter: z.array(DeadLetter), stalled: z.array(Stalled) }), ...S.errorResponses },
    },
    handler: async (req) => {
      const [r, stalled] = await Promise.all([provisioning.recentJobs(callContext(req), { failedOnly: req.query.failed === 'true', limit: req.query.limit }), stalledJobs()]);
      return {
        stalled: stalled.map((j) => ({
          jobId: j.id,
          bookingId: typeof (j.data as { bookingId?: unknown })?.bookingId === 'string' ? (j.data as { bookingId: string }).bookingId : null,
          startedAt: j.startedAt.toISOString(),
          heartbeatAt: j.heartbeatAt?.toISOString() ?? null,
        })),
        attempts: r.attempts.map((a) => ({ ...a, at: a.at.toISOString() })),
        deadLetter: r.deadLetter.map((d) => ({
          bookingId: d.bookingId,
          provider: d.provider,
          state: d.state,
          attempts: d.attempts,
          lastError: d.lastError,
          lastErrorCode: d.lastErrorCode,
          updatedAt: d.updatedAt.toISOString(),
          booking: { ...d.booking, start: d.booking.start.toISOString(), end: d.booking.end.toISOString() },
        })),
      };
    },
  });

  app.post('/admin/provisioning/:id/retry', {
    config: { access: { role: 'admin' } },
    schema: { tags, summary: 'Retry now: provision this booking again at once, attempts counted from zero (admins)', params: S.IdParams, response: { 200: z.object({ bookingId: Id, state: z.string(), attempts: z.number(), lastError: z.string().nullable() }), ...S.errorResponses } },
    handler: async (req) => {
      const row = await provisioning.retryNow(callContext(req), req.params.id);
      return { bookingId: row.bookingId, state: row.state, attempts: row.attempts, lastError: row.lastError };
    },
  });
};
