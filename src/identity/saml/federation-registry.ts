// The identity providers of the configured federation metadata aggregates. The last aggregate whose
// signature verified is kept in PostgreSQL; every instance reads it from there, and one instance at a
// time (a lease on the row) fetches a new copy when `cacheDuration`/`validUntil` say it is due. A copy
// that fails verification is refused and logged; the previous good copy stays in use.
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import { idpName, MetadataError, parseAggregate, verifyAggregate, type IdentityProvider } from './federation-metadata.ts';

export type FederationOptions = {
  sources: string[];
  federationCertPem: string;
  /** Refresh interval when the aggregate gives no cacheDuration, and the upper bound otherwise. */
  refreshMinutes: number;
  /** How often each instance re-reads the stored copy and checks whether a refresh is due. */
  pollSeconds: number;
};

type Loaded = { source: string; idps: IdentityProvider[]; validUntil: Date | null; fetchedAt: Date };

const RETRY_MINUTES = 5;
const LEASE_SECONDS = 120;

export class FederationRegistry {
  private readonly db: Db;
  private readonly o: FederationOptions;
  private readonly log: Logger;
  private loaded = new Map<string, Loaded>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(db: Db, options: FederationOptions, log: Logger) {
    this.db = db;
    this.o = options;
    this.log = log;
  }

