// How long a local sign-in must wait, from the failures the guard counted (issue #11). Guessing is
// slowed, never turned into a lock-out of the rightful owner:
// - per account and address: after `freeFailures`, a wait after the latest failure that doubles with
//   each further failure, from `baseDelaySeconds` up to `maxDelaySeconds`;
// - per account over all addresses: the same doubling, capped at `accountMaxDelaySeconds`, and only
//   for addresses the account has not signed in from lately (familiar ones are spared, so failures
//   from elsewhere never hold up the owner at their usual place);
// - per address over all accounts (`perAddress`, a campus NAT is many people): a wrong password or an
//   unknown account is answered "wait", a right password still gets in.

export type LoginLimits = {
  freeFailures: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  accountMaxDelaySeconds: number;
  familiarDays: number;
  perAddress: number;
  windowMinutes: number;
};

/** What the guard counted in the window, for one account and one address. */
export type FailureCounts = {
  /** Failures of this account from this address, and when the latest was. */
  pair: { count: number; latest: Date | null };
  /** Failures of this account from any address, and when the latest was. */
  account: { count: number; latest: Date | null };
  /** Whether the account signed in from this address within `familiarDays`. */
  familiar: boolean;
  /** Failures from this address on any account, and when the one that tipped it over the limit leaves the window. */
  address: { count: number; limitEndsAt: Date | null };
};

/** The doubling wait after `count` failures: none while they are free. */
export function growingDelaySeconds(count: number, limits: Pick<LoginLimits, 'freeFailures' | 'baseDelaySeconds'>, capSeconds: number): number {
  if (count < limits.freeFailures || capSeconds <= 0) return 0;
  const doublings = Math.min(count - limits.freeFailures, 30);
  return Math.min(limits.baseDelaySeconds * 2 ** doublings, capSeconds);
}

/** Seconds to wait before this attempt is even checked; 0 when it may be tried now. */
export function waitBeforeAttempt(c: FailureCounts, limits: LoginLimits, now: Date): number {
  const until = (latest: Date | null, delay: number) => (latest && delay > 0 ? latest.getTime() + delay * 1000 - now.getTime() : 0);
  const pairWait = until(c.pair.latest, growingDelaySeconds(c.pair.count, limits, limits.maxDelaySeconds));
  const accountWait = c.familiar ? 0 : until(c.account.latest, growingDelaySeconds(c.account.count, limits, limits.accountMaxDelaySeconds));
  const ms = Math.max(pairWait, accountWait, 0);
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Seconds until this address may again be told "wrong" rather than "wait"; 0 when under its limit. */
export function addressLimitSeconds(c: FailureCounts, limits: LoginLimits, now: Date): number {
  if (c.address.count < limits.perAddress || !c.address.limitEndsAt) return 0;
  return Math.max(1, Math.ceil((c.address.limitEndsAt.getTime() - now.getTime()) / 1000));
}
