// HTTP answers the way a security review expects: security headers on every answer (helmet), a
// Content Security Policy the SPA, the server-rendered pages and /api/docs work under, compression,
// and no caching of anything that may carry a token or a person's data.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import compress from '@fastify/compress';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';

export type SecurityOptions = {
  publicUrl: string;
  /**
   * The inline scripts the server-rendered pages carry (join, guest and discovery pages), as fixed
   * texts: the CSP allows exactly these, by hash, on every answer. A hash is never taken from an
   * answer, which would allow whatever script got into it.
   */
  inlineScripts?: string[];
  /** Origins the browser may also connect to (the Janus HTTP API when it is on another host). */
  connectOrigins?: string[];
};

/** `'sha256-…'` of a script's text (CSP Level 3, "hash-source"). */
export const scriptHash = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/** The hashes of every inline <script> in `html`: for static files built elsewhere (the docs site). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const script = m[1]!;
    if (script.trim() !== '') hashes.push(scriptHash(script));
  }
  return hashes;
}

// Kept pages (keptHtml): their compressed forms, made on first demand.
type Kept = { br?: Buffer; gzip?: Buffer };
const kept = new WeakMap<Buffer, Kept>();
const ENCODINGS = ['br', 'gzip'] as const;
const COMPRESS_THRESHOLD = 1024;

/**
 * A server-rendered page made into bytes once, to be sent as often as it is asked for (the guest
 * form of a meeting), and compressed once per encoding, not for every browser (each sends
 * Accept-Encoding: compressing the 4 KB form per answer cost 4-8 times what sending it does,
 * bench/RESULTS.md).
 */
export function keptHtml(html: string): Buffer {
  const body = Buffer.from(html, 'utf8');
  kept.set(body, {});
  return body;
}

/** The kept page in the encoding the request prefers, as @fastify/compress would choose it; null: as it is. */
function encodedKept(page: Kept, body: Buffer, acceptEncoding: string | undefined): { encoding: 'br' | 'gzip'; bytes: Buffer } | null {
  if (!acceptEncoding || body.length < COMPRESS_THRESHOLD) return null;
  // As @fastify/compress reads the header: "*" and "x-gzip" stand for gzip.
  const encoding = negotiate(acceptEncoding.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), [...ENCODINGS]) as 'br' | 'gzip' | null;
  if (!encoding) return null;
  // Once per page, so at the best compression level.
  const bytes = (page[encoding] ??= encoding === 'br' ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }) : gzipSync(body, { level: 9 }));
  return { encoding, bytes };
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

const REDIRECT_HEADERS = new Set(['referrer-policy', 'strict-transport-security', 'x-content-type-options']);
const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;

export async function registerSecurity(app: FastifyInstance, o: SecurityOptions): Promise<void> {
  const https = o.publicUrl.startsWith('https:');
  const connect = ["'self'", ...(o.connectOrigins ?? []).flatMap(websocketToo)];
  const headers = staticHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        // Nothing runs inline but the server-rendered pages' own fixed scripts.
        scriptSrc: ["'self'", ...(o.inlineScripts ?? []).map(scriptHash)],
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
  // What protects a document (its CSP, framing, cross-origin isolation…) goes on answers that can be
  // one; a redirect is never rendered, so it carries only what applies to the redirect itself:
  // Referrer-Policy (its Location may hold a token), HSTS and nosniff. On the meeting-start burst of
  // joins (302s) that is 700 of 1,400 header bytes per answer (bench/RESULTS.md, issue #13).
  const everyAnswer: Record<string, string> = {};
  const documentOnly: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) (REDIRECT_HEADERS.has(name) ? everyAnswer : documentOnly)[name] = value;
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(everyAnswer);
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!isRedirect(reply.statusCode)) reply.headers(documentOnly);
    // Anything not declared cacheable may carry a token, a secret or a person's data.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    const page = Buffer.isBuffer(payload) ? kept.get(payload) : undefined;
    const encoded = page && encodedKept(page, payload as Buffer, req.headers['accept-encoding']);
    if (!encoded) return done(null, payload);
    // Sent encoded: @fastify/compress (the next hook) leaves an answer with a Content-Encoding alone.
    const vary = reply.getHeader('vary');
    reply.header('vary', vary ? `${String(vary)}, accept-encoding` : 'accept-encoding');
    reply.header('content-encoding', encoded.encoding);
    reply.header('content-length', encoded.bytes.length);
    done(null, encoded.bytes);
  });
  await app.register(compress, {
    encodings: [...ENCODINGS],
    threshold: COMPRESS_THRESHOLD,
    // Answers are made per request: a fast brotli level (11, the default, costs ~50x the CPU of 4).
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
    customTypes: /^(text\/(?!event-stream)|application\/(json|problem\+json|javascript|xml|ld\+json|vnd\.oai\.openapi)|image\/svg)/,
  });
}

/**
 * The headers helmet sets, worked out once. They depend on the configuration only, and the Fastify
 * plugin rebuilt helmet's middleware (parsing every CSP directive again) on each request: a tenth
 * of a cached join's CPU in a profile (bench/RESULTS.md, issue #13).
 */
function staticHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failure: unknown;
  helmet(options)({} as never, res as never, (e?: unknown) => (failure = e));
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
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

function websocketToo(origin: string): string[] {
  try {
    const u = new URL(origin);
    const ws = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return [u.origin, `${ws}//${u.host}`];
  } catch {
    return [];
  }
}
