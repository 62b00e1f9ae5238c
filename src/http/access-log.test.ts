import { describe, expect, it } from 'vitest';
import { accessEntry } from './access-log.ts';

describe('an access-log line', () => {
  it('masks the secret part of the address, path and query, and gives the time in nanoseconds (ECS)', () => {
    const line = accessEntry({ method: 'POST', url: '/g/Zx81kQ-secret-guest-token?lang=it&token=abc', clientAddress: '192.0.2.7', status: 303, elapsedMs: 1.25, bytes: undefined });
    expect(line).toEqual({
      http: { request: { method: 'POST' }, response: { status_code: 303 } },
      url: { path: '/g/[redacted]', query: 'lang=it&token=[redacted]' },
      client: { address: '192.0.2.7' },
      event: { duration: 1_250_000 },
    });
    expect(JSON.stringify(line)).not.toContain('secret-guest-token');
  });

  it('says how long the answer was when it is known, and has no query or client when there is none', () => {
    expect(accessEntry({ method: 'GET', url: '/api/v1/rooms', clientAddress: undefined, status: 200, elapsedMs: 0.4, bytes: 812 })).toEqual({
      http: { request: { method: 'GET' }, response: { status_code: 200, body: { bytes: 812 } } },
      url: { path: '/api/v1/rooms' },
      event: { duration: 400_000 },
    });
  });
});
