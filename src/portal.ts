// Composition root shared by main.ts, the CLI, tests and benchmarks: configuration in, a ready
// application out. Everything is built here once and handed down; nothing reaches for globals.
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { connectionLimits, connectionShortfall, databaseUnavailable, openDatabase, type Database } from './db/database.ts';
import { metricsServer } from './observability/metrics-server.ts';
import { migrate } from './db/migrate.ts';
import { seedDefaultRooms } from './db/seed.ts';
import { PgUnitOfWork } from './db/unit-of-work.ts';
import { AccountService } from './app/accounts.ts';
import { AdministrationService } from './app/administration.ts';
import { PeopleService } from './app/people.ts';
import { DelegationService } from './app/delegation.ts';
import { hashSecret, newSecret } from './identity/secrets.ts';
import { BookingService } from './app/bookings.ts';
import { RequestService } from './app/requests.ts';
import { startRequestExpiry } from './jobs/request-expiry.ts';
import { SeriesService } from './app/series.ts';
import { WaitingListService } from './app/waiting-list.ts';
import { startWaitingListJobs } from './jobs/waiting-list.ts';
import { StatisticsService } from './app/statistics.ts';
import { PgStatisticsRepository } from './db/statistics-repository.ts';
import { AudioService } from './app/audio.ts';
import { AriRest } from './telephony/ari/client.ts';
import { ariPhoneControl } from './telephony/phone-control.ts';
import { startTelephony, type TelephonyModule } from './telephony/module.ts';
import { InviteeService } from './app/invitees.ts';
import { FeedService } from './app/feeds.ts';
import { PgFeedRepository } from './db/feed-repository.ts';
import { startNotify, type NotifyModule } from './notify/module.ts';
import { argon2Hasher } from './identity/passwords.ts';
import { PgSessionStore } from './identity/session-store.ts';
import { PgTokenStore } from './identity/token-store.ts';
import { buildIdentity } from './identity/module.ts';
import { PgPortalSettings, PgSignInGuard } from './identity/sign-in-guard.ts';
import { defaultService } from './providers/settings.ts';
import { buildApp } from './http/app.ts';
import type { Services } from './http/services.ts';
import { logDestination, loggerOptions } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { AUTH_CHANNEL, JOIN_CHANNEL, type Clock } from './ports.ts';
import { JobQueue } from './jobs/queue.ts';
import { startProvisioningModule, type ProvisioningModule } from './jobs/provisioning-module.ts';
import { startHousekeeping, type Housekeeping } from './jobs/housekeeping.ts';
import { PgHousekeeping } from './db/housekeeping-repository.ts';
import { PgUsageRepository } from './db/usage-repository.ts';
import { startUsageSampler, type UsageSampler } from './jobs/usage-sampler.ts';
import { CredentialCache } from './identity/credential-cache.ts';
import { AuthChangeHub, parseAuthChange } from './live/booking-changes.ts';
import { JOIN_CACHE_CHANNELS, JoinCache } from './app/join-cache.ts';
import { RoomCache } from './app/room-cache.ts';
import { PgRoomRepository } from './db/room-repository.ts';
import { JoiningService } from './app/joining.ts';
import { PgGuestPinAttempts } from './db/guest-pin-repository.ts';
import { Notices } from './db/notices.ts';
import { listenOnSockets, type Listening } from './http/listen.ts';

/**
 * How long a join cache entry lives at most without a notice: the notices forget it at once; this
 * bounds the damage of a notice lost while a LISTEN connection was being re-made.
 */
const JOIN_CACHE_MAX_AGE_SECONDS = 60;
/** The same bound for the rooms (app/room-cache.ts), whose every change also sends a notice. */
const ROOM_CACHE_MAX_AGE_SECONDS = 60;

