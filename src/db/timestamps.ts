// timestamptz text → Date without regular expressions. A week of the calendar reads ~2,000
// timestamps, and node-postgres's parser (postgres-date: three regular expressions, a split and
// parseInt per value) was 6 % of that answer's CPU (bench/RESULTS.md, issue #13). The common form
// PostgreSQL writes with DateStyle ISO — `2026-03-29 01:30:00.123456+02`, an offset of hours,
// minutes and seconds — is read here by character codes; anything else (infinity, BC, years below
// 1000 or above 9999, a DateStyle other than ISO) goes to the parser it replaces, so the result
// is always that parser's (test/db/timestamps.test.ts compares the two on PostgreSQL's own output).

export type TimestampParser = (text: string) => Date | number | null;

/** A parser for OID 1184 (timestamptz) that reads the ISO form itself and hands the rest to `fallback`. */
export function fastTimestamptz(fallback: TimestampParser): TimestampParser {
  return (s) => parseIso(s) ?? fallback(s);
}

const digits = (s: string, at: number, n: number): number => {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
};

/** `YYYY-MM-DD HH:MM:SS[.f…][+-]HH[:MM[:SS]]`, or undefined for any other form. */
export function parseIso(s: string): Date | undefined {
  if (s.length < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 1000 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    // Microseconds: the first three digits are the milliseconds, the rest are dropped (as postgres-date).
    const start = ++i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const n = i - start;
    if (n === 0 || n > 6) return undefined;
    ms = digits(s, start, Math.min(n, 3)) * (n === 1 ? 100 : n === 2 ? 10 : 1);
  }
  const sign = s.charCodeAt(i) === 43 ? 1 : s.charCodeAt(i) === 45 ? -1 : 0;
  if (sign === 0) return undefined;
  const rest = s.length - i - 1;
  if (rest !== 2 && rest !== 5 && rest !== 8) return undefined;
  const oh = digits(s, i + 1, 2);
  const om = rest >= 5 && s.charCodeAt(i + 3) === 58 ? digits(s, i + 4, 2) : rest >= 5 ? -1 : 0;
  const os = rest === 8 && s.charCodeAt(i + 6) === 58 ? digits(s, i + 7, 2) : rest === 8 ? -1 : 0;
  if (oh < 0 || om < 0 || os < 0) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - sign * (oh * 3600 + om * 60 + os) * 1000);
}
