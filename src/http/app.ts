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
import { publicByDefault, registerAccess, type DeclaredRoute } from './access.ts';
import { errorHandler, problem, sendProblem } from './errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { accountRoutes } from './routes/accounts.ts';
import { administrationRoutes } from './routes/administration.ts';
import { auditRoutes } from './routes/audit.ts';
import { bookingRoutes } from './routes/bookings.ts';
import { seriesRoutes } from './routes/series.ts';
import { eventsRoutes, type EventStreamLimits } from './routes/events.ts';
import { audioRoutes } from './routes/audio.ts';
import { bookingIcsRoutes } from './routes/booking-ics.ts';
import { calendarRoutes } from './routes/feeds.ts';
import type { Services } from './services.ts';
import type { ProvisioningModule } from '../jobs/provisioning-module.ts';
import type { Identity } from '../identity/module.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { oidcRoutes } from './routes/oidc.ts';
import { samlRoutes } from './routes/saml.ts';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export type AppOptions = {
  services: Services;
  database: Database;
  metrics: Metrics;
  logger: Logger;
  bodyLimit: number;
  cookieSecure: boolean;
  sessionHours: number;
  eventStreams: EventStreamLimits;
  version: string;
  trustProxy: boolean | string[];
  publicUrl: string;
  provisioning?: ProvisioningModule;
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
    return503OnClosing: true,
    trustProxy: o.trustProxy,
    // `//api/v1/x` and `/api/v1/x/` reach the route `/api/v1/x` and so its access declaration.
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
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

  await app.register(
    async (api) => {
      await api.register(accountRoutes, { services: o.services, cookieSecure: o.cookieSecure, sessionHours: o.sessionHours });
      await api.register(bookingRoutes, { services: o.services });
      await api.register(audioRoutes, { audio: o.services.audio });
      await api.register(bookingIcsRoutes, { services: o.services, publicUrl: o.publicUrl });
      await api.register(eventsRoutes, { listen: o.database.listen, accounts: o.services.accounts, limits: o.eventStreams });
      await api.register(seriesRoutes, { series: o.services.series });
      await api.register(calendarRoutes, { calendar: o.services.calendar });
      await api.register(administrationRoutes, { services: o.services });
      await api.register(auditRoutes, { services: o.services });
      if (o.provisioning) await o.provisioning.apiRoutes(api);
    },
    { prefix: '/api/v1' },
  );

  if (o.identity) {
    await app.register(samlRoutes, { identity: o.identity });
    await app.register(oidcRoutes, { identity: o.identity });
    await app.register(discoveryRoutes, { identity: o.identity, services: o.services });
  }

  if (o.provisioning) await o.provisioning.pageRoutes(app);

  app.get('/healthz', { schema: { hide: true }, logLevel: 'silent', config: { access: 'public' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, logLevel: 'silent', config: { access: 'public' } }, async (_req, reply) => {
    try {
      const pending = await pendingMigrations(o.database.db);
      if (pending.length > 0) return reply.code(503).send({ status: 'migrations pending', pending });
      // Telephony is reported, not required: the portal serves bookings while Asterisk is away.
      return { status: 'ready', database: o.database.kind, ...(o.telephony && { telephony: o.telephony() }) };
    } catch {
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', { schema: { hide: true }, config: { access: 'public' } }, async (_req, reply) => {
    reply.type(o.metrics.registry.contentType);
    return o.metrics.registry.metrics();
  });

  // The single-page app's shell answers every other page address (the client routes it).
  const appShell = existsSync(WEB_DIST) ? readFileSync(join(WEB_DIST, 'index.html')) : null;
  if (appShell) {
    await app.register(async (scope) => {
      publicByDefault(scope);
      await scope.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
    });
  }
  app.setNotFoundHandler((req, reply) => {
    const isApi = /^\/(api|healthz|readyz|metrics)(\/|$)/.test(req.url);
    if (!isApi && appShell && (req.method === 'GET' || req.method === 'HEAD')) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(appShell);
    return sendProblem(reply, problem(404, 'ROUTE_NOT_FOUND', `There is no ${req.method} ${req.url.split('?')[0]} in this API; see /api/docs.`, { instance: req.url }));
  });
  return app as unknown as FastifyInstance;
}
