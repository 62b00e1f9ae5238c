// Every setting, read from the environment once at start-up and validated here; nothing else reads
// process.env. A wrong value stops the start with a message that names the variable.
import { isIP } from 'node:net';
import { z } from 'zod';
import { LONGEST_BOOKING_MINUTES, type BookingPolicy } from './domain/booking-rules.ts';
import type { GuestPinLimits } from './domain/guest-pin.ts';
import { PROVISIONING_ENV, provisioningConfig, type ProvisioningConfig } from './providers/settings.ts';
import type { LoginLimits } from './domain/sign-in-delay.ts';
import { MAIL_ENV, mailConfig, type MailConfig } from './notify/settings.ts';
import { TELEPHONY_ENV, telephonyConfig, type TelephonyConfig } from './telephony/settings.ts';
import { SAML_ENV, samlConfig, type SamlConfig } from './identity/saml/settings.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const ianaZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone such as Europe/Rome' },
);

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * One TRUST_PROXY entry as the proxy check (@fastify/proxy-addr) takes it: an address, or a range
 * as address/prefix (from 1) or, for IPv4, address/netmask. Anything else would pass the start and
 * fail later with a bare TypeError.
 */
function isProxyAddress(entry: string): boolean {
  const [address, range, ...rest] = entry.split('/');
  const kind = isIP(address!);
  if (kind === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) >= 1 && Number(range) <= (kind === 4 ? 32 : 128);
  if (kind !== 4 || isIP(range) !== 4) return false;
  const mask = range.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const hostBits = ~mask >>> 0;
  return mask !== 0 && (hostBits & (hostBits + 1)) === 0; // contiguous ones, then zeros
}

const trustProxy = z
  .string()
  .transform((v) => v.trim())
  .superRefine((v, ctx) => {
    if (/^(true|false)$/i.test(v)) return;
    const wrong = v.split(',').map((a) => a.trim()).filter((a) => a !== '' && !isProxyAddress(a));
    if (wrong.length > 0 || v.replaceAll(',', '').trim() === '') {
      const what = wrong.length > 0 ? `${wrong.map((a) => JSON.stringify(a)).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not an IP address or range; it ` : '';
      ctx.addIssue({ code: 'custom', message: `${what}must be true, false or proxy addresses such as 10.0.0.1,10.0.1.0/24` });
    }
  });

