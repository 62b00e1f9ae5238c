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

  it('refuses a minimum duration above the maximum', () => {
    expect(() => loadConfig({ MIN_DURATION_MINUTES: '60', MAX_DURATION_MINUTES: '30' })).toThrow(/MIN_DURATION_MINUTES=60/);
  });

  it('turns on secure cookies behind https', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://meet.example.org' }).cookieSecure).toBe(true);
  });
});
