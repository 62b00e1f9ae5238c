// How long a guest link or a client address waits before its next guest PIN is checked (issue #11).
// A 4-digit PIN must not fall to guessing: after `freeAttempts` wrong PINs on a link within the
// window, each further try waits a delay that doubles with every failure, up to `delayMaxSeconds`;
// an address that sent `maxPerAddress` wrong PINs (over all links) within the window waits until
// the oldest of those leaves it. A failure is forgotten `windowMinutes` after it was made.

export type GuestPinLimits = {
  freeAttempts: number;
  delayBaseSeconds: number;
  delayMaxSeconds: number;
  maxPerAddress: number;
  windowMinutes: number;
};

/** The wrong PINs within the window: for the link, how many and the latest; for the address, how many and the one that reached the cap. */
export type RecentPinFailures = { link: number; linkLatest: Date | null; address: number; addressCapReachedBy: Date | null };

export type PinWait = { scope: 'link' | 'address'; seconds: number };

/** The delay after the `failures`-th wrong PIN of a link, in seconds (0 while tries are free). */
export function linkDelaySeconds(l: GuestPinLimits, failures: number): number {
  if (failures < l.freeAttempts) return 0;
  return Math.min(l.delayMaxSeconds, l.delayBaseSeconds * 2 ** Math.min(30, failures - l.freeAttempts));
}

/** Null when the next PIN may be checked now; else who waits and for how many seconds. */
export function guestPinWait(l: GuestPinLimits, f: RecentPinFailures, now: Date): PinWait | null {
  const waits: PinWait[] = [];
  const delay = linkDelaySeconds(l, f.link);
  if (delay > 0 && f.linkLatest) {
    const left = f.linkLatest.getTime() + delay * 1000 - now.getTime();
    if (left > 0) waits.push({ scope: 'link', seconds: Math.ceil(left / 1000) });
  }
  if (f.address >= l.maxPerAddress && f.addressCapReachedBy) {
    const left = f.addressCapReachedBy.getTime() + l.windowMinutes * 60_000 - now.getTime();
    if (left > 0) waits.push({ scope: 'address', seconds: Math.ceil(left / 1000) });
  }
  return waits.sort((a, b) => b.seconds - a.seconds)[0] ?? null;
}

/**
 * The address wrong PINs are counted under: an IPv4 address as it is (also written IPv4-mapped),
 * an IPv6 address by its /64 network, since one subscriber usually holds a whole /64.
 */
export function addressGroup(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip.slice(0, 64) || 'unknown';
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g || '0', 16) || 0).toString(16))
    .join(':')}::/64`;
}
