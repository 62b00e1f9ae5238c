// A short-lived per-instance cache of who a session or an API token belongs to, so that a signed-in
// request costs no query in the common case. It follows the database: a sign-out, a revocation or
// a change of a person's rights is NOTIFYed on `auth_changes` (ports.ts) and drops the entries on
// every instance; the instance that made the change drops them before it answers, as it hears its
// own notices at once (db/notices.ts, portal.ts). The time-to-live only bounds what a lost notice
// could keep.
import type { Actor } from '../domain/access.ts';
import type { AuthChange } from '../ports.ts';

export type CachedCredential = {
  actor: Actor;
  /** Sessions: their CSRF token and when they end at the latest. */
  csrfToken?: string;
  expiresAt?: Date;
  /** When the last use was written to the database (sessions slide their idle timeout on it). */
  usedAt: number;
  cachedAt: number;
};

export class CredentialCache {
  readonly #entries = new Map<string, CachedCredential>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: { ttlSeconds: number; maxEntries?: number; now?: () => number }) {
    this.#ttlMs = opts.ttlSeconds * 1000;
    this.#max = opts.maxEntries ?? 20_000;
    this.#now = opts.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#ttlMs > 0;
  }

  get(kind: 'session' | 'token', hash: string): CachedCredential | undefined {
    const key = `${kind}:${hash}`;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() - entry.cachedAt > this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(kind: 'session' | 'token', hash: string, entry: Omit<CachedCredential, 'cachedAt'>): void {
    if (!this.enabled) return;
    const key = `${kind}:${hash}`;
    this.#entries.delete(key);
    this.#entries.set(key, { ...entry, cachedAt: this.#now() });
    // A Map keeps insertion order: the first key is the oldest.
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  drop(kind: 'session' | 'token', hash: string): void {
    this.#entries.delete(`${kind}:${hash}`);
  }

  /** A notice from any instance: the credential ended, or its person's rights changed. */
  apply(change: AuthChange): void {
    if (change.kind !== 'user') return this.drop(change.kind, change.hash);
    for (const [key, entry] of this.#entries) if (entry.actor.userId === change.userId) this.#entries.delete(key);
  }

  /** Notices may have been missed (the LISTEN connection was down): forget everything. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