export const systemClock: Clock = { now: () => new Date() };

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export type Portal = {
  app: FastifyInstance;
  database: Database;
  services: Services;
  queue: JobQueue;
  logger: Logger;
  provisioning: ProvisioningModule;
  /** Who enters which meeting (app/joining.ts), with this instance's join cache. */
  joining: JoiningService;
  notify: NotifyModule;
  /** Null when audio conferencing is off (no ARI_URL). */
  telephony: TelephonyModule | null;
  housekeeping: Housekeeping;
  /** The minute samples of usage statistics (scheduled once a minute; tests call it). */
  sampler: UsageSampler;
  /**
   * Starts taking connections on PORT and HOST (or those given), on LISTEN_SOCKETS sockets
   * (http/listen.ts); the first socket's address.
   */
  listen(at?: { port?: number; host?: string }): Promise<string>;
  /** SIGTERM's first step: /readyz answers 503 (requests are still served) until close(). */
  drain(): void;
  close(): Promise<void>;
};

export type PortalOptions = { clock?: Clock; database?: Database; logger?: Logger; memory?: boolean };

/**
 * Opens, migrates and seeds the database. With `waitLogger` a database that cannot be reached yet
 * (it starts after the portal, or is restarting) is waited for with capped backoff, each attempt
 * logged, instead of failing the start: an orchestrator need not order the two.
 */