/** Every setting: the configuration reference, the README table and the Helm values are checked against it. */
export const EnvSchema = z.object({
  PORT: intIn(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LISTEN_SOCKETS: intIn(1, 256).default(32),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: intIn(1, 200).default(20),
  DATABASE_CONNECT_TIMEOUT_SECONDS: intIn(1, 600).default(5),
  DATABASE_STATEMENT_TIMEOUT_SECONDS: intIn(0, 3600).default(20),
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  REQUEST_TIMEOUT_SECONDS: intIn(0, 3600).default(30),
  DRAIN_SECONDS: intIn(0, 300).default(5),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: intIn(1, 65535).optional(),
  AUDIT_RETENTION_DAYS: intIn(0, 36_500).default(730),
  JOB_RETENTION_DAYS: intIn(1, 3650).default(7),
  GUEST_LINK_RETENTION_DAYS: intIn(0, 3650).default(30),
  DATA_DIR: z.string().min(1).default('./data'),
  SEAT_POOL: intIn(1, 1_000_000).default(500),
  TURNAROUND_MINUTES: intIn(0, 240).default(15),
  MIN_DURATION_MINUTES: intIn(1, 24 * 60).default(15),
  MAX_DURATION_MINUTES: intIn(1, LONGEST_BOOKING_MINUTES).default(12 * 60),
  MAX_DAYS_AHEAD: intIn(1, 3650).default(180),
  MAX_SEATS_PER_BOOKING: intIn(0, 1_000_000).default(0),
  GRANULARITY_MINUTES: intIn(1, 60).default(5),
  WAITLIST_HOLD_MINUTES: intIn(1, 24 * 60).default(30),
  DEFAULT_TIME_ZONE: ianaZone.default('Europe/Rome'),
  SESSION_IDLE_MINUTES: intIn(1, 7 * 24 * 60).default(120),
  SESSION_ABSOLUTE_HOURS: intIn(1, 24 * 90).default(12),
  COOKIE_SECURE: bool.optional(),
  // Behind a reverse proxy: 'true' (trust all), or the proxy addresses/CIDRs, comma-separated.
  TRUST_PROXY: trustProxy.default('false'),
  BODY_LIMIT_BYTES: intIn(1024, 10 * 1024 * 1024).default(64 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEFAULT_ROOMS: bool.default(true),
  SHUTDOWN_GRACE_SECONDS: intIn(1, 600).default(25),
  EVENT_STREAMS_PER_USER: intIn(1, 1000).default(8),
  EVENT_STREAMS_PER_ADDRESS: intIn(1, 100_000).default(200),
  EVENT_STREAM_RECHECK_SECONDS: intIn(1, 3600).default(60),
  IDEMPOTENCY_KEY_HOURS: intIn(1, 24 * 30).default(24),
  AUTH_CACHE_SECONDS: intIn(0, 3600).default(30),
  HOUSEKEEPING_TICK_SECONDS: intIn(0, 86_400).default(300),
  USAGE_SAMPLING: bool.default(true),
  USAGE_SAMPLE_RETENTION_DAYS: intIn(1, 3650).default(730),
  ATTENDANCE_RETENTION_MONTHS: intIn(1, 120).default(12),
  EVENT_LOOP_DELAY_LIMIT_MS: intIn(10, 600_000).default(1000),
  OVERLOAD_MAX_IN_FLIGHT: intIn(0, 1_000_000).default(1000),
  OVERLOAD_EVENT_LOOP_DELAY_MS: intIn(0, 600_000).default(1000),
  OVERLOAD_RETRY_AFTER_SECONDS: intIn(1, 3600).default(2),
  ...PROVISIONING_ENV,
  ...MAIL_ENV,
  ...TELEPHONY_ENV,
  // Federated sign-in (SAML 2.0 federation, OpenID Connect), local accounts, sign-in rate limits.
  ...SAML_ENV,
  OIDC_PROVIDERS: z.string().optional(),
  OIDC_ALLOW_HTTP: bool.default(false),
  LOGIN_FREE_FAILURES: intIn(0, 100).default(3),
  LOGIN_DELAY_BASE_SECONDS: intIn(1, 3600).default(5),
  LOGIN_DELAY_MAX_SECONDS: intIn(1, 24 * 3600).default(900),
  LOGIN_ACCOUNT_DELAY_MAX_SECONDS: intIn(0, 3600).default(60),
  LOGIN_FAMILIAR_DAYS: intIn(0, 3650).default(30),
  LOGIN_MAX_FAILURES_PER_ADDRESS: intIn(1, 100_000).default(30),
  LOGIN_FAILURE_WINDOW_MINUTES: intIn(1, 24 * 60).default(60),
  // Invitations by e-mail: not a relay for spam (issue #11).
  MAX_INVITEES_PER_BOOKING: intIn(1, 10_000).default(100),
  MAX_NEW_INVITEES_PER_DAY: intIn(1, 100_000).default(100),
  MAX_MAILS_PER_SENDER_PER_HOUR: intIn(1, 1_000_000).default(300),
  // Wrong guest PINs (domain/guest-pin.ts).
  GUEST_PIN_FREE_ATTEMPTS: intIn(1, 100).default(5),
  GUEST_PIN_DELAY_BASE_SECONDS: intIn(1, 3600).default(30),
  GUEST_PIN_DELAY_MAX_SECONDS: intIn(1, 24 * 3600).default(900),
  GUEST_PIN_MAX_PER_ADDRESS: intIn(1, 100_000).default(50),
  GUEST_PIN_WINDOW_MINUTES: intIn(1, 7 * 24 * 60).default(60),
  // One-time links that set a local password: "forgot password" and administrators' invitations.
  PASSWORD_RESET_MINUTES: intIn(5, 24 * 60).default(60),
  PASSWORD_INVITATION_HOURS: intIn(1, 30 * 24).default(72),
  PASSWORD_RESET_MAX_PER_ACCOUNT: intIn(1, 100).default(3),
  PASSWORD_RESET_MAX_PER_ADDRESS: intIn(1, 10_000).default(20),
});

const OidcProviders = z.array(
  z.strictObject({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'id must be lowercase letters, digits or dashes'),
    name: z.string().min(1),
    issuer: z.url(),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    scope: z.string().default('openid email profile'),
    // Mail domains this provider speaks for: only an address there (and email_verified) may link
    // to an account an administrator created ahead.
    mailDomains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'mailDomains are lowercase domains such as unipd.it')).default([]),
  }),
);
export type OidcProviderConfig = z.infer<typeof OidcProviders>[number];

