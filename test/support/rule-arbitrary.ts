// RRULE texts as a client could write them (fast-check): any mix of the parts a booking rule may
// have, valid or not, with COUNT or UNTIL. Shared by the domain and the HTTP fuzz tests.
import fc from 'fast-check';
import type { DateTime } from 'luxon';

const weekday = fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU');
const signed = (max: number) => fc.integer({ min: 1, max }).chain((n) => fc.constantFrom(n, -n));
const list = <T>(item: fc.Arbitrary<T>, max = 3) => fc.uniqueArray(item, { minLength: 1, maxLength: max }).map((a) => a.join(','));

/** `from`: the day UNTIL counts from (up to 900 days later). */
export const ruleText = (from: DateTime) =>
  fc
    .record(
      {
        freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'),
        interval: fc.constantFrom(1, 1, 2, 3, 4, 5, 7, 12, 14, 24, 48),
        byday: fc.oneof(
          list(weekday, 4),
          list(fc.tuple(signed(6), weekday).map(([n, d]) => `${n}${d}`), 2),
          list(fc.tuple(signed(54), weekday).map(([n, d]) => `${n}${d}`), 1),
        ),
        bymonthday: list(signed(31)),
        bymonth: list(fc.integer({ min: 1, max: 12 })),
        bysetpos: list(fc.oneof(signed(8), signed(366)), 2),
        end: fc.oneof(
          fc.integer({ min: 1, max: 250 }).map((n) => `COUNT=${n}`),
          fc.integer({ min: 0, max: 900 }).map((d) => `UNTIL=${from.plus({ days: d }).toFormat('yyyyMMdd')}`),
        ),
      },
      { requiredKeys: ['freq', 'interval', 'end'] },
    )
    .map((r) =>
      [
        `FREQ=${r.freq}`,
        r.interval > 1 && `INTERVAL=${r.interval}`,
        r.byday && `BYDAY=${r.byday}`,
        r.bymonthday && `BYMONTHDAY=${r.bymonthday}`,
        r.bymonth && `BYMONTH=${r.bymonth}`,
        r.bysetpos && `BYSETPOS=${r.bysetpos}`,
        r.end,
      ]
        .filter(Boolean)
        .join(';'),
    );
