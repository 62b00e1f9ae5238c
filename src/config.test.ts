import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults for the embedded set-up', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.booking).toMatchObject({ seatPool: 500, turnaroundMinutes: 15, maxDaysAhead: 180, defaultTimeZone: 'Europe/Rome' });
    expect(c.cookieSecure).toBe(false);
  });

  it('names every wrong setting', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', SEAT_POOL: '-1', DEFAULT_TIME_ZONE: 'Europe/Atlantis', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    for (const name of ['PORT="eighty"', 'SEAT_POOL="-1"', 'DEFAULT_TIME_ZONE="Europe/Atlantis"', 'DATABASE_URL="mysql://x"']) expect(message).toContain(name);
  });

  it('reads a blank value as unset, like an empty one, rather than as 0', () => {
    const c = loadConfig({ PORT: ' ', AUDIT_RETENTION_DAYS: '  ', DRAIN_SECONDS: '\t' });
    expect(c.port).toBe(3000);
    expect(c.retention.auditDays).toBe(730);
    expect(c.drainSeconds).toBe(5);
  });

  it('refuses a TRUST_PROXY entry that is not an address or range, naming it, and takes the valid forms', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'abc' })).toThrow('TRUST_PROXY="abc": "abc" is not an IP address or range; it must be true, false or proxy addresses such as 10.0.0.1,10.0.1.0/24');
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.0/33' })).toThrow(/TRUST_PROXY=.*"10\.0\.0\.0\/33" is not an IP address or range/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/255.0.255.0' })).toThrow(/TRUST_PROXY=/); // not a netmask
    expect(() => loadConfig({ TRUST_PROXY: '1' })).toThrow(/TRUST_PROXY=/); // a hop count is not an address
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.1.0/24,::1,fd00::/8,192.168.0.0/255.255.0.0' }).trustProxy).toEqual(['10.0.0.1', '10.0.1.0/24', '::1', 'fd00::/8', '192.168.0.0/255.255.0.0']);
    expect(loadConfig({ TRUST_PROXY: 'TRUE' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it('refuses METRICS_PORT equal to PORT', () => {
    expect(() => loadConfig({ METRICS_PORT: '3000' })).toThrow('METRICS_PORT=3000 is the same as PORT: give /metrics a port of its own, or unset METRICS_PORT and use METRICS_TOKEN');
    expect(() => loadConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(ConfigError);
    expect(loadConfig({ PORT: '8080', METRICS_PORT: '9464' }).metrics.port).toBe(9464);
  });

  it('refuses a minimum duration above the maximum', () => {
    expect(() => loadConfig({ MIN_DURATION_MINUTES: '60', MAX_DURATION_MINUTES: '30' })).toThrow(/MIN_DURATION_MINUTES=60/);
  });

  it('turns on secure cookies behind https', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://meet.example.org' }).cookieSecure).toBe(true);
  });

  describe('telephony', () => {
    const ari = { ARI_URL: 'http://127.0.0.1:8088/ari', ARI_USERNAME: 'webmeetings', ARI_PASSWORD: 'secret' };

    it('is off without ARI_URL, and reads numbers with countries', () => {
      expect(loadConfig({}).telephony).toBeNull();
      const c = loadConfig({ ...ari, DIAL_IN_NUMBERS: 'IT:+39 06 1234 5678, +41445550000', SIP_DOMAIN: 'audio.example.org' }).telephony!;
      expect(c.numbers).toEqual([
        { number: '+390612345678', country: 'IT' },
        { number: '+41445550000', country: null },
      ]);
      expect(c).toMatchObject({ pinDigits: 7, hostPin: true, pinAttempts: 3, sipDomain: 'audio.example.org', ari: { url: 'http://127.0.0.1:8088/ari', app: 'webmeetings' } });
    });

    it('says what is missing or wrong', () => {
      expect(() => loadConfig({ DIAL_IN_NUMBERS: '+390612345678' })).toThrow(/need ARI_URL/);
      expect(() => loadConfig({ ARI_URL: ari.ARI_URL, DIAL_IN_NUMBERS: '+390612345678' })).toThrow(/ARI_USERNAME and ARI_PASSWORD/);
      expect(() => loadConfig(ari)).toThrow(/DIAL_IN_NUMBERS or SIP_DOMAIN/);
      expect(() => loadConfig({ ...ari, DIAL_IN_NUMBERS: '06 1234 5678' })).toThrow(/not an E\.164 number/);
      expect(() => loadConfig({ ...ari, SIP_DOMAIN: 'audio.example.org', AUDIO_PIN_DIGITS: '5' })).toThrow(/AUDIO_PIN_DIGITS/);
    });
  });

  it('reads the fault and retention settings, and refuses a short metrics token', () => {
    const c = loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '7', REQUEST_TIMEOUT_SECONDS: '9', DRAIN_SECONDS: '3', METRICS_PORT: '9464', AUDIT_RETENTION_DAYS: '0' });
    expect(c.databaseTimeouts).toEqual({ connectMs: 5000, statementMs: 7000 });
    expect(c.requestTimeoutMs).toBe(9000);
    expect(c.drainSeconds).toBe(3);
    expect(c.metrics).toEqual({ token: undefined, port: 9464 });
    expect(c.retention).toEqual({ auditDays: 0, jobDays: 7, guestLinkDays: 30 });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN="short": must be at least 16 characters/);
  });
});
