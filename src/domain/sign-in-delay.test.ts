import { describe, expect, it } from 'vitest';
import { addressLimitSeconds, growingDelaySeconds, waitBeforeAttempt, type FailureCounts, type LoginLimits } from './sign-in-delay.ts';

const limits: LoginLimits = { freeFailures: 3, baseDelaySeconds: 5, maxDelaySeconds: 900, accountMaxDelaySeconds: 60, familiarDays: 30, perAddress: 30, windowMinutes: 60 };
const now = new Date('2026-03-20T09:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const counts = (c: Partial<FailureCounts>): FailureCounts => ({
  pair: { count: 0, latest: null },
  account: { count: 0, latest: null },
  familiar: false,
  address: { count: 0, limitEndsAt: null },
  ...c,
});

describe('sign-in delay', () => {
  it('lets the free failures pass, then doubles from the base up to the cap', () => {
    expect([0, 2, 3, 4, 5, 8, 12, 40].map((n) => growingDelaySeconds(n, limits, 900))).toEqual([0, 0, 5, 10, 20, 160, 900, 900]);
  });

  it('counts the wait from the latest failure of the account at this address', () => {
    expect(waitBeforeAttempt(counts({ pair: { count: 4, latest: ago(3) }, account: { count: 4, latest: ago(3) }, familiar: true }), limits, now)).toBe(7);
    expect(waitBeforeAttempt(counts({ pair: { count: 4, latest: ago(10) }, account: { count: 4, latest: ago(10) }, familiar: true }), limits, now)).toBe(0);
  });

  it('spares familiar addresses from failures elsewhere, and caps that wait for the others', () => {
    const elsewhere = { account: { count: 50, latest: ago(1) } };
    expect(waitBeforeAttempt(counts({ ...elsewhere, familiar: true }), limits, now)).toBe(0);
    expect(waitBeforeAttempt(counts({ ...elsewhere, familiar: false }), limits, now)).toBe(59);
  });

  it('says how long an address over its limit waits, and nothing under it', () => {
    expect(addressLimitSeconds(counts({ address: { count: 29, limitEndsAt: null } }), limits, now)).toBe(0);
    expect(addressLimitSeconds(counts({ address: { count: 30, limitEndsAt: new Date(now.getTime() + 120_500) } }), limits, now)).toBe(121);
  });
});
