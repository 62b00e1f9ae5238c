// The Fastify application: plugins, auth, idempotency, routes, error mapping, OpenAPI, health,
// metrics and the web UI. No business logic here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';
import type { Metrics } from '../observability/metrics.ts';
import { EventLoopWatch } from '../observability/event-loop.ts';
import { publicByDefault, registerAccess, type DeclaredRoute } from './access.ts';
import { AccessLog } from './access-log.ts';
import { clientErrorHandler, errorHandler, problem, problemCodeOf, sendProblem } from './errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { PublicAddressWatch } from './public-address.ts';
import { registerOverloadGuard, type OverloadLimits } from './overload.ts';
import { validatorCompiler } from './validation.ts';
import { accountRoutes } from './routes/accounts.ts';
import { passwordRoutes } from './routes/passwords.ts';
import { administrationRoutes } from './routes/administration.ts';
import { statisticsRoutes } from './routes/statistics.ts';
import { afterMeetingRoutes } from './routes/attendance.ts';
import type { AttendanceService } from '../app/attendance.ts';
import type { RecordingService } from '../app/recordings.ts';
import { auditRoutes } from './routes/audit.ts';
import { bookingRoutes } from './routes/bookings.ts';
import { waitingListRoutes } from './routes/waiting-list.ts';
import { requestRoutes } from './routes/requests.ts';
import { seriesRoutes } from './routes/series.ts';
import { delegationRoutes } from './routes/delegation.ts';
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
import { outsideMeetingRoutes } from './routes/outside-meetings.ts';
import type { OutsideMeetingService } from '../app/outside-meetings.ts';
import { roomRoutes } from './routes/room.ts';
import { noMeetingDetails } from '../notify/meeting-details.ts';
import type { Identity } from '../identity/module.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { oidcRoutes } from './routes/oidc.ts';
import { samlRoutes } from './routes/saml.ts';
import { docsSite } from './docs-site.ts';
import { registerSecurity } from './security.ts';
import { invitationReplyRoutes } from './routes/invitation-reply.ts';
import { JOIN_PAGE_SCRIPTS } from './join-pages.ts';
import { DISCOVERY_SCRIPT } from './routes/discovery.ts';
import { DATABASE_RETRY_SECONDS } from './errors.ts';

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
  provisioning?: { service: ProvisioningService; outside?: OutsideMeetingService; rooms: RoomService; attendance: AttendanceService; recordings: RecordingService; stalledJobs(): Promise<StalledJob[]>; meetingDetails: MeetingDetailsSource };
  /** The join, guest and Jitsi routes (joining-module.ts), at the root. */
  joining?: JoiningRouteOptions;
  identity?: Identity;
  /** The audio conferencing state of this instance, shown by /readyz (it does not make it unready). */
  telephony?: (() => 'connected' | 'reconnecting' | 'standby') | undefined;
  /** A request not answered in this long gets 503 REQUEST_TIMEOUT (0 or absent: no limit). */
  requestTimeoutMs?: number;
  /** True once SIGTERM arrived: /readyz answers 503 so load balancers stop sending here. */
  draining?: () => boolean;
  /** /metrics on this port needs `Authorization: Bearer <token>`; without one it is not served here. */
  metricsToken?: string | undefined;
  /** Origins the browser may connect to besides the portal (the Janus API). */
  connectOrigins?: string[];
};

/** How long /readyz waits for the database before it says it is unreachable. */
const READY_TIMEOUT_MS = 2_000;
/** What a client is told to wait before it sends a request again to an instance that shuts down. */
const SHUTDOWN_RETRY_SECONDS = 1;

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access declaration (the route-walk test reads it). */
    declaredRoutes: () => DeclaredRoute[];
  }
}

