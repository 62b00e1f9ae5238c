// Settings of the audio conferencing (issue #7): the variables config.ts reads and what they
// become. Telephony is on when ARI_URL is set; then at least one dial-in number or a SIP domain.
import { z } from 'zod';

const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const TELEPHONY_ENV = {
  ARI_URL: z.url().regex(/^https?:\/\//, 'must be an http(s):// URL such as http://127.0.0.1:8088/ari').optional(),
  ARI_USERNAME: z.string().min(1).optional(),
  ARI_PASSWORD: z.string().min(1).optional(),
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, - or _').default('webmeetings'),
  // "IT:+390612345678,CH:+41445550000" (a country label is optional).
  DIAL_IN_NUMBERS: z.string().optional(),
  SIP_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'must be a host name such as audio.example.org').optional(),
  AUDIO_PIN_DIGITS: intIn(6, 8).default(7),
  AUDIO_HOST_PIN: bool.default(true),
  AUDIO_PIN_ATTEMPTS: intIn(1, 10).default(3),
  AUDIO_DIGIT_TIMEOUT_SECONDS: num(0.05, 60).default(6),
  AUDIO_HOLDER_RETRY_SECONDS: num(0.05, 60).default(2),
  AUDIO_ROOM_LEG_RETRY_SECONDS: num(0.05, 3600).default(30),
  AUDIO_SWEEP_SECONDS: num(0, 3600).default(5),
};

type Env = z.infer<z.ZodObject<typeof TELEPHONY_ENV>>;

export type DialInNumber = { number: string; country: string | null };

export type TelephonyConfig = {
  ari: { url: string; username: string; password: string; app: string };
  numbers: DialInNumber[];
  sipDomain: string | null;
  pinDigits: number;
  hostPin: boolean;
  pinAttempts: number;
  digitTimeoutMs: number;
  holderRetryMs: number;
  roomLegRetryMs: number;
  sweepMs: number;
};

/** Null when telephony is off. `fail` throws config.ts's ConfigError. */
export function telephonyConfig(e: Env, fail: (message: string) => never): TelephonyConfig | null {
  const numbers: DialInNumber[] = [];
  for (const item of (e.DIAL_IN_NUMBERS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(?:([A-Z]{2}):)?(\+[1-9][0-9 ]{5,20})$/.exec(item);
    if (!m) fail(`Invalid configuration:\n  DIAL_IN_NUMBERS: "${item}" is not an E.164 number such as +390612345678, optionally with a country, IT:+390612345678`);
    numbers.push({ number: m[2]!.replace(/ /g, ''), country: m[1] ?? null });
  }
  if (!e.ARI_URL) {
    if (numbers.length > 0 || e.SIP_DOMAIN) fail('Invalid configuration:\n  DIAL_IN_NUMBERS and SIP_DOMAIN need ARI_URL (the Asterisk REST Interface that answers the calls)');
    return null;
  }
  if (!e.ARI_USERNAME || !e.ARI_PASSWORD) fail('Invalid configuration:\n  ARI_URL needs ARI_USERNAME and ARI_PASSWORD (the user in Asterisk’s ari.conf)');
  if (numbers.length === 0 && !e.SIP_DOMAIN) fail('Invalid configuration:\n  ARI_URL needs DIAL_IN_NUMBERS or SIP_DOMAIN: how callers reach the conferences');
  return {
    ari: { url: e.ARI_URL.replace(/\/+$/, ''), username: e.ARI_USERNAME, password: e.ARI_PASSWORD, app: e.ARI_APP },
    numbers,
    sipDomain: e.SIP_DOMAIN ?? null,
    pinDigits: e.AUDIO_PIN_DIGITS,
    hostPin: e.AUDIO_HOST_PIN,
    pinAttempts: e.AUDIO_PIN_ATTEMPTS,
    digitTimeoutMs: e.AUDIO_DIGIT_TIMEOUT_SECONDS * 1000,
    holderRetryMs: e.AUDIO_HOLDER_RETRY_SECONDS * 1000,
    roomLegRetryMs: e.AUDIO_ROOM_LEG_RETRY_SECONDS * 1000,
    sweepMs: e.AUDIO_SWEEP_SECONDS * 1000,
  };
}
