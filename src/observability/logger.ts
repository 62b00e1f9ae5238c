// JSON logs in Elastic Common Schema (ECS) so that Elasticsearch/Kibana ingest them as they are.
// Many people read those logs: no secret may reach them (test/api/log-secrets.test.ts). Headers
// with credentials are redacted; addresses that carry a secret in their path or query (guest
// links, invitees' reply links, feed addresses, lobby keys, sign-in callbacks, tickets) are logged with it masked.
import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

const MASK = '[redacted]';
/** Path prefixes whose next segment is a secret (/i/: an invitee's reply link). */
const SECRET_SEGMENT = /^(\/g\/|\/i\/|\/api\/v1\/feeds\/|\/api\/v1\/rooms\/[^/]+\/lobby\/)[^/?#]+/;
/** Query parameters that are credentials or one-time codes. */
const SECRET_PARAM = /^(ticket|token|code|state|session|samlresponse|samlrequest|relaystate|signature|checksum|pin|password|key|secret|access_token|id_token|jwt)$/i;

/** `url` with its secret path segment and secret query values masked. */
export function scrubUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(SECRET_SEGMENT, `$1${MASK}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(decodeURIComponentSafe(name)) ? `${name}=${MASK}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/** ECS's `url` fields of a request's address, its secrets masked (scrubUrl). */
export function ecsUrl(raw: string): { path: string; query?: string } {
  const url = scrubUrl(raw);
  const q = url.indexOf('?');
  return q < 0 ? { path: url } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A full address (scheme://host/path?query) with its credentials and secrets masked (scrubUrl). */
function scrubFullUrl(raw: string): string {
  const m = /^([a-z][a-z\d+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(raw);
  if (!m) return scrubUrl(raw);
  const authority = m[2]!.replace(/^[^@]*@/, `${MASK}@`);
  return `${m[1]}${authority}${m[3] ? scrubUrl(m[3]) : ''}`;
}

/**
 * ECS types `event`, `url` and `file` as objects (the access lines log event.duration, url.path);
 * a string there makes Elasticsearch refuse the line. Call sites log `event: 'login.rate-limited'`,
 * the start line `url: '<address>'`: moved here to their ECS fields, so call sites and the tests
 * reading plain test logs stay as they are.
 */
function ecsTyped(o: Record<string, unknown>): Record<string, unknown> {
  if (typeof o.event !== 'string' && typeof o.url !== 'string' && typeof o.file !== 'string') return o;
  const out = { ...o };
  if (typeof o.event === 'string') out.event = { action: o.event };
  if (typeof o.url === 'string') out.url = { full: scrubFullUrl(o.url) };
  if (typeof o.file === 'string') out.file = { path: o.file };
  return out;
}

type SerializedRequest = { method?: string; url?: string; host?: string; remoteAddress?: string; remotePort?: number };

export function loggerOptions(level: string): LoggerOptions {
  const ecs = ecsFormat({ convertReqRes: true }) as LoggerOptions & { formatters: { log?: (o: Record<string, unknown>) => Record<string, unknown> } };
  const ecsFormatted = ecs.formatters.log ?? ((o: Record<string, unknown>) => o);
  // The answer's headers: a new session's cookie and a redirect into a room (its signed join URL).
  const ecsLog = (o: Record<string, unknown>) => {
    const out = ecsFormatted(o);
    const headers = (out.http as { response?: { headers?: Record<string, unknown> } } | undefined)?.response?.headers;
    if (headers) {
      if ('set-cookie' in headers) headers['set-cookie'] = MASK;
      if (typeof headers.location === 'string') headers.location = scrubUrl(headers.location);
    }
    return out;
  };
  return {
    ...ecs,
    level,
    base: { service: { name: 'webmeetings' } },
    formatters: {
      ...ecs.formatters,
      // Fastify hands over its own short form of the request ({ method, url, host, remoteAddress }),
      // which the ECS formatter does not read: put it in ECS fields here, the address scrubbed.
      log(raw: Record<string, unknown>) {
        const obj = ecsTyped(raw);
        const req = obj.req as SerializedRequest | undefined;
        if (req && typeof req === 'object' && typeof req.url === 'string') {
          const { req: _drop, ...rest } = obj;
          return ecsLog({
            ...rest,
            http: { ...(rest.http as object | undefined), request: { method: req.method } },
            url: ecsUrl(req.url),
            ...(req.remoteAddress && { client: { address: req.remoteAddress, port: req.remotePort } }),
          });
        }
        return ecsLog(obj);
      },
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: MASK },
  } as LoggerOptions;
}

/**
 * Where the log lines go: stdout (or `dest`), written asynchronously. A synchronous write per line
 * made each logged request pay a system call on the event loop, and blocked the loop whenever the
 * reader of a container's stdout fell behind. Asynchronously, lines that come while a write is in
 * progress go out together in the next one, and nothing waits for a buffer to fill, so a quiet
 * portal's line is written at once. pino writes what is left synchronously when the process exits.
 */
export function logDestination(dest: string | number = 1): DestinationStream {
  return pino.destination({ dest, sync: false });
}
