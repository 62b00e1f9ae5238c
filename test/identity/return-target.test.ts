// The one check behind every return address after signing in or out (issue #11, open redirect):
// what a browser would read as another site must never come back, however it is spelled.
import { describe, expect, it } from 'vitest';
import { returnTarget, safeReturnTarget } from '../../src/identity/return-target.ts';

const PUBLIC_URL = 'https://meet.example.org';
const check = (raw: unknown) => returnTarget(raw, PUBLIC_URL);

describe('return target', () => {
  it('keeps a path of the portal, with its query and fragment', () => {
    expect(check('/bookings')).toBe('/bookings');
    expect(check('/join/5f0c7a7e-0c2b-4f43-9d7e-2b1c1b3c9e01?lang=it')).toBe('/join/5f0c7a7e-0c2b-4f43-9d7e-2b1c1b3c9e01?lang=it');
    expect(check('/rooms?q=sala%20galilei#week')).toBe('/rooms?q=sala%20galilei#week');
    expect(check('/rooms?q=100%25')).toBe('/rooms?q=100%25');
  });

  it('normalises what it keeps: dot segments resolved, non-ASCII percent-encoded', () => {
    expect(check('/bookings/../rooms')).toBe('/rooms');
    expect(check('/caffè')).toBe('/caff%C3%A8');
    expect(check('/l%E2%80%99aula')).toBe('/l%E2%80%99aula');
  });

  it('accepts an absolute URL of the portal itself and returns its path', () => {
    expect(check('https://meet.example.org/rooms?x=1')).toBe('/rooms?x=1');
    expect(check('HTTPS://MEET.EXAMPLE.ORG/rooms')).toBe('/rooms');
  });

  it.each([
    ['a tab after the first slash (browsers drop it: //evil.example)', '/\t/evil.example/'],
    ['a newline after the first slash', '/\n/evil.example/'],
    ['a carriage return', '/\r/evil.example/'],
    ['a NUL', '/bookings\u0000'],
    ['a C1 control', '/\u0085/evil.example/'],
    ['a Unicode line separator', '/\u2028/evil.example/'],
    ['a backslash (browsers read it as a slash)', '/\\evil.example/'],
    ['a backslash later in the path', '/rooms\\..\\..\\evil'],
    ['two slashes (scheme-relative)', '//evil.example/'],
    ['a percent-encoded tab', '/%09/evil.example/'],
    ['a percent-encoded newline', '/%0a/evil.example/'],
    ['a percent-encoded slash after the first', '/%2F/evil.example/'],
    ['percent-encoded slashes only', '/%2F%2Fevil.example'],
    ['a percent-encoded backslash', '/%5Cevil.example/'],
    ['a doubly encoded slash', '/%252F%252Fevil.example'],
    ['a doubly encoded tab', '/%2509/evil.example'],
    ['a dot segment that leaves two slashes', '/.//evil.example/'],
    ['a dot-dot segment that leaves two slashes', '/..//evil.example/'],
    ['another site', 'https://evil.example/'],
    ['the portal’s host on another scheme', 'http://meet.example.org/rooms'],
    ['the portal’s host on another port', 'https://meet.example.org:8443/rooms'],
    ['credentials in the URL', 'https://user:pw@meet.example.org/rooms'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a relative reference without a slash', 'evil.example'],
    ['a leading space', ' /bookings'],
    ['a trailing newline', '/bookings\n'],
    ['an empty string', ''],
    ['something very long', `/${'a'.repeat(2000)}`],
  ])('refuses %s', (_what, raw) => {
    expect(check(raw)).toBeNull();
    expect(safeReturnTarget(raw, PUBLIC_URL)).toBe('/');
  });

  it('refuses what is not a string', () => {
    for (const raw of [undefined, null, 42, ['/a', '/b'], { toString: () => '/x' }]) expect(check(raw)).toBeNull();
  });
});
