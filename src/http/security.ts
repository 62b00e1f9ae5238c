// HTTP answers the way a security review expects: security headers on every answer (helmet), a
// Content Security Policy the SPA, the server-rendered pages and /api/docs work under, compression,
// and no caching of anything that may carry a token or a person's data.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import compress from '@fastify/compress';
import { constants as zlib } from 'node:zlib';

export type SecurityOptions = {
  publicUrl: string;
  /** Origins the browser may also connect to (the Janus HTTP API when it is on another host). */
  connectOrigins?: string[];
};

/** `'sha256-…'` of every inline <script> in `html` (CSP Level 3, "hash-source"). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    if (m[1]!.trim() === '') continue;
    hashes.push(`'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** Hashes of the inline scripts of every HTML file under `dir` (a static site such as the docs). */
export function inlineScriptHashesOfSite(dir: string): string[] {
  const all = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.html')) for (const h of inlineScriptHashes(readFileSync(path, 'utf8'))) all.add(h);
    }
  };
  try {
    walk(dir);
  } catch {
    // no built site: nothing to allow
  }
  return [...all];
}

const WITH_HASHES = /script-src 'self'/;

export async function registerSecurity(app: FastifyInstance, o: SecurityOptions): Promise<void> {
  const https = o.publicUrl.startsWith('https:');
  const connect = ["'self'", ...(o.connectOrigins ?? []).flatMap(websocketToo)];
  // The headers are the same on every answer, so helmet computes them once, here. @fastify/helmet
  // built helmet from these options on every request (parsing the CSP directives each time): a
  // profile of the cached join (bench/join.ts, issue #13) showed that among its largest costs.
  const headers = staticHeaders(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        // Server-rendered pages (join, guest, discovery) get the hashes of their inline scripts
        // added per answer below; nothing else runs inline.
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // React and Swagger UI set style attributes; styles cannot run code.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: connect,
        mediaSrc: ["'self'", 'blob:'],
        // Nobody frames the portal (clickjacking).
        frameAncestors: ["'none'"],
        ...(https && { upgradeInsecureRequests: [] }),
      },
    },
    // Sign-in with federations ends in cross-site redirects and form posts: same-origin-allow-popups
    // keeps them working while other windows cannot script the portal.
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    crossOriginEmbedderPolicy: false,
    // Guest links carry their token in the address: never let it leak to another site.
    referrerPolicy: { policy: 'no-referrer' },
    // RFC 6797: only over HTTPS (a plain-HTTP trial would otherwise be stuck).
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    // Anything not declared cacheable may carry a token, a secret or a person's data.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const hashes = inlineScriptHashes(payload);
    const csp = reply.getHeader('content-security-policy');
    if (hashes.length > 0 && typeof csp === 'string') reply.header('content-security-policy', csp.replace(WITH_HASHES, `script-src 'self' ${hashes.join(' ')}`));
    return payload;
  });
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    // Answers are made per request: a fast brotli level (11, the default, costs ~50x the CPU of 4).
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
    customTypes: /^(text\/(?!event-stream)|application\/(json|problem\+json|javascript|xml|ld\+json|vnd\.oai\.openapi)|image\/svg)/,
  });
}

/** Lets the docs scope run the inline scripts of its static pages. */
export function allowInlineScripts(app: FastifyInstance, hashes: string[]): void {
  if (hashes.length === 0) return;
  app.addHook('onSend', async (_req, reply, payload) => {
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.header('content-security-policy', csp.replace(WITH_HASHES, `script-src 'self' ${hashes.join(' ')}`));
    return payload;
  });
}

/** The headers helmet's middleware sets for these options (they depend on nothing in the request). */
function staticHeaders(make: typeof helmet, options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = { setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)), removeHeader: () => undefined };
  make(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}

function websocketToo(origin: string): string[] {
  try {
    const u = new URL(origin);
    const ws = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return [u.origin, `${ws}//${u.host}`];
  } catch {
    return [];
  }
}