  async start(): Promise<void> {
    // With a stored copy of every source the instance is ready at once and refreshes in the
    // background; only a first start waits for the fetch.
    await this.reload();
    if (this.loaded.size < this.o.sources.length) await this.tick();
    else void this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.pollSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Refreshes due sources (unless another instance holds the lease), then reloads the stored copies. */
  tick(force = false): Promise<void> {
    this.running = (async () => {
      for (const source of this.o.sources) {
        try {
          await this.refresh(source, force);
        } catch (e) {
          this.log.error({ err: e, metadataSource: source }, 'federation metadata refresh failed');
        }
      }
      await this.reload();
    })();
    return this.running;
  }

  /** Every IdP of every aggregate still inside its validUntil. */
  all(): IdentityProvider[] {
    const now = Date.now();
    const seen = new Map<string, IdentityProvider>();
    for (const l of this.loaded.values()) {
      if (l.validUntil && l.validUntil.getTime() <= now) continue;
      for (const idp of l.idps) if (!seen.has(idp.entityId)) seen.set(idp.entityId, idp);
    }
    return [...seen.values()];
  }

  find(entityId: string): IdentityProvider | null {
    return this.all().find((i) => i.entityId === entityId) ?? null;
  }

  /** The IdP that declares `domain` (or a parent domain) as its scope. */
  findByDomain(domain: string): IdentityProvider | null {
    const d = domain.toLowerCase();
    return this.all().find((i) => i.scopes.some((s) => d === s || d.endsWith(`.${s}`))) ?? null;
  }

  /** Search-as-you-type: every word must appear in a name (any language), the entityID or a scope. */
  search(q: string, lang: string, limit = 50): IdentityProvider[] {
    const words = q.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').split(/\s+/).filter(Boolean);
    const hay = (i: IdentityProvider) =>
      [...Object.values(i.names), i.entityId, ...i.scopes].join(' ').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    return this.all()
      .filter((i) => words.every((w) => hay(i).includes(w)))
      .sort((a, b) => idpName(a, lang).localeCompare(idpName(b, lang), lang))
      .slice(0, limit);
  }

  /** Per source: the copy in use and the last refusal, for administrators. */
  async status(): Promise<{ source: string; idps: number; fetchedAt: Date | null; validUntil: Date | null; refreshAfter: Date | null; lastError: string | null; lastErrorAt: Date | null }[]> {
    const rows = await sql<{ source: string; fetched_at: Date; refresh_after: Date; last_error: string | null; last_error_at: Date | null; xml: string }>`
      SELECT source, fetched_at, refresh_after, last_error, last_error_at, xml FROM federation_metadata`.execute(this.db);
    return this.o.sources.map((source) => {
      const row = rows.rows.find((r) => r.source === source);
      const l = this.loaded.get(source);
      return {
        source,
        idps: l?.idps.length ?? 0,
        fetchedAt: row && row.xml !== '' ? row.fetched_at : null,
        validUntil: l?.validUntil ?? null,
        refreshAfter: row?.refresh_after ?? null,
        lastError: row?.last_error ?? null,
        lastErrorAt: row?.last_error_at ?? null,
      };
    });
  }

  private async reload(): Promise<void> {
    const rows = await sql<{ source: string; xml: string; fetched_at: Date; valid_until: Date | null }>`
      SELECT source, xml, fetched_at, valid_until FROM federation_metadata WHERE xml <> ''`.execute(this.db);
    const next = new Map<string, Loaded>();
    for (const r of rows.rows) {
      if (!this.o.sources.includes(r.source)) continue;
      const current = this.loaded.get(r.source);
      if (current && current.fetchedAt.getTime() === r.fetched_at.getTime()) {
        next.set(r.source, current);
        continue;
      }
      // The stored copy verified when it was fetched; verifying again guards against a changed row.
      try {
        const parsed = parseAggregate(verifyAggregate(r.xml, this.o.federationCertPem));
        next.set(r.source, { source: r.source, idps: parsed.idps, validUntil: r.valid_until, fetchedAt: r.fetched_at });
      } catch (e) {
        this.log.error({ metadataSource: r.source, reason: (e as Error).message }, 'stored federation metadata no longer verifies; ignoring it');
      }
    }
    this.loaded = next;
  }

  private async refresh(source: string, force: boolean): Promise<void> {
    await sql`INSERT INTO federation_metadata (source, xml, fetched_at, refresh_after)
              VALUES (${source}, '', 'epoch', 'epoch') ON CONFLICT (source) DO NOTHING`.execute(this.db);
    const lease = await sql<{ source: string }>`
      UPDATE federation_metadata SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
      WHERE source = ${source} AND (${force} OR refresh_after <= now()) AND (lease_until IS NULL OR lease_until < now())
      RETURNING source`.execute(this.db);
    if (lease.rows.length === 0) return;
    try {
      const xml = await fetchSource(source);
      const parsed = parseAggregate(verifyAggregate(xml, this.o.federationCertPem));
      if (parsed.validUntil && parsed.validUntil.getTime() <= Date.now()) {
        throw new MetadataError(`metadata validUntil ${parsed.validUntil.toISOString()} has passed`);
      }
      const maxMs = this.o.refreshMinutes * 60_000;
      let refreshMs = Math.min(parsed.cacheDurationMs ?? maxMs, maxMs);
      // Fetch again well before the copy expires.
      if (parsed.validUntil) refreshMs = Math.min(refreshMs, Math.max(60_000, (parsed.validUntil.getTime() - Date.now()) / 2));
      await sql`UPDATE federation_metadata SET xml = ${xml}, fetched_at = now(), valid_until = ${parsed.validUntil},
                  refresh_after = now() + make_interval(secs => ${Math.round(refreshMs / 1000)}), last_error = NULL, lease_until = NULL
                WHERE source = ${source}`.execute(this.db);
      this.log.info({ metadataSource: source, idps: parsed.idps.length, validUntil: parsed.validUntil }, 'federation metadata loaded');
    } catch (e) {
      const reason = (e as Error).message;
      await sql`UPDATE federation_metadata SET last_error = ${reason}, last_error_at = now(),
                  refresh_after = now() + make_interval(mins => ${RETRY_MINUTES}), lease_until = NULL
                WHERE source = ${source}`.execute(this.db);
      // metadataSource, not source: ECS's source is an object (the network peer).
      this.log.error({ event: 'saml.metadata.refused', metadataSource: source, reason }, `federation metadata refused (${reason}); the last good copy stays in use`);
    }
  }
}

async function fetchSource(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new MetadataError(`GET ${source} answered ${res.status}`);
    return res.text();
  }
  return readFile(source.replace(/^file:\/\//, ''), 'utf8');
}
