// Counts failed local sign-ins per account and address in PostgreSQL (so the limits hold whichever
// instance a guess reaches) and remembers where each account signed in (familiar addresses); the
// rules on these counts are in domain/sign-in-delay.ts. Also the portal-wide switch that turns local
// accounts off for everyone but administrators.
import { sql } from 'kysely';
import type { LocalAccountsPolicy, PortalSettings, SignInGuard } from '../app/accounts.ts';
import type { Db } from '../db/database.ts';
import type { FailureCounts, LoginLimits } from '../domain/sign-in-delay.ts';

export class PgSignInGuard implements SignInGuard {
  private readonly db: Db;
  readonly limits: LoginLimits;
  constructor(db: Db, limits: LoginLimits) {
    this.db = db;
    this.limits = limits;
  }

  async counts(account: string, address: string, now: Date): Promise<FailureCounts> {
    const since = new Date(now.getTime() - this.limits.windowMinutes * 60_000);
    const familiarSince = new Date(now.getTime() - this.limits.familiarDays * 86_400_000);
    const r = await sql<{ pair_count: string; pair_latest: Date | null; account_count: string; account_latest: Date | null; familiar: boolean; address_count: string; address_tipping: Date | null }>`
      SELECT p.n AS pair_count, p.latest AS pair_latest, a.n AS account_count, a.latest AS account_latest,
             EXISTS (SELECT 1 FROM login_successes WHERE account = ${account} AND address = ${address} AND at > ${familiarSince}::timestamptz) AS familiar,
             (SELECT count(*) FROM login_failures WHERE address = ${address} AND at > ${since}::timestamptz) AS address_count,
             (SELECT at FROM login_failures WHERE address = ${address} AND at > ${since}::timestamptz ORDER BY at DESC OFFSET ${this.limits.perAddress - 1} LIMIT 1) AS address_tipping
        FROM (SELECT count(*) AS n, max(at) AS latest FROM login_failures WHERE account = ${account} AND address = ${address} AND at > ${since}::timestamptz) p,
             (SELECT count(*) AS n, max(at) AS latest FROM login_failures WHERE account = ${account} AND at > ${since}::timestamptz) a`.execute(this.db);
    const row = r.rows[0]!;
    const date = (d: Date | null) => (d === null ? null : new Date(d));
    return {
      pair: { count: Number(row.pair_count), latest: date(row.pair_latest) },
      account: { count: Number(row.account_count), latest: date(row.account_latest) },
      familiar: row.familiar,
      // Free again when the failure that tipped the count leaves the window.
      address: { count: Number(row.address_count), limitEndsAt: row.address_tipping ? new Date(new Date(row.address_tipping).getTime() + this.limits.windowMinutes * 60_000) : null },
    };
  }

  async recordFailure(account: string, address: string, now: Date): Promise<void> {
    await sql`INSERT INTO login_failures (account, address, at) VALUES (${account}, ${address}, ${now}::timestamptz)`.execute(this.db);
    await sql`DELETE FROM login_failures WHERE at < ${new Date(now.getTime() - this.limits.windowMinutes * 60_000)}::timestamptz`.execute(this.db);
  }

  /** The owner got in from here: this address's failures on the account are forgiven, and it is familiar. */
  async recordSuccess(account: string, address: string, now: Date): Promise<void> {
    await sql`DELETE FROM login_failures WHERE account = ${account} AND address = ${address}`.execute(this.db);
    await sql`INSERT INTO login_successes (account, address, at) VALUES (${account}, ${address}, ${now}::timestamptz)
              ON CONFLICT (account, address) DO UPDATE SET at = excluded.at`.execute(this.db);
    await sql`DELETE FROM login_successes WHERE account = ${account} AND at < ${new Date(now.getTime() - this.limits.familiarDays * 86_400_000)}::timestamptz`.execute(this.db);
  }
}

export class PgPortalSettings implements PortalSettings {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async localAccounts(): Promise<LocalAccountsPolicy> {
    const r = await sql<{ value: LocalAccountsPolicy }>`SELECT value FROM portal_settings WHERE key = 'local_accounts'`.execute(this.db);
    return r.rows[0]?.value ?? 'everyone';
  }

  async setLocalAccounts(policy: LocalAccountsPolicy): Promise<void> {
    await sql`INSERT INTO portal_settings (key, value) VALUES ('local_accounts', ${JSON.stringify(policy)}::jsonb)
              ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`.execute(this.db);
  }
}
