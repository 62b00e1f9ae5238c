import { describe, expect, it } from 'vitest';
import { addressGroup, guestPinWait, linkDelaySeconds, type GuestPinLimits } from './guest-pin.ts';

const limits: GuestPinLimits = { freeAttempts: 5, delayBaseSeconds: 30, delayMaxSeconds: 900, maxPerAddress: 50, windowMinutes: 60 };
const at = (s: number) => new Date(Date.UTC(2026, 2, 20, 9, 0, s));
const none = { link: 0, linkLatest: null, address: 0, addressCapReachedBy: null };

describe('guest PIN waits', () => {
  it('lets the free tries through, then doubles the wait up to the cap', () => {
    expect([4, 5, 6, 7, 8, 9, 10, 30].map((n) => linkDelaySeconds(limits, n))).toEqual([0, 30, 60, 120, 240, 480, 900, 900]);
    expect(guestPinWait(limits, { ...none, link: 4, linkLatest: at(0) }, at(0))).toBeNull();
    expect(guestPinWait(limits, { ...none, link: 5, linkLatest: at(0) }, at(1))).toEqual({ scope: 'link', seconds: 29 });
    expect(guestPinWait(limits, { ...none, link: 5, linkLatest: at(0) }, at(30))).toBeNull();
  });

  it('makes an address at its cap wait until the failure that reached it leaves the window', () => {
    expect(guestPinWait(limits, { ...none, address: 50, addressCapReachedBy: at(0) }, at(0))).toEqual({ scope: 'address', seconds: 3600 });
    expect(guestPinWait(limits, { ...none, address: 49, addressCapReachedBy: null }, at(0))).toBeNull();
    // The longer of two waits is the one that counts.
    expect(guestPinWait(limits, { link: 5, linkLatest: at(0), address: 50, addressCapReachedBy: at(0) }, at(0))).toEqual({ scope: 'address', seconds: 3600 });
  });

  it('counts IPv4 addresses one by one and IPv6 ones by their /64', () => {
    expect(addressGroup('198.51.100.7')).toBe('198.51.100.7');
    expect(addressGroup('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressGroup('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('')).toBe('unknown');
  });
});
