// The Fastify application: plugins, auth, idempotency, routes, error mapping, OpenAPI, health,
// metrics and the web UI. No business logic here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';
import type { Metrics } from '../observability/metrics.ts';
import { EventLoopWatch } from '../observability/event-loop.ts';
import { publicByDefault, registerAccess, type DeclaredRoute } from './access.ts';
import { clientErrorHandler, errorHandler, problem, sendProblem } from './errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { registerOverloadGuard, type OverloadLimits } from './overload.ts';
import { accountRoutes } from './routes/accounts.ts';
import { passwordRoutes } from './routes/passwords.ts';
import { administrationRoutes } from './routes/administration.ts';
import { auditRoutes } from './routes/audit.ts';
import { bookingRoutes } from './routes/bookings.ts';
import { seriesRoutes } from './routes/series.ts';
import { eventsRoutes, type EventStreamLimits } from './routes/events.ts';
import type { AuthChangeHub } from '../live/booking-changes.ts';
import { audioRoutes } from './routes/audio.ts';
import { bookingIcsRoutes } from './routes/booking-ics.ts';
import { calendarRoutes } from './routes/feeds.ts';
import type { Services } from './services.ts';
import type { ProvisioningService } from '../app/provisioning.ts';
import type { RoomService } from '../app/rooms.ts';
import type { StalledJob } from '../ports.ts';
import type { MeetingDetailsSource } from '../notify/meeting-details.ts';
import { joiningRoutes, type JoiningRouteOptions } from './joining-module.ts';
import { provisioningRoutes } from './routes/provisioning.ts';
import { roomRoutes } from './routes/room.ts';
import { noMeetingDetails } from '../notify/meeting-details.ts';
import type { Identity } from '../identity/module.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { oidcRoutes } from './routes/oidc.ts';
import { samlRoutes } from './routes/saml.ts';
import { docsSite } from './docs-site.ts';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export type AppOptions = {
  services: Services;
  database: Database;
  metrics: Metrics;
  logger: Logger;
  bodyLimit: number;
  /** /readyz answers 503 while the event loop's recent maximum delay is above this. */
  eventLoopDelayLimitMs: number;
  /** Requests past these bounds get a fast 503 OVERLOADED (overload.ts). */
  overload: OverloadLimits;
  cookieSecure: boolean;
  sessionHours: number;
  eventStreams: EventStreamLimits;
  authChanges: AuthChangeHub;
  version: string;
  trustProxy: boolean | string[];
  publicUrl: string;
  /** The provisioning feature's services (its routes: under /api/v1). */
  provisioning?: { service: ProvisioningService; rooms: RoomService; stalledJobs(): Promise<StalledJob[]>; meetingDetails: MeetingDetailsSource };
  /** The join, guest and Jitsi routes (joining-module.ts), at the root. */
  joining?: JoiningRouteOptions;
  identity?: Identity;
  /** The audio conferencing state of this instance, shown by /readyz (it does not make it unready). */
  telephony?: (() => 'connected' | 'reconnecting' | 'standby') | undefined;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access declaration (the route-walk test reads it). */
    declaredRoutes: () => DeclaredRoute[];
  }
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    bodyLimit: o.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    // Every error the server sends is problem+json with a code: those found before routing (a bad
    // %-escape, a too long parameter), those of Node's HTTP parser, and the 503 while closing.
    frameworkErrors: errorHandler,
    clientErrorHandler,
    return503OnClosing: false,
    trustProxy: o.trustProxy,
    // `//api/v1/x` and `/api/v1/x/` reach the route `/api/v1/x` and so its access declaration.
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    return sendProblem(reply, problem(503, 'SHUTTING_DOWN', 'This instance is shutting down; send the request again.'));
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await registerOverloadGuard(app as unknown as FastifyInstance, o.overload, (reason) => o.metrics.overloadRefusals.labels(reason).inc());
  app.addHook('onResponse', async (req, reply) => {
    o.metrics.httpDuration
      .labels(req.method, req.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(cookie);
  // Before any route: every route registered from here on is collected and must declare its
  // access; its hooks run after the cookie parser's.
  app.decorate('declaredRoutes', registerAccess(app, o.services.accounts));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'WebMeetings API', version: o.version, description: 'Book virtual meeting rooms. Errors are RFC 9457 problem+json with a stable `code`.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'wm_session' },
          token: { type: 'http', scheme: 'bearer', description: 'Personal API token (POST /api/v1/me/tokens)' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(async (scope) => {
    publicByDefault(scope);
    await scope.register(swaggerUi, { routePrefix: '/api/docs' });
  });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  registerIdempotency(app, o.database.db);
  // Join link, guest link and dial-in of a booking, for .ics downloads and feeds (as in the mails).
  const meetingDetails = o.provisioning?.meetingDetails ?? noMeetingDetails;

  await app.register(
    async (api) => {
      await api.register(accountRoutes, { services: o.services, cookieSecure: o.cookieSecure, sessionHours: o.sessionHours, publicUrl: o.publicUrl });
      await api.register(bookingRoutes, { services: o.services });
      await api.register(audioRoutes, { audio: o.services.audio });
      await api.register(bookingIcsRoutes, { services: o.services, publicUrl: o.publicUrl, details: meetingDetails });
      await api.register(eventsRoutes, { listen: o.database.listen, accounts: o.services.accounts, authChanges: o.authChanges, limits: o.eventStreams });
      await api.register(seriesRoutes, { series: o.services.series });
      await api.register(calendarRoutes, { calendar: o.services.calendar, details: meetingDetails });
      await api.register(administrationRoutes, { services: o.services });
      await api.register(passwordRoutes, { services: o.services });
      await api.register(auditRoutes, { services: o.services });
      if (o.provisioning && o.joining) {
        await api.register(provisioningRoutes, { joining: o.joining.joining, provisioning: o.provisioning.service, stalledJobs: o.provisioning.stalledJobs });
        await api.register(roomRoutes, { rooms: o.provisioning.rooms });
      }
    },
    { prefix: '/api/v1' },
  );

  if (o.identity) {
    await app.register(samlRoutes, { identity: o.identity });
    await app.register(oidcRoutes, { identity: o.identity });
    await app.register(discoveryRoutes, { identity: o.identity, services: o.services });
  }

  if (o.joining) await app.register(joiningRoutes, o.joining);

  app.get('/healthz', { schema: { hide: true }, logLevel: 'silent', config: { access: 'public' } }, async () => ({ status: 'ok' }));
  const loop = new EventLoopWatch();
  loop.start();
  app.addHook('onClose', async () => loop.stop());
  o.metrics.watchEventLoop(() => loop.recent());
  app.get('/readyz', { schema: { hide: true }, logLevel: 'silent', config: { access: 'public' } }, async (_req, reply) => {
    const delay = loop.recent();
    const eventLoop = { ...delay, limit: o.eventLoopDelayLimitMs / 1000 };
    // A stalled loop answers every request late: out of rotation until it has run freely for a window.
    if (delay.max * 1000 > o.eventLoopDelayLimitMs) return reply.code(503).send({ status: 'event loop delayed', eventLoop });
    try {
      const pending = await pendingMigrations(o.database.db);
      if (pending.length > 0) return reply.code(503).send({ status: 'migrations pending', pending, eventLoop });
      // Telephony is reported, not required: the portal serves bookings while Asterisk is away.
      return { status: 'ready', database: o.database.kind, eventLoop, ...(o.telephony && { telephony: o.telephony() }) };
    } catch {
      return reply.code(503).send({ status: 'database unreachable', eventLoop });
    }
  });
  app.get('/metrics', { schema: { hide: true }, config: { access: 'public' } }, async (_req, reply) => {
    reply.type(o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });

  await docsSite(app as unknown as FastifyInstance);

  // The single-page app's shell answers every other page address (the client routes it).
  const appShell = existsSync(WEB_DIST) ? readFileSync(join(WEB_DIST, 'index.html')) : null;
  if (appShell) {
    await app.register(async (scope) => {
      publicByDefault(scope);
      await scope.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
    });
  }
  app.setNotFoundHandler((req, reply) => {
    const isApi = /^\/(api|healthz|readyz|metrics|docs)(\/|$)/.test(req.url);
    if (!isApi && appShell && (req.method === 'GET' || req.method === 'HEAD')) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(appShell);
    return sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `There is no ${req.method} ${req.url.split('?')[0]} in this API; see /api/docs.`, { instance: req.url }));
  });
  return app as unknown as FastifyInstance;
}
