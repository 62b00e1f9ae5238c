// Where a browser may be sent back after signing in or out: the one check behind every `return`,
// `next` and RelayState (SAML login, ACS, single logout, OIDC, discovery, local sign-in).
//
// The raw text is judged before it is parsed, because the WHATWG URL parser forgives what a browser
// forgives too: it drops tabs and newlines anywhere and trims spaces and controls at the ends, and
// it reads "\" as "/" ("/\t/evil.example" and "/\evil.example" both become "//evil.example", a
// scheme-relative URL to another host). Percent-encoded forms are judged after decoding, since a page
// or a later hop may decode them once more. What passes is parsed against PUBLIC_URL, must keep its
// origin, and comes back normalised as path + search + hash.

const MAX_LENGTH = 2000;
const DECODE_ROUNDS = 3;

/**
 * A backslash, a C0 control or DEL; with `c1`, also C1 controls and the Unicode line and paragraph
 * separators. Percent-decoded forms are judged without `c1`: they hold UTF-8 bytes one per char,
 * and the bytes of ordinary letters such as "’" fall in 0x80-0x9F.
 */
function hasForbidden(s: string, c1: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return true;
    if (c1 && ((c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029)) return true;
  }
  return false;
}

const decodeOnce = (s: string) => s.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * The same-origin path to return to, or null when `raw` is not one: not a string, too long, with a
 * control character, a backslash, surrounding spaces, a scheme-relative start (`//`, `/\`, also
 * percent-encoded), or another origin than `publicUrl`'s.
 */
export function returnTarget(raw: unknown, publicUrl: string): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return null;
  if (hasForbidden(raw, true) || raw.trim() !== raw) return null;
  const base = new URL(publicUrl);
  // A path on this site, or an absolute URL of this site; never a relative reference such as
  // "evil.example" or "?x" that would depend on the base's path.
  if (!(/^\/(?![/\\])/.test(raw) || /^https?:\/\//i.test(raw))) return null;
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || url.username || url.password) return null;
  const target = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments are resolved by now: "/.//evil.example" has become "//evil.example".
  let form = target;
  for (let round = 0; ; round++) {
    if (/^\/[/\\]/.test(form) || hasForbidden(form, false)) return null;
    const next = decodeOnce(form);
    if (next === form) break;
    // Still encoded after several rounds: nobody links like that but someone hiding something.
    if (round === DECODE_ROUNDS) return null;
    form = next;
  }
  return target;
}

/** returnTarget, or "/" (the portal's home) when the target is not acceptable. */
export const safeReturnTarget = (raw: unknown, publicUrl: string): string => returnTarget(raw, publicUrl) ?? '/';