export async function openPortalDatabase(config: Config, opts: { memory?: boolean; waitLogger?: Logger } = {}): Promise<Database> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    memory: opts.memory ?? false,
    connectTimeoutMs: config.databaseTimeouts.connectMs,
    statementTimeoutMs: config.databaseTimeouts.statementMs,
    preparedStatements: config.databasePreparedStatements,
  });
  try {
    for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 10_000)) {
      try {
        await migrate(database.db);
        break;
      } catch (e) {
        if (!opts.waitLogger || !databaseUnavailable(e)) throw e;
        opts.waitLogger.warn({ attempt, retryInMs: delay, err: (e as Error).message }, `database unreachable; trying again in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (config.seedDefaultRooms) await seedDefaultRooms(database.db, config.booking.defaultTimeZone);
  } catch (e) {
    await database.close().catch(() => {});
    throw e;
  }
  return database;
}

/**
 * The use-cases over one database. A running portal passes what belongs to its instance: the job
 * queue, its caches, and its `notices`, through which those caches hear this instance's changes.
 */
export function buildServices(
  config: Config,
  database: Database,
  clock: Clock,
  instance: { queue?: JobQueue; credentials?: CredentialCache; rooms?: RoomCache; notices?: Notices } = {},
): Services {
  const { queue, credentials, rooms } = instance;
  const notices = instance.notices ?? new Notices(database.db);
  const uow = new PgUnitOfWork(database.db, queue, { rooms, notices });
  const sessions = new PgSessionStore(database.db, config.session, credentials, notices.send);
  const tokens = new PgTokenStore(database.db, credentials, notices.send);
  const policy = config.booking;
  const guard = new PgSignInGuard(database.db, config.loginLimits);
  const settings = new PgPortalSettings(database.db);
  // PGlite has one connection, held by each transaction: one lane is all it can use.
  const bookings = new BookingService({ uow, clock, policy, groupLanes: database.kind === 'pglite' ? 1 : 2 });
  const t = config.telephony;
  const { joinOpensMinutes, graceMinutes } = config.provisioning.policy;
  const audio = new AudioService({
    uow,
    settings: t && { numbers: t.numbers, sipDomain: t.sipDomain, pinDigits: t.pinDigits, hostPin: t.hostPin, opensMinutes: joinOpensMinutes, graceMinutes },
    control: t && ariPhoneControl(new AriRest(t.ari)),
  });
  // Batch listeners run first: provisioning and mail, later in the same transaction, see the PINs.
  bookings.onChanges(audio.listener);
  return {
    uow,
    policy,
    waitingList: new WaitingListService({ uow, clock, policy, bookings, holdMinutes: config.waitingList.holdMinutes }),
    defaultService: defaultService(config.provisioning.providers),
    bookings,
    requests: new RequestService({ uow, clock, policy, bookings }),
    audio,
    series: new SeriesService({ uow, clock, policy, bookings }),
    delegation: new DelegationService({ uow, clock, publicUrl: config.publicUrl, limits: config.invitations }),
    calendar: {
      invitees: new InviteeService({ uow, clock, limits: config.invitations }),
      feeds: new FeedService({ uow, store: new PgFeedRepository(database.db), clock, maxDaysAhead: policy.maxDaysAhead }),
      publicUrl: config.publicUrl,
      mailConfigured: Boolean(config.mail.smtpUrl),
    },
    accounts: new AccountService({
      uow,
      hasher: argon2Hasher,
      sessions,
      tokens,
      clock,
      defaultTimeZone: policy.defaultTimeZone,
      guard,
      settings,
      federatedSignIn: config.saml !== null || config.oidc.providers.length > 0,
    }),
    administration: new AdministrationService({ uow, defaultTimeZone: policy.defaultTimeZone, clock }),
    statistics: new StatisticsService({ reader: new PgStatisticsRepository(database.db), clock, timeZone: policy.defaultTimeZone }),
    people: new PeopleService({
      uow,
      hasher: argon2Hasher,
      clock,
      secrets: { create: newSecret, hash: hashSecret },
      policy: config.passwordLinks,
      publicUrl: config.publicUrl,
      mailConfigured: Boolean(config.mail.smtpUrl),
      settings,
    }),
  };
}

/**
 * A burst beyond the server's connections is answered 503 DATABASE_UNAVAILABLE: honest, but an
 * operator should hear at start-up that the pools of the instances do not fit (docs/deploy.md).
 */
async function warnOfConnectionShortfall(database: Database, poolSize: number, logger: Logger): Promise<void> {
  const limits = await connectionLimits(database.pool).catch(() => null);
  if (!limits) return;
  const { short, others } = connectionShortfall(limits, { poolSize, ownOpen: database.pool.totalCount });
  if (short === 0) return;
  logger.warn(
    { event: 'database.connections-short', poolSize, ...limits, short },
    `DATABASE_POOL_SIZE is ${poolSize} (and one connection listens), but the database server allows ${limits.max} connections, ` +
      `keeps ${limits.reservedForSuperusers} for superusers and ${others} are open elsewhere: under load, ${short} of this instance's ` +
      `would be refused and requests answered 503 DATABASE_UNAVAILABLE. Lower DATABASE_POOL_SIZE (all instances together must fit) or raise max_connections.`,
  );
}

export async function createPortal(config: Config, opts: PortalOptions = {}): Promise<Portal> {
  const logger = opts.logger ?? pino(loggerOptions(config.logLevel), logDestination());
  const clock = opts.clock ?? systemClock;
  const database = opts.database ?? (await openPortalDatabase(config, { memory: opts.memory ?? false, waitLogger: logger }));
  if (database.kind === 'postgres') await warnOfConnectionShortfall(database, config.databasePoolSize, logger);
  const queue = new JobQueue(database, logger, { jobRetentionDays: config.retention.jobDays });
  await queue.start();
  // This instance's change notices: its caches below hear its own changes at once (db/notices.ts),
  // every instance's through LISTEN.
  const notices = new Notices(database.db);
  // Who a session or token is, remembered per instance and forgotten on every change notice: a
  // change of a person's rights, language or credentials.
  const credentials = new CredentialCache({ ttlSeconds: config.session.cacheSeconds });
  const stopAuthNotices = notices.onLocal((n) => {
    const change = n.channel === AUTH_CHANNEL ? parseAuthChange(n.payload) : null;
    if (change) credentials.apply(change);
  });
  const authChanges = new AuthChangeHub(database.listen);
  authChanges.subscribe((change) => credentials.apply(change));
  // Sign-outs and revocations notified while the listening connection was down were missed.
  authChanges.onResync(() => credentials.clear());
  await authChanges.start();
  // The rooms, read by every booking request and calendar view, kept per instance and forgotten on
  // every room change notice (app/room-cache.ts).
  const rooms = new RoomCache(new PgRoomRepository(database.db, notices.send), { maxAgeMs: ROOM_CACHE_MAX_AGE_SECONDS * 1000 });
  const stopRoomNotices = notices.onLocal((n) => rooms.apply(n.channel, n.payload));
  const unlistenRooms = await database.listen(JOIN_CHANNEL, (payload) => rooms.apply(JOIN_CHANNEL, payload), () => rooms.forget());
  const services = buildServices(config, database, clock, { queue, credentials, rooms, notices });
  const identity = buildIdentity(config, database, services.uow, logger, { credentials, notices });
  await identity.start();
  const metrics = createMetrics();
  const provisioning = await startProvisioningModule({
    config,
    database,
    queue,
    notices,
    clock,
    logger,
    services,
    observeCall: (c) => {
      metrics.providerCalls.labels(c.provider, c.operation, c.ok ? 'ok' : 'error').observe(c.seconds);
      if (!c.ok) metrics.providerErrors.labels(c.provider, c.operation).inc();
    },
  });
  const notify = await startNotify({ config: config.mail, limits: config.invitations, queue, database, notices, clock, logger, services, defaultTimeZone: config.booking.defaultTimeZone });
  notify.setMeetingDetails(provisioning.meetingDetails);
  // After notify: the hold's mail goes on the mail queue. A portal on a test clock sweeps when its
  // test says (the schedule would sweep at real minutes, not at the test's times).
  await startWaitingListJobs({ queue, waitingList: services.waitingList, bookings: services.bookings, logger, publicUrl: config.publicUrl, defaultLocale: config.mail.defaultLocale, schedule: opts.clock === undefined });
  await startRequestExpiry({ queue, requests: services.requests, logger });
  const usage = new PgUsageRepository(database.db);
  const sampler = await startUsageSampler({
    queue,
    usage,
    clock,
    logger,
    webHeadCount: (bookingId) => provisioning.service.webHeadCount(bookingId),
    schedule: config.usage.sampleEveryMinute,
    onSample: (minute, bookingIds) => provisioning.attendance.sample(minute, bookingIds),
  });
  metrics.watchOperations(() => usage.snapshot(clock.now(), config.booking.seatPool));
  metrics.watchPool(() => ({ total: database.pool.totalCount ?? 0, idle: database.pool.idleCount ?? 0, waiting: database.pool.waitingCount ?? 0 }));
  // Joins read from memory; every change notice (from any instance, and from this one at once) forgets.
  const joinCache = new JoinCache({ store: provisioning.store, conference: (bookingId) => services.uow.repos.audio.get(bookingId), clock, maxAgeSeconds: JOIN_CACHE_MAX_AGE_SECONDS, graceMinutes: config.provisioning.policy.graceMinutes });
  const stopJoinNotices = notices.onLocal((n) => joinCache.apply(n.channel, n.payload));
  const unlistenJoin = await Promise.all(JOIN_CACHE_CHANNELS.map((channel) => database.listen(channel, (payload) => joinCache.apply(channel, payload))));
  const joining = new JoiningService({
    store: provisioning.store,
    cache: joinCache,
    registry: provisioning.registry,
    provisioning: provisioning.service,
    clock,
    publicUrl: config.publicUrl,
    pinAttempts: new PgGuestPinAttempts(database.db, config.guestPinLimits),
    onEnter: (bookingId, who, at) => provisioning.attendance.entered(bookingId, who, at),
  });
  const cleaner = new PgHousekeeping(database.db);
  const HOUR = 3600;
  const housekeeping = startHousekeeping({
    store: cleaner,
    tickSeconds: config.housekeeping.tickSeconds,
    logger,
    purges: [
      { name: 'idempotency-keys', everySeconds: HOUR, run: () => cleaner.purgeIdempotencyKeys(config.housekeeping.idempotencyKeyHours) },
      { name: 'sessions', everySeconds: HOUR, run: () => cleaner.purgeSessions(config.session.idleMinutes) },
      { name: 'guest-pin-failures', everySeconds: HOUR, run: () => cleaner.purgeGuestPinFailures(config.guestPinLimits.windowMinutes) },
      { name: 'usage-samples', everySeconds: HOUR, run: () => usage.purge(config.usage.retentionDays) },
      { name: 'audit-log', everySeconds: HOUR, run: () => cleaner.purgeAuditLog(config.retention.auditDays) },
      { name: 'guest-links', everySeconds: HOUR, run: () => cleaner.purgeGuestLinks(config.retention.guestLinkDays, clock.now()) },
      { name: 'attendance', everySeconds: HOUR, run: () => provisioning.attendanceRows.purge(config.usage.attendanceRetentionMonths) },
    ],
  });
  const telephony = config.telephony
    ? await startTelephony({
        config: config.telephony,
        database,
        uow: services.uow,
        clock,
        logger,
        provisioning: provisioning.service,
        observeAdmission: (s) => metrics.audioAdmission.observe(s),
        observeCallers: (n) => metrics.audioCallers.set(n),
        onConnectionChange: (up) => metrics.ariConnected.set(up ? 1 : 0),
      })
    : null;
  let draining = false;
  let listening: Listening | null = null;
  const app = await buildApp({
    services,
    database,
    metrics,
    logger,
    bodyLimit: config.bodyLimitBytes,
    eventLoopDelayLimitMs: config.eventLoopDelayLimitMs,
    overload: config.overload,
    cookieSecure: config.cookieSecure,
    sessionHours: config.session.absoluteHours,
    eventStreams: config.eventStreams,
    authChanges,
    version: VERSION,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    identity,
    provisioning,
    requestTimeoutMs: config.requestTimeoutMs,
    draining: () => draining,
    metricsToken: config.metrics.token,
    connectOrigins: config.provisioning.providers.janus ? [config.provisioning.providers.janus.publicUrl] : [],
    joining: {
      joining,
      store: provisioning.store,
      audio: services.audio,
      clock,
      guestPinLimits: config.guestPinLimits,
      joinOpensMinutes: config.provisioning.policy.joinOpensMinutes,
      jitsi: config.provisioning.providers.jitsi,
      recordings: async (bookingId) => (await provisioning.recordings.published(bookingId)).map((r) => ({ start: r.start, lengthMinutes: r.lengthMinutes, url: r.url ?? '' })),
    },
    telephony: telephony ? () => (!telephony.holds() ? 'standby' : telephony.connected() ? 'connected' : 'reconnecting') : undefined,
  });
  // Metrics on a port of their own (METRICS_PORT), for Prometheus inside the network only.
  const metricsListener = config.metrics.port ? await metricsServer(metrics, { host: config.host, port: config.metrics.port }) : null;
  return {
    app,
    database,
    services,
    queue,
    logger,
    provisioning,
    joining,
    notify,
    telephony,
    housekeeping,
    sampler,
    async listen(at = {}) {
      listening = await listenOnSockets(app, { port: at.port ?? config.port, host: at.host ?? config.host, sockets: config.listenSockets });
      return listening.url;
    },
    drain() {
      draining = true;
    },
    async close() {
      draining = true;
      await metricsListener?.close();
      // The extra sockets take no new connections; their close completes once the server's close
      // has ended the connections they handed it.
      const unlistened = listening?.close();
      await housekeeping.stop();
      await telephony?.stop();
      await app.close();
      await unlistened;
      await authChanges.close();
      stopJoinNotices();
      stopRoomNotices();
      stopAuthNotices();
      await unlistenRooms();
      await Promise.all(unlistenJoin.map((stop) => stop()));
      await identity.stop();
      await provisioning.stop();
      await queue.stop();
      notify.close();
      if (!opts.database) await database.close();
    },
  };
}
