// HTTP the way a security review expects: security headers, no caching of what carries tokens or
// personal data, compression, hashed assets cached for good and 404 when gone, /metrics behind a
// token or on its own port, and /readyz leaving rotation on SIGTERM's drain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { METRICS_TOKEN, startTestPortal, type TestPortal } from '../support/portal.ts';
import Fastify from 'fastify';
import { inlineScriptHashes, registerSecurity } from '../../src/http/security.ts';

let t: TestPortal;
beforeAll(async () => {
  t = await startTestPortal();
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.baseUrl}${path}`, { headers });

describe('security headers', () => {
  it('sends CSP with frame-ancestors, nosniff and Referrer-Policy on API answers and pages, and no HSTS over plain HTTP', async () => {
    for (const path of ['/api/v1/rooms', '/healthz', '/api/docs/', '/some/spa/page']) {
      const res = await get(path, { authorization: `Bearer ${t.admin.token}` });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('sends HSTS when PUBLIC_URL is https', async () => {
    const secure = await startTestPortal({ env: { PUBLIC_URL: 'https://meet.example.org' } });
    try {
      const res = await fetch(`${secure.baseUrl}/healthz`);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    } finally {
      await secure.close();
    }
  });

  it('finds the hashes of a static site’s inline scripts', () => {
    const html = '<html><script>var a=1;</script><script src="/x.js"></script></html>';
    expect(inlineScriptHashes(html)).toEqual([`'sha256-${createHash('sha256').update('var a=1;').digest('base64')}'`]);
  });

  it('allows the pages’ declared scripts only, never one found in an answer', async () => {
    const app = Fastify();
    await registerSecurity(app, { publicUrl: 'http://portal.example', inlineScripts: ['ours()'] });
    app.get('/page', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><script>ours()</script><script>injected()</script>'));
    try {
      const csp = (await app.inject('/page')).headers['content-security-policy'] as string;
      expect(csp).toContain(`script-src 'self' ${inlineScriptHashes('<script>ours()</script>')[0]}`);
      expect(csp).not.toContain(inlineScriptHashes('<script>injected()</script>')[0]);
    } finally {
      await app.close();
    }
  });
});

describe('caching', { timeout: 30_000 }, () => {
  it('never lets /api/v1/me, token answers or other API answers be stored', async () => {
    const me = await get('/api/v1/me', { authorization: `Bearer ${t.admin.token}` });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const signIn = await t.api('POST', '/api/v1/session', { body: { email: 'nobody@example.org', password: 'not-the-password' } });
    expect(signIn.status).toBe(401);
    expect(signIn.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 for a hashed chunk that is not there, not the app shell', async () => {
    const res = await get('/assets/index-DEADBEEF.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('serves the hashed assets immutable for a year (when the web app is built)', async () => {
    let files: string[];
    try {
      files = readdirSync(fileURLToPath(new URL('../../web/dist/assets/', import.meta.url)));
    } catch {
      return; // no build here: the rule is in app.ts, the 404 above holds without it
    }
    const js = files.find((f) => f.endsWith('.js'));
    if (!js) return;
    const res = await get(`/assets/${js}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const shell = await get('/');
    expect(shell.headers.get('cache-control')).toBe('no-cache');
  });
});

describe('compression', () => {
  it('compresses the OpenAPI document and JSON with brotli or gzip, as asked', async () => {
    const br = await get('/api/openapi.json', { 'accept-encoding': 'br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(((await br.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const gz = await get('/api/openapi.json', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(((await gz.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const plain = await get('/api/openapi.json', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(((await plain.json()) as { openapi: string }).openapi).toBe('3.1.0');
    const swagger = await get('/api/docs/static/swagger-ui-bundle.js', { 'accept-encoding': 'br, gzip' });
    expect(swagger.status).toBe(200);
    expect(swagger.headers.get('content-encoding')).toBe('br');
    // Read to the end: an answer left unread holds its connection, and the portal's close waits for it.
    expect((await swagger.text()).length).toBeGreaterThan(100_000);
  });

  it('sends the built web app from the copies compressed at build time, not compressing per answer (when the web app is built)', async () => {
    const dir = fileURLToPath(new URL('../../web/dist/assets/', import.meta.url));
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      return; // no build here
    }
    // The largest script: what every browser without it fetches first.
    const js = files.filter((f) => f.endsWith('.js')).sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
    if (!js) return;
    for (const [asked, encoding, copy] of [['gzip, deflate, br, zstd', 'br', '.br'], ['gzip', 'gzip', '.gz'], ['identity', null, '']] as const) {
      const res = await get(`/assets/${js}`, { 'accept-encoding': asked });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      // The stored copy's own length: compressed on the fly, the answer would be chunked and longer.
      expect(Number(res.headers.get('content-length'))).toBe(statSync(join(dir, js + copy)).size);
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(await res.text()).toBe(readFileSync(join(dir, js), 'utf8'));
    }
  });
});

describe('/metrics', () => {
  it('needs the bearer token on the main port', async () => {
    const none = await get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await get('/metrics', { authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    const ok = await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('webmeetings_http_request_duration_seconds');
  });

  it('with METRICS_PORT and no token: served on that port only', async () => {
    const s = createServer().listen(0, '127.0.0.1');
    await once(s, 'listening');
    const port = (s.address() as { port: number }).port;
    s.close();
    const own = await startTestPortal({ env: { METRICS_TOKEN: '', METRICS_PORT: String(port), HOST: '127.0.0.1' } });
    try {
      const main = await fetch(`${own.baseUrl}/metrics`);
      expect(main.status).toBe(404);
      expect(((await main.json()) as { code: string }).code).toBe('METRICS_NOT_HERE');
      const side = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(side.status).toBe(200);
      expect(await side.text()).toContain('webmeetings_');
    } finally {
      await own.close();
    }
  });
});

describe('drain', () => {
  it('turns /readyz 503 "draining" with Retry-After while requests are still served', async () => {
    const other = await startTestPortal();
    try {
      expect((await fetch(`${other.baseUrl}/readyz`)).status).toBe(200);
      other.portal.drain();
      const ready = await fetch(`${other.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('1');
      expect(await ready.json()).toMatchObject({ status: 'draining' });
      expect((await other.api('GET', '/api/v1/rooms', { as: other.admin })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});