export type Config = {
  port: number;
  host: string;
  /** Listening sockets on the port (SO_REUSEPORT, Linux): each turn of the event loop accepts one connection per socket (http/listen.ts). */
  listenSockets: number;
  publicUrl: string;
  /** Whether PUBLIC_URL was given (else the address is a guess from PORT, said at start). */
  publicUrlSet: boolean;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Longest wait for a database connection, longest a statement may run (0: no limit), in milliseconds. */
  databaseTimeouts: { connectMs: number; statementMs: number };
  /** Named prepared statements for repeated statements (db/prepared.ts); off behind a pooler that drops them. */
  databasePreparedStatements: boolean;
  /** A request not answered in this long gets 503 (0: no limit); SSE streams are exempt. */
  requestTimeoutMs: number;
  /** After SIGTERM, how long /readyz answers 503 (so load balancers stop sending) before the listener closes. */
  drainSeconds: number;
  /** /metrics: on the main port with this bearer token, and/or on a port of its own. Neither: not served. */
  metrics: { token: string | undefined; port: number | undefined };
  /** How long rows are kept: audit log (0: for ever), finished queue jobs, guest links after their booking ended. */
  retention: { auditDays: number; jobDays: number; guestLinkDays: number };
  dataDir: string;
  cookieSecure: boolean;
  trustProxy: boolean | string[];
  bodyLimitBytes: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  seedDefaultRooms: boolean;
  shutdownGraceSeconds: number;
  /** cacheSeconds: how long an instance may remember whose a session or token is (0: ask the database each time). */
  session: { idleMinutes: number; absoluteHours: number; cacheSeconds: number };
  /** Open live-update streams per person and per client address, on each instance. */
  eventStreams: { perUser: number; perAddress: number; recheckSeconds: number };
  /** Purges of what grows: how often an instance looks (0: never) and how long idempotency keys live. */
  housekeeping: { tickSeconds: number; idempotencyKeyHours: number };
  /** Usage statistics: the minute samples of running meetings (issue #15). */
  usage: { sampleEveryMinute: boolean; retentionDays: number; attendanceRetentionMonths: number };
  /** /readyz answers 503 while the event loop lately ran this much late or more. */
  eventLoopDelayLimitMs: number;
  /** Past either bound a request is refused at once with 503 OVERLOADED and Retry-After (http/overload.ts); 0 turns a bound off. */
  overload: { maxInFlight: number; eventLoopDelayMs: number; retryAfterSeconds: number };
  booking: BookingPolicy;
  /** Waiting lists: how long a freed slot stays held for the person it is offered to. */
  waitingList: { holdMinutes: number };
  provisioning: ProvisioningConfig;
  mail: MailConfig;
  /** Null when audio conferencing is off (no ARI_URL). */
  telephony: TelephonyConfig | null;
  saml: SamlConfig | null;
  oidc: { providers: OidcProviderConfig[]; allowHttp: boolean };
  loginLimits: LoginLimits;
  guestPinLimits: GuestPinLimits;
  /** Invitees per booking or series, new invitees from outside the portal per person and day (UTC), mails a person's changes cause per hour. */
  invitations: { perBooking: number; newPerDay: number; mailsPerHour: number };
  /** Password links: how long each kind holds, and "forgot password" requests per hour per asked address and per client address. */
  passwordLinks: { resetMinutes: number; invitationHours: number; perAccountPerHour: number; perAddressPerHour: number };
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most deployment tools; so do blank ones (a number coerced
  // from "  " would be 0: a random PORT, audit entries kept for ever).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.MIN_DURATION_MINUTES > e.MAX_DURATION_MINUTES) {
    throw new ConfigError(
      `Invalid configuration:\n  MIN_DURATION_MINUTES=${e.MIN_DURATION_MINUTES} is larger than MAX_DURATION_MINUTES=${e.MAX_DURATION_MINUTES}`,
    );
  }
  // A failure forgotten before its wait is over would shorten the wait.
  if (e.GUEST_PIN_DELAY_MAX_SECONDS > e.GUEST_PIN_WINDOW_MINUTES * 60 || e.GUEST_PIN_DELAY_BASE_SECONDS > e.GUEST_PIN_DELAY_MAX_SECONDS) {
    throw new ConfigError(
      `Invalid configuration:\n  GUEST_PIN_DELAY_MAX_SECONDS=${e.GUEST_PIN_DELAY_MAX_SECONDS} must lie between GUEST_PIN_DELAY_BASE_SECONDS=${e.GUEST_PIN_DELAY_BASE_SECONDS} and GUEST_PIN_WINDOW_MINUTES=${e.GUEST_PIN_WINDOW_MINUTES} in seconds`,
    );
  }
  // Both listeners on one port: the second would fail to bind, or /metrics would go public.
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT) {
    throw new ConfigError(`Invalid configuration:\n  METRICS_PORT=${e.METRICS_PORT} is the same as PORT: give /metrics a port of its own, or unset METRICS_PORT and use METRICS_TOKEN`);
  }
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const saml = samlConfig(e, publicUrl, (m) => {
    throw new ConfigError(m);
  });
  let oidcProviders: OidcProviderConfig[] = [];
  if (e.OIDC_PROVIDERS) {
    let json: unknown;
    try {
      json = JSON.parse(e.OIDC_PROVIDERS);
    } catch {
      throw new ConfigError('Invalid configuration:\n  OIDC_PROVIDERS: is not JSON (a list of {id, name, issuer, clientId, clientSecret})');
    }
    const p = OidcProviders.safeParse(json);
    if (!p.success) throw new ConfigError(`Invalid configuration:\n  OIDC_PROVIDERS: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    oidcProviders = p.data;
  }
  return {
    port: e.PORT,
    listenSockets: e.LISTEN_SOCKETS,
    host: e.HOST,
    publicUrl,
    publicUrlSet: e.PUBLIC_URL !== undefined,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseTimeouts: { connectMs: e.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000, statementMs: e.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000 },
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_SECONDS * 1000,
    drainSeconds: e.DRAIN_SECONDS,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    retention: { auditDays: e.AUDIT_RETENTION_DAYS, jobDays: e.JOB_RETENTION_DAYS, guestLinkDays: e.GUEST_LINK_RETENTION_DAYS },
    dataDir: e.DATA_DIR,
    cookieSecure: e.COOKIE_SECURE ?? publicUrl.startsWith('https:'),
    trustProxy: /^true$/i.test(e.TRUST_PROXY) ? true : /^false$/i.test(e.TRUST_PROXY) ? false : e.TRUST_PROXY.split(',').map((a) => a.trim()).filter(Boolean),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    seedDefaultRooms: e.SEED_DEFAULT_ROOMS,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS, cacheSeconds: e.AUTH_CACHE_SECONDS },
    housekeeping: { tickSeconds: e.HOUSEKEEPING_TICK_SECONDS, idempotencyKeyHours: e.IDEMPOTENCY_KEY_HOURS },
    usage: { sampleEveryMinute: e.USAGE_SAMPLING, retentionDays: e.USAGE_SAMPLE_RETENTION_DAYS, attendanceRetentionMonths: e.ATTENDANCE_RETENTION_MONTHS },
    eventStreams: { perUser: e.EVENT_STREAMS_PER_USER, perAddress: e.EVENT_STREAMS_PER_ADDRESS, recheckSeconds: e.EVENT_STREAM_RECHECK_SECONDS },
    eventLoopDelayLimitMs: e.EVENT_LOOP_DELAY_LIMIT_MS,
    overload: { maxInFlight: e.OVERLOAD_MAX_IN_FLIGHT, eventLoopDelayMs: e.OVERLOAD_EVENT_LOOP_DELAY_MS, retryAfterSeconds: e.OVERLOAD_RETRY_AFTER_SECONDS },
    mail: mailConfig(e, publicUrl),
    telephony: telephonyConfig(e, (m) => {
      throw new ConfigError(m);
    }),
    provisioning: provisioningConfig(e, (m) => {
      throw new ConfigError(m);
    }),
    saml,
    oidc: { providers: oidcProviders, allowHttp: e.OIDC_ALLOW_HTTP },
    loginLimits: {
      freeFailures: e.LOGIN_FREE_FAILURES,
      baseDelaySeconds: e.LOGIN_DELAY_BASE_SECONDS,
      maxDelaySeconds: Math.max(e.LOGIN_DELAY_MAX_SECONDS, e.LOGIN_DELAY_BASE_SECONDS),
      accountMaxDelaySeconds: e.LOGIN_ACCOUNT_DELAY_MAX_SECONDS,
      familiarDays: e.LOGIN_FAMILIAR_DAYS,
      perAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowMinutes: e.LOGIN_FAILURE_WINDOW_MINUTES,
    },
    invitations: { perBooking: e.MAX_INVITEES_PER_BOOKING, newPerDay: e.MAX_NEW_INVITEES_PER_DAY, mailsPerHour: e.MAX_MAILS_PER_SENDER_PER_HOUR },
    guestPinLimits: {
      freeAttempts: e.GUEST_PIN_FREE_ATTEMPTS,
      delayBaseSeconds: e.GUEST_PIN_DELAY_BASE_SECONDS,
      delayMaxSeconds: e.GUEST_PIN_DELAY_MAX_SECONDS,
      maxPerAddress: e.GUEST_PIN_MAX_PER_ADDRESS,
      windowMinutes: e.GUEST_PIN_WINDOW_MINUTES,
    },
    passwordLinks: {
      resetMinutes: e.PASSWORD_RESET_MINUTES,
      invitationHours: e.PASSWORD_INVITATION_HOURS,
      perAccountPerHour: e.PASSWORD_RESET_MAX_PER_ACCOUNT,
      perAddressPerHour: e.PASSWORD_RESET_MAX_PER_ADDRESS,
    },
    waitingList: { holdMinutes: e.WAITLIST_HOLD_MINUTES },
    booking: {
      seatPool: e.SEAT_POOL,
      turnaroundMinutes: e.TURNAROUND_MINUTES,
      minDurationMinutes: e.MIN_DURATION_MINUTES,
      maxDurationMinutes: e.MAX_DURATION_MINUTES,
      maxDaysAhead: e.MAX_DAYS_AHEAD,
      maxSeatsPerBooking: e.MAX_SEATS_PER_BOOKING || null,
      granularityMinutes: e.GRANULARITY_MINUTES,
      defaultTimeZone: e.DEFAULT_TIME_ZONE,
    },
  };
}
