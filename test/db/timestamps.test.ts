// The timestamptz reader (src/db/timestamps.ts) against the database's own text and its own idea
// of the instant (epoch microseconds), in zones with offsets of hours, half hours and seconds (local
// mean time before 1900), around DST changes, and with every length of fraction; the forms it does
// not read itself go to node-postgres's parser unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { fastTimestamptz, parseIso } from '../../src/db/timestamps.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase({ migrate: false });
});
afterAll(async () => t?.drop());

const ZONES = ['UTC', 'Europe/Rome', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe', 'Africa/Monrovia', 'Europe/Amsterdam', 'Pacific/Chatham', 'America/Los_Angeles'];

describe('timestamptz text → Date', () => {
  it('reads what PostgreSQL writes as PostgreSQL means it, in every zone and with every fraction', async () => {
    const c = await t.database.pool.connect();
    try {
      let compared = 0;
      for (const zone of ZONES) {
        await c.query(`SET TimeZone = '${zone}'`);
        // 1880 (local mean time, offsets with seconds) to 2100, plus the hours around 2026's changes in Europe.
        const { rows } = await c.query<{ text: string; micros: string }>(
          `SELECT v::text AS text, (extract(epoch FROM v) * 1000000)::bigint::text AS micros FROM (
             SELECT timestamptz '1880-01-01 00:00:00+00' + (i * interval '1 day 3 hours 17 minutes 23.456789 seconds') * 13 AS v FROM generate_series(0, 6000) i
             UNION ALL SELECT timestamptz '2026-03-29 00:00:00+00' + i * interval '7 minutes 30.5 seconds' FROM generate_series(0, 40) i
             UNION ALL SELECT timestamptz '2026-10-25 00:00:00+00' + i * interval '7 minutes 30.05 seconds' FROM generate_series(0, 40) i
             UNION ALL SELECT timestamptz '2026-12-04 10:00:00.1+00' + i * interval '1.001 seconds' FROM generate_series(0, 30) i
           ) x`,
        );
        for (const r of rows) {
          const parsed = parseIso(r.text);
          expect(parsed, r.text).toBeInstanceOf(Date);
          expect(parsed!.getTime(), `${zone}: ${r.text}`).toBe(Math.floor(Number(r.micros) / 1000));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(50_000);
    } finally {
      await c.query('RESET TimeZone');
      c.release();
    }
  });

  it('hands the forms it does not read to the parser it replaces', () => {
    const fallback = pg.types.getTypeParser(1184) as (s: string) => Date | number | null;
    const parse = fastTimestamptz((s) => (s === '2026-12-04 10:00:00+00' ? new Date(0) : fallback(s)));
    for (const s of ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '12026-01-01 00:00:00+00', '2026-12-04T10:00:00Z', '2026-12-04 10:00:00', '2026-12-04 10:00:00.+00', '2026-12-04 10:00:00+0']) {
      expect(parseIso(s), s).toBeUndefined();
      expect(parse(s), s).toEqual(fallback(s));
    }
    expect(parse('2026-12-04 10:00:00+00')).toEqual(new Date('2026-12-04T10:00:00Z'));
  });
});
