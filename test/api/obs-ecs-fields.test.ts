// The production log lines keep to ECS field types, or Elasticsearch with an ECS mapping refuses them
// (deploy/elastic/filebeat.yml ships lines as they are): `event` and `url` are objects there (the
// access lines' event.duration, url.path), while call sites log `event: 'public-url.mismatch'` and
// the start line `url: '<address>'`. The ECS formatter moves such strings to event.action and url.full.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../support/portal.ts';
import { loggerOptions } from '../../src/observability/logger.ts';

/** A logger in the production format, and the lines it wrote (parsed). */
function ecsLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino(loggerOptions('info'), sink), lines };
}

describe('the ECS formatter', () => {
  it('moves a string event to event.action and a string url to url.full', () => {
    const { logger, lines } = ecsLogger();
    logger.warn({ event: 'login.rate-limited', account: 'a@example.org' }, 'local sign-in rate limited');
    logger.info({ url: 'https://meet.example.org', publicUrl: 'https://meet.example.org' }, 'WebMeetings is running');
    expect(lines[0]!.event).toEqual({ action: 'login.rate-limited' });
    expect(lines[0]!.account).toBe('a@example.org');
    expect(lines[1]!.url).toEqual({ full: 'https://meet.example.org' });
    expect(lines[1]!.publicUrl).toBe('https://meet.example.org');
  });

  it('leaves event and url objects as they are, and masks secrets in a url string', () => {
    const { logger, lines } = ecsLogger();
    logger.info({ event: { duration: 1_500_000 }, url: { path: '/api/v1/rooms' } }, 'request completed');
    logger.info({ url: 'wss://ari:hunter1@pbx.example.org/ari/events?app=wm&password=hunter2' }, 'connected');
    expect(lines[0]!.event).toEqual({ duration: 1_500_000 });
    expect(lines[0]!.url).toEqual({ path: '/api/v1/rooms' });
    expect(lines[1]!.url).toEqual({ full: 'wss://[redacted]@pbx.example.org/ari/events?app=wm&password=[redacted]' });
  });
});

describe('a portal logging in the production format', () => {
  let t: TestPortal;
  const logs: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await startTestPortal({ logs, ecsLogs: true, env: { PUBLIC_URL: 'https://meet.example.org', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs a call site’s event as event.action, never as a string event', async () => {
    // Reached at 127.0.0.1, not at PUBLIC_URL: public-url.mismatch.
    await fetch(`${t.baseUrl}/api/v1/rooms`);
    await new Promise((r) => setTimeout(r, 50));
    const warned = logs.filter((l) => (l.event as { action?: string } | undefined)?.action === 'public-url.mismatch');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.reachedAt).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logs.length).toBeGreaterThan(1);
    expect(logs.filter((l) => typeof l.event === 'string' || typeof l.url === 'string')).toEqual([]);
  });
});
