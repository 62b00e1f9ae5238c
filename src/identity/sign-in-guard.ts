// Slows brute force on the local sign-in form: failures are counted per account and per address in
// PostgreSQL (so the limit holds whichever instance a guess reaches), and the portal-wide switch that
// turns local accounts off for everyone but administrators.
import { sql } from 'kysely';
import type { LocalAccountsPolicy, PortalSettings, SignInGuard } from '../app/accounts.ts';
import type { Db } from '../db/database.ts';

export class PgSignInGuard implements SignInGuard {
  private readonly db: Db;
  private readonly o: { perAccount: number; perAddress: number; windowMinutes: number };
  constructor(db: Db, limits: { perAccount: number; perAddress: number; windowMinutes: number }) {
    this.db = db;
    this.o = limits;
  }

  async retryAfterSeconds(account: string, address: string): Promise<number | null> {
    const r = await sql<{ by_account: string; by_address: string; oldest_account: Date | null; oldest_address: Date | null }>`
      WITH recent AS (SELECT account, address, at FROM login_failures WHERE at > now() - make_interval(mins => ${this.o.windowMinutes}))
      SELECT (SELECT count(*) FROM recent WHERE account = ${account}) AS by_account,
             (SELECT count(*) FROM recent WHERE address = ${address}) AS by_address,
             (SELECT at FROM recent WHERE account = ${account} ORDER BY at DESC OFFSET ${this.o.perAccount - 1} LIMIT 1) AS oldest_account,
             (SELECT at FROM recent WHERE address = ${address} ORDER BY at DESC OFFSET ${this.o.perAddress - 1} LIMIT 1) AS oldest_address`.execute(this.db);
    const row = r.rows[0]!;
    const blockedSince = [Number(row.by_account) >= this.o.perAccount ? row.oldest_account : null, Number(row.by_address) >= this.o.perAddress ? row.oldest_address : null]
      .filter((d): d is Date => d !== null)
      .map((d) => new Date(d).getTime());
    if (blockedSince.length === 0) return null;
    // Free again when the failure that tipped the count leaves the window.
    const until = Math.max(...blockedSince) + this.o.windowMinutes * 60_000;
    return Math.max(1, Math.ceil((until - Date.now()) / 1000));
  }

  async recordFailure(account: string, address: string): Promise<void> {
    await sql`INSERT INTO login_failures (account, address) VALUES (${account}, ${address})`.execute(this.db);
    await sql`DELETE FROM login_failures WHERE at < now() - make_interval(mins => ${this.o.windowMinutes})`.execute(this.db);
  }

  async clear(account: string): Promise<void> {
    await sql`DELETE FROM login_failures WHERE account = ${account}`.execute(this.db);
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
