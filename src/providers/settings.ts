// Settings of the conferencing providers and the provisioning pipeline: the variables config.ts
// reads (it stays the only reader of process.env) and what they become. Secrets live here only;
// a room's provider_settings never hold one.
import { z } from 'zod';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** An Asterisk pjsip.conf section name (what follows PJSIP/ in a dial string). */
const pjsipName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be the name of an endpoint in Asterisk’s pjsip.conf');
const PROVIDERS = ['adobe-connect', 'bigbluebutton', 'jitsi', 'janus'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const PROVISIONING_ENV = {
  PROVIDER_DEFAULT: z.enum(PROVIDERS).optional(),
  PROVIDER_FALLBACK: z.enum(PROVIDERS).optional(),
  PROVIDER_TIMEOUT_MS: intIn(100, 120_000).default(10_000),
  ADOBE_CONNECT_URL: z.url().optional(),
  ADOBE_CONNECT_LOGIN: z.string().min(1).optional(),
  ADOBE_CONNECT_PASSWORD: z.string().min(1).optional(),
  ADOBE_CONNECT_SSO_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name such as x-user-id').default('x-user-id'),
  ADOBE_CONNECT_FOLDER_ID: z.string().regex(/^\d+$/, 'must be a numeric sco-id').optional(),
  BBB_URL: z.url().optional(),
  BBB_SECRET: z.string().min(1).optional(),
  BBB_CHECKSUM: z.enum(['sha1', 'sha256']).default('sha256'),
  JITSI_URL: z.url().default('https://meet.jit.si'),
  JITSI_APP_ID: z.string().min(1).optional(),
  JITSI_APP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  JITSI_AUDIENCE: z.string().min(1).default('jitsi'),
  JITSI_SUBJECT: z.string().min(1).default('*'),
  JITSI_RESERVATION_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  JITSI_CENSUS_URL: z.url().optional(),
  // Janus (issue #14): the portal's own meeting room (docs: README "Janus").
  JANUS_URL: z.url().optional(),
  JANUS_PUBLIC_URL: z.url().optional(),
  JANUS_ADMIN_KEY: z.string().min(1).optional(),
  JANUS_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  JANUS_RTP_HOST: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be a host name or IP address').optional(),
  PROVISIONING_LEAD_MINUTES: intIn(0, 24 * 60).default(30),
  PROVISIONING_GRACE_MINUTES: intIn(0, 24 * 60).default(15),
  JOIN_OPENS_MINUTES: intIn(0, 24 * 60).default(15),
  PROVISIONING_MAX_ATTEMPTS: intIn(1, 100).default(12),
  PROVISIONING_RETRY_BASE_SECONDS: intIn(1, 3600).default(5),
  PROVISIONING_RETRY_MAX_SECONDS: intIn(1, 24 * 3600).default(600),
  PROVISIONING_TICK_SECONDS: z.coerce.number().min(0).max(3600).default(15),
  PROVISIONING_RECONCILE_MINUTES: intIn(0, 24 * 60).default(10),
  PROVISIONING_LEASE_SECONDS: intIn(1, 3600).default(120),
  NO_SHOW_MINUTES: intIn(1, 24 * 60).default(15),
  // How each room takes the phone audio of a booking's audio conference (issue #7, docs/telephony.md).
  ADOBE_CONNECT_TELEPHONY_PROVIDER_ID: z.string().regex(/^\d+$/, 'must be the numeric provider-id of a Universal Voice audio provider').optional(),
  ADOBE_CONNECT_TELEPHONY_PIN_FIELD: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be the field-id of the provider field that holds the PIN, such as x-tel-webmeetings-pin').default('x-tel-webmeetings-pin'),
  ADOBE_CONNECT_TELEPHONY_LOCATION: z.string().regex(/^[A-Z]{2,6}$/, 'must be a country code such as IT').optional(),
  BBB_SIP_ENDPOINT: pjsipName.default('bigbluebutton'),
  JITSI_JIGASI_ENDPOINT: pjsipName.optional(),
  JITSI_JIGASI_ROOM_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a SIP header name such as Jitsi-Conference-Room').default('Jitsi-Conference-Room'),
  JITSI_MUC_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name such as conference.meet.example.org').optional(),
};

type Env = z.infer<z.ZodObject<typeof PROVISIONING_ENV>>;

export type ProvidersConfig = {
  /** Used by rooms that name no provider. With nothing configured: public Jitsi, no tokens. */
  defaultProvider: ProviderName;
  /** The setting that chose the default (PROVIDER_DEFAULT, or the first service configured), for the admin pages. */
  defaultFrom?: string;
  fallbackProvider: ProviderName | null;
  timeoutMs: number;
  adobeConnect: { url: string; login: string; password: string; ssoHeader: string; folderId: string | undefined; telephony: AdobeTelephony | null } | null;
  bigbluebutton: { url: string; secret: string; checksum: 'sha1' | 'sha256'; sipEndpoint: string } | null;
  janus: JanusSettings | null;
  jitsi: { url: string; appId: string | undefined; appSecret: string | undefined; audience: string; subject: string; reservationToken: string | undefined; censusUrl: string | null; jigasi: JigasiSettings | null };
};

/** Janus' HTTP API for the portal and for browsers, the plugins' admin_key, the rooms' derivation secret. */
export type JanusSettings = { url: string; publicUrl: string; adminKey: string; secret: string; rtpHost: string | undefined };

/** Universal Voice: the telephony profile `prepare` gives each meeting (adobe-connect-api.md §9). */
export type AdobeTelephony = { providerId: string; pinField: string; location: string };
/** Jigasi as a pjsip endpoint of Asterisk, and how it learns the room (the INVITE header). */
export type JigasiSettings = { endpoint: string; roomHeader: string; mucDomain: string };

export type ProvisioningPolicy = {
  leadMinutes: number;
  graceMinutes: number;
  joinOpensMinutes: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  tickSeconds: number;
  reconcileMinutes: number;
  leaseSeconds: number;
  noShowMinutes: number;
};

export type ProvisioningConfig = { providers: ProvidersConfig; policy: ProvisioningPolicy };

/** `fail` throws config.ts's ConfigError, so a bad value stops the start like any other. */
export function provisioningConfig(e: Env, fail: (message: string) => never): ProvisioningConfig {
  const both = (a: unknown, b: unknown, names: string) => {
    if (Boolean(a) !== Boolean(b)) fail(`Invalid configuration:\n  ${names} must be set together`);
  };
  both(e.ADOBE_CONNECT_URL, e.ADOBE_CONNECT_LOGIN && e.ADOBE_CONNECT_PASSWORD, 'ADOBE_CONNECT_URL, ADOBE_CONNECT_LOGIN and ADOBE_CONNECT_PASSWORD');
  both(e.BBB_URL, e.BBB_SECRET, 'BBB_URL and BBB_SECRET');
  both(e.JITSI_APP_ID, e.JITSI_APP_SECRET, 'JITSI_APP_ID and JITSI_APP_SECRET');
  both(e.ADOBE_CONNECT_TELEPHONY_PROVIDER_ID, e.ADOBE_CONNECT_TELEPHONY_LOCATION, 'ADOBE_CONNECT_TELEPHONY_PROVIDER_ID and ADOBE_CONNECT_TELEPHONY_LOCATION');
  if (e.JANUS_URL && (!e.JANUS_ADMIN_KEY || !e.JANUS_SECRET)) fail('Invalid configuration:\n  JANUS_URL needs JANUS_ADMIN_KEY (the plugins\' admin_key) and JANUS_SECRET');
  if (!e.JANUS_URL && (e.JANUS_PUBLIC_URL || e.JANUS_ADMIN_KEY || e.JANUS_SECRET || e.JANUS_RTP_HOST)) fail('Invalid configuration:\n  JANUS_PUBLIC_URL, JANUS_ADMIN_KEY, JANUS_SECRET and JANUS_RTP_HOST need JANUS_URL');
  if (e.ADOBE_CONNECT_TELEPHONY_PROVIDER_ID && !e.ADOBE_CONNECT_URL) fail('Invalid configuration:\n  ADOBE_CONNECT_TELEPHONY_PROVIDER_ID needs ADOBE_CONNECT_URL, ADOBE_CONNECT_LOGIN and ADOBE_CONNECT_PASSWORD');
  const telephony = e.ADOBE_CONNECT_TELEPHONY_PROVIDER_ID
    ? { providerId: e.ADOBE_CONNECT_TELEPHONY_PROVIDER_ID, pinField: e.ADOBE_CONNECT_TELEPHONY_PIN_FIELD, location: e.ADOBE_CONNECT_TELEPHONY_LOCATION! }
    : null;
  const providers: ProvidersConfig = {
    defaultProvider: e.PROVIDER_DEFAULT ?? (e.ADOBE_CONNECT_URL ? 'adobe-connect' : e.BBB_URL ? 'bigbluebutton' : e.JANUS_URL ? 'janus' : 'jitsi'),
    defaultFrom: e.PROVIDER_DEFAULT ? 'PROVIDER_DEFAULT' : e.ADOBE_CONNECT_URL ? 'ADOBE_CONNECT_URL' : e.BBB_URL ? 'BBB_URL' : e.JANUS_URL ? 'JANUS_URL' : 'JITSI_URL',
    fallbackProvider: e.PROVIDER_FALLBACK ?? null,
    timeoutMs: e.PROVIDER_TIMEOUT_MS,
    adobeConnect: e.ADOBE_CONNECT_URL
      ? { url: e.ADOBE_CONNECT_URL, login: e.ADOBE_CONNECT_LOGIN!, password: e.ADOBE_CONNECT_PASSWORD!, ssoHeader: e.ADOBE_CONNECT_SSO_HEADER, folderId: e.ADOBE_CONNECT_FOLDER_ID, telephony }
      : null,
    janus: e.JANUS_URL ? { url: e.JANUS_URL, publicUrl: e.JANUS_PUBLIC_URL ?? e.JANUS_URL, adminKey: e.JANUS_ADMIN_KEY!, secret: e.JANUS_SECRET!, rtpHost: e.JANUS_RTP_HOST } : null,
    bigbluebutton: e.BBB_URL ? { url: e.BBB_URL, secret: e.BBB_SECRET!, checksum: e.BBB_CHECKSUM, sipEndpoint: e.BBB_SIP_ENDPOINT } : null,
    jitsi: {
      url: e.JITSI_URL,
      appId: e.JITSI_APP_ID,
      appSecret: e.JITSI_APP_SECRET,
      audience: e.JITSI_AUDIENCE,
      subject: e.JITSI_SUBJECT,
      reservationToken: e.JITSI_RESERVATION_TOKEN,
      censusUrl: e.JITSI_CENSUS_URL ?? null,
      // Jitsi's default MUC is conference.<domain> (prosody config of the quick install).
      jigasi: e.JITSI_JIGASI_ENDPOINT ? { endpoint: e.JITSI_JIGASI_ENDPOINT, roomHeader: e.JITSI_JIGASI_ROOM_HEADER, mucDomain: e.JITSI_MUC_DOMAIN ?? `conference.${new URL(e.JITSI_URL).hostname}` } : null,
    },
  };
  for (const [name, set] of [['PROVIDER_DEFAULT', e.PROVIDER_DEFAULT], ['PROVIDER_FALLBACK', e.PROVIDER_FALLBACK]] as const) {
    if (set === 'adobe-connect' && !providers.adobeConnect) fail(`Invalid configuration:\n  ${name}=adobe-connect needs ADOBE_CONNECT_URL, ADOBE_CONNECT_LOGIN and ADOBE_CONNECT_PASSWORD`);
    if (set === 'janus' && !providers.janus) fail(`Invalid configuration:\n  ${name}=janus needs JANUS_URL, JANUS_ADMIN_KEY and JANUS_SECRET`);
    if (set === 'bigbluebutton' && !providers.bigbluebutton) fail(`Invalid configuration:\n  ${name}=bigbluebutton needs BBB_URL and BBB_SECRET`);
  }
  return {
    providers,
    policy: {
      leadMinutes: e.PROVISIONING_LEAD_MINUTES,
      graceMinutes: e.PROVISIONING_GRACE_MINUTES,
      joinOpensMinutes: e.JOIN_OPENS_MINUTES,
      maxAttempts: e.PROVISIONING_MAX_ATTEMPTS,
      retryBaseSeconds: e.PROVISIONING_RETRY_BASE_SECONDS,
      retryMaxSeconds: e.PROVISIONING_RETRY_MAX_SECONDS,
      tickSeconds: e.PROVISIONING_TICK_SECONDS,
      reconcileMinutes: e.PROVISIONING_RECONCILE_MINUTES,
      leaseSeconds: e.PROVISIONING_LEASE_SECONDS,
      noShowMinutes: e.NO_SHOW_MINUTES,
    },
  };
}

/** The service of rooms that name none, as the admin pages show it: "Jitsi Meet (meet.jit.si, public)". */
export type DefaultService = { provider: ProviderName; host: string; public: boolean; setting: string };

export function defaultService(cfg: ProvidersConfig): DefaultService {
  const url = { 'adobe-connect': cfg.adobeConnect?.url, bigbluebutton: cfg.bigbluebutton?.url, janus: cfg.janus?.publicUrl, jitsi: cfg.jitsi.url }[cfg.defaultProvider];
  // Jitsi without an app secret lets anyone who knows a room's name in: a public service.
  const open = cfg.defaultProvider === 'jitsi' && !cfg.jitsi.appSecret;
  return { provider: cfg.defaultProvider, host: url ? new URL(url).host : '', public: open, setting: cfg.defaultFrom ?? 'PROVIDER_DEFAULT' };
}