/** The requests counted by webmeetings_bookings_total: what an operator alarms on when refusals climb. */
const BOOKING_ACTIONS: Record<string, string> = {
  'POST /api/v1/bookings': 'create',
  'POST /api/v1/series': 'series',
  'PATCH /api/v1/bookings/:id': 'change',
};

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
    // One access line per request, when the answer is out (access-log.ts).
    logController: new AccessLog(),
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
  // The hooks every request passes through are plain callbacks, not async functions: no promise per
  // hook on the hot path (a cached join is a few tenths of a millisecond of CPU in all).
  app.addHook('onRequest', (_req, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close').header('retry-after', String(SHUTDOWN_RETRY_SECONDS));
    void sendProblem(reply, problem(503, 'SHUTTING_DOWN', 'This instance is shutting down; send the request again.', { retryAfterSeconds: SHUTDOWN_RETRY_SECONDS }));
  });
  // A request the handler has not answered in time (a database that froze, a lock held long) gets
  // 503: the client learns to retry (with its Idempotency-Key) instead of hanging. Streams are exempt.
  // One sweep for all requests in progress rather than a timer and two listeners per request (a
  // few per cent of a cached join): a late answer comes within a quarter of the limit of it.
  const requestTimeoutMs = o.requestTimeoutMs ?? 0;
  if (requestTimeoutMs > 0) {
    const inProgress = new Map<FastifyRequest, { reply: FastifyReply; since: number }>();
    const sweep = setInterval(() => {
      const now = performance.now();
      // A Map iterates in insertion order: the oldest first, so the sweep stops at the first young one.
      for (const [req, { reply, since }] of inProgress) {
        if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) {
          inProgress.delete(req);
          continue;
        }
        if (now - since < requestTimeoutMs) break;
        inProgress.delete(req);
        req.log.warn({ timeoutMs: requestTimeoutMs }, 'request timed out');
        reply.header('retry-after', String(DATABASE_RETRY_SECONDS));
        void sendProblem(
          reply,
          problem(503, 'REQUEST_TIMEOUT', 'The request took too long to answer; it may or may not have taken effect. Send it again (with the same Idempotency-Key for a change).', {
            retryAfterSeconds: DATABASE_RETRY_SECONDS,
            instance: req.url,
            requestId: req.id,
          }),
        );
      }
    }, Math.max(50, Math.min(1000, requestTimeoutMs / 4)));
    sweep.unref();
    app.addHook('onClose', (_app, done) => {
      clearInterval(sweep);
      done();
    });
    app.addHook('onRequest', (req, reply, done) => {
      inProgress.set(req, { reply, since: performance.now() });
      done();
    });
    app.addHook('onResponse', (req, _reply, done) => {
      inProgress.delete(req);
      done();
    });
    app.addHook('onRequestAbort', (req, done) => {
      inProgress.delete(req);
      done();
    });
  }
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });
  const publicAddress = new PublicAddressWatch(o.publicUrl);
  publicAddress.register(app);
  await registerOverloadGuard(app as unknown as FastifyInstance, o.overload, (reason) => o.metrics.overloadRefusals.labels(reason).inc());
  // The histogram's child per method, route pattern and status, kept: prom-client hashes the labels
  // on every labels() call, a few per cent of a cached join. Bounded: routes are patterns.
  const durations = new Map<string, ReturnType<typeof o.metrics.httpDuration.labels>>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${req.method} ${route} ${reply.statusCode}`;
    let duration = durations.get(key);
    if (!duration) durations.set(key, (duration = o.metrics.httpDuration.labels(req.method, route, String(reply.statusCode))));
    duration.observe(reply.elapsedTime / 1000);
    const action = BOOKING_ACTIONS[`${req.method} ${route}`];
    if (action && reply.statusCode < 500) o.metrics.bookings.labels(action, reply.statusCode < 300 ? 'ok' : (problemCodeOf(reply) ?? String(reply.statusCode))).inc();
    done();
  });

  await app.register(cookie);
  // Headers, CSP, compression: before every route, so each answer gets them.
  await registerSecurity(app as unknown as FastifyInstance, { publicUrl: o.publicUrl, connectOrigins: o.connectOrigins ?? [], inlineScripts: [...JOIN_PAGE_SCRIPTS, DISCOVERY_SCRIPT] });
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
      await api.register(waitingListRoutes, { waitingList: o.services.waitingList });
      await api.register(requestRoutes, { services: o.services });
      await api.register(audioRoutes, { audio: o.services.audio });
      await api.register(bookingIcsRoutes, { services: o.services, publicUrl: o.publicUrl, details: meetingDetails });
      await api.register(eventsRoutes, { listen: o.database.listen, accounts: o.services.accounts, authChanges: o.authChanges, limits: o.eventStreams });
      await api.register(seriesRoutes, { series: o.services.series });
      await api.register(delegationRoutes, { delegation: o.services.delegation });
      await api.register(calendarRoutes, { calendar: o.services.calendar, details: meetingDetails });
      await api.register(administrationRoutes, { services: o.services });
      await api.register(passwordRoutes, { services: o.services });
      await api.register(auditRoutes, { services: o.services });
      await api.register(statisticsRoutes, { statistics: o.services.statistics });
      if (o.provisioning && o.joining) {
        await api.register(provisioningRoutes, { joining: o.joining.joining, provisioning: o.provisioning.service, stalledJobs: o.provisioning.stalledJobs });
        await api.register(roomRoutes, { rooms: o.provisioning.rooms });
        if (o.provisioning.outside) await api.register(outsideMeetingRoutes, { outside: o.provisioning.outside });
        await api.register(afterMeetingRoutes, { attendance: o.provisioning.attendance, recordings: o.provisioning.recordings });
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
  // An invitee's own link, in their mails (server-rendered, as the join pages): their answer, and mail.
  await app.register(invitationReplyRoutes, { invitees: o.services.calendar.invitees, details: meetingDetails });

  app.get('/healthz', { schema: { hide: true }, logLevel: 'silent', config: { access: 'public' } }, async () => ({ status: 'ok' }));
  const loop = new EventLoopWatch();
  loop.start();
  app.addHook('onClose', async () => loop.stop());
  o.metrics.watchEventLoop(() => loop.recent());
  // What /readyz answers, and the webmeetings_ready gauge reads.
  const readiness = async (): Promise<{ code: number; body: Record<string, unknown>; retryAfter?: number }> => {
    const delay = loop.recent();
    const eventLoop = { ...delay, limit: o.eventLoopDelayLimitMs / 1000 };
    const unready = (body: Record<string, unknown>, retryAfter: number) => ({ code: 503, body: { ...body, eventLoop }, retryAfter });
    // SIGTERM: out of rotation first, while requests still being sent here are served.
    if (o.draining?.()) return unready({ status: 'draining' }, SHUTDOWN_RETRY_SECONDS);
    // A stalled loop answers every request late: out of rotation until it has run freely for a window.
    if (delay.max * 1000 > o.eventLoopDelayLimitMs) return unready({ status: 'event loop delayed' }, DATABASE_RETRY_SECONDS);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A database that froze must not freeze the probe: past the limit it counts as unreachable.
      const pending = await Promise.race([
        pendingMigrations(o.database.db),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('readiness check timed out')), READY_TIMEOUT_MS);
        }),
      ]);
      if (pending.length > 0) return unready({ status: 'migrations pending', pending }, DATABASE_RETRY_SECONDS);
      // Telephony is reported, not required: the portal serves bookings while Asterisk is away.
      // Reached at another address than PUBLIC_URL: still ready, with a warning (links lead elsewhere).
      return { code: 200, body: { status: 'ready', database: o.database.kind, eventLoop, ...(o.telephony && { telephony: o.telephony() }), ...publicAddress.report() } };
    } catch {
      return unready({ status: 'database unreachable' }, DATABASE_RETRY_SECONDS);
    } finally {
      clearTimeout(timer);
    }
  };
  o.metrics.watchReadiness(async () => (await readiness()).code === 200);
  app.get('/readyz', { schema: { hide: true }, logLevel: 'silent', config: { access: 'public' } }, async (_req, reply) => {
    const { code, body, retryAfter } = await readiness();
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.code(code).send(body);
  });
  app.get('/metrics', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    // Metrics tell the world about load and sign-ins: on the main port only with the bearer token
    // (METRICS_TOKEN); else they are served on METRICS_PORT only (see metricsServer).
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!o.metricsToken) return sendProblem(reply, problem(404, 'METRICS_NOT_HERE', 'Metrics are not served on this port: set METRICS_TOKEN, or METRICS_PORT for a port of their own.', { instance: req.url }));
    if (!given || !sameSecret(given, o.metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return sendProblem(reply, problem(401, 'METRICS_TOKEN_REQUIRED', 'Send the metrics token (METRICS_TOKEN) as Authorization: Bearer <token>.', { instance: req.url }));
    }
    reply.type(o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });

  await docsSite(app as unknown as FastifyInstance);

  // The single-page app's shell answers every other page address (the client routes it).
  const appShell = existsSync(WEB_DIST) ? readFileSync(join(WEB_DIST, 'index.html')) : null;
  if (appShell) {
    await app.register(async (scope) => {
      publicByDefault(scope);
      // Vite names each built file after its content: those under /assets/ never change (a year,
      // immutable); everything else (the shell, icons) is checked again on every use.
      await scope.register(fastifyStatic, {
        root: WEB_DIST,
        wildcard: false,
        // The build leaves .br and .gz copies beside each file (scripts/compress-site.ts).
        preCompressed: true,
        cacheControl: false,
        setHeaders: (res, path) => res.header('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
      });
    });
  }
  app.setNotFoundHandler((req, reply) => {
    // A hashed chunk that is gone (an open tab after a deploy) is 404: the shell in its place would
    // be run as JavaScript and break the tab.
    const isApi = /^\/(api|healthz|readyz|metrics|docs|assets)(\/|$)/.test(req.url);
    if (!isApi && appShell && (req.method === 'GET' || req.method === 'HEAD')) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(appShell);
    return sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `There is no ${req.method} ${req.url.split('?')[0]} in this API; see /api/docs.`, { instance: req.url }));
  });
  return app as unknown as FastifyInstance;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
