// Dial-in rules of a booking's audio conference (issue #7): what a PIN may look like, when a PIN
// opens the conference, whether a caller may enter, and how a caller's number is shown. No I/O.

export type PinRole = 'participant' | 'host';

/** When a booking's PIN opens its conference: with the virtual room, until the end plus grace. */
export type DialWindow = { opens: Date; closes: Date };

export function dialWindow(start: Date, end: Date, opensMinutesBefore: number, graceMinutes: number): DialWindow {
  return { opens: new Date(start.getTime() - opensMinutesBefore * 60_000), closes: new Date(end.getTime() + graceMinutes * 60_000) };
}

/**
 * A PIN callers cannot guess from a neighbour's: no digit run up or down by one (123456, 987654),
 * no single repeated digit, no two halves alike (123123), and no leading zero (some phones and
 * PSTN gateways drop it).
 */
export function isAcceptablePin(pin: string): boolean {
  if (!/^[1-9][0-9]{5,7}$/.test(pin)) return false;
  const d = [...pin].map(Number);
  const steps = new Set(d.slice(1).map((x, i) => x - d[i]!));
  if (steps.size === 1 && [...steps].every((s) => Math.abs(s) <= 1)) return false;
  const half = pin.length / 2;
  if (Number.isInteger(half) && pin.slice(0, half) === pin.slice(half)) return false;
  return true;
}

/** Draws PINs of `digits` length from `random` (an integer source in [0, max)) until one is acceptable. */
export function drawPin(digits: number, random: (max: number) => number): string {
  for (;;) {
    const pin = String(10 ** (digits - 1) + random(9 * 10 ** (digits - 1)));
    if (isAcceptablePin(pin)) return pin;
  }
}

/** What a PIN lookup found, as the caller's answer needs it. */
export type Conference = {
  bookingId: string;
  role: PinRole;
  status: 'confirmed' | 'cancelled';
  enabled: boolean;
  locked: boolean;
  window: DialWindow;
  seats: number;
};

export type Admission =
  | { ok: true; bookingId: string; role: PinRole }
  | { ok: false; reason: 'unknown' | 'too-early' | 'ended' | 'cancelled' | 'locked' | 'full' };

/**
 * Whether a caller with this PIN enters now. `inCall` is how many people (phone and web) are in the
 * meeting already; a host enters a locked or full conference (they run it).
 */
export function admit(found: Conference | null, now: Date, inCall: number): Admission {
  if (!found || !found.enabled) return { ok: false, reason: 'unknown' };
  if (found.status === 'cancelled') return { ok: false, reason: 'cancelled' };
  if (now < found.window.opens) return { ok: false, reason: 'too-early' };
  if (now >= found.window.closes) return { ok: false, reason: 'ended' };
  if (found.role !== 'host') {
    if (found.locked) return { ok: false, reason: 'locked' };
    if (inCall >= found.seats) return { ok: false, reason: 'full' };
  }
  return { ok: true, bookingId: found.bookingId, role: found.role };
}

/** A caller's number as the host sees it: only the last digits (privacy of the callers). */
export function maskCaller(number: string | null | undefined): string {
  const digits = (number ?? '').replace(/[^0-9]/g, '');
  if (digits.length === 0) return '••••';
  return `•••• ${digits.slice(-Math.min(4, Math.max(2, digits.length - 4)))}`;
}

/**
 * One-tap dial-in: `tel:` with pauses and the PIN as DTMF. RFC 3966 has no pause: the comma is the
 * de-facto pause phones honour; `#` must be escaped in a URI (RFC 3966 §5.1.5, RFC 3986).
 */
export function telLink(number: string, pin: string): string {
  return `tel:${number.replace(/[^+0-9]/g, '')},,${pin}%23`;
}

export const sipUri = (pin: string, domain: string) => `sip:${pin}@${domain}`;
