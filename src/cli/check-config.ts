// `webmeetings check-config`: validates the settings, then reaches each configured service and
// prints what works and what does not, one line each. Exit code 1 when something failed, so it can
// gate a deployment (the Helm chart's migration job, CI, a systemd ExecStartPre).
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import { loadConfig, type Config } from '../config.ts';
import { DatabaseInUseError, dataDirOwner, openDatabase } from '../db/database.ts';
import { pendingMigrations, schemaVersion } from '../db/migrate.ts';
import { parseAggregate, verifyAggregate } from '../identity/saml/federation-metadata.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import { AriRest } from '../telephony/ari/client.ts';
import { systemClock } from '../portal.ts';

export type CheckResult = { name: string; ok: boolean; detail: string };
type Check = { name: string; run(): Promise<string> };

const TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${what} within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

export function configuredChecks(config: Config): Check[] {
  const checks: Check[] = [];
  checks.push({
    name: 'database',
    async run() {
      if (!config.databaseUrl) {
        const owner = dataDirOwner(config.dataDir);
        if (owner !== null) return `embedded database in ${config.dataDir}, in use by the running portal (process ${owner}); not opened`;
      }
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 }).catch((e: unknown) => {
        throw e instanceof DatabaseInUseError ? new Error(e.message) : e;
      });
      try {
        const { rows } = await database.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v");
        const pending = await pendingMigrations(database.db);
        const version = await schemaVersion(database.db);
        const where = config.databaseUrl ? `PostgreSQL ${rows[0]?.v} at ${hostOf(config.databaseUrl)}` : `embedded PGlite in ${config.dataDir}`;
        return `${where}, schema version ${version}${pending.length ? `, ${pending.length} migration(s) to apply at start` : ', up to date'}`;
      } finally {
        await database.close();
      }
    },
  });
  if (config.mail.smtpUrl) {
    const url = config.mail.smtpUrl;
    checks.push({
      name: 'mail (SMTP)',
      async run() {
        const transport = nodemailer.createTransport(url);
        try {
          await transport.verify();
          return `${hostOf(url)} accepts the portal's sign-in and mail from ${config.mail.from}`;
        } finally {
          transport.close();
        }
      },
    });
  }
  const t = config.telephony;
  if (t) {
    checks.push({
      name: 'telephony (ARI)',
      async run() {
        const info = await new AriRest(t.ari, TIMEOUT_MS).request<{ system?: { version?: string } }>('GET', '/asterisk/info');
        return `Asterisk ${info?.system?.version ?? '(version not reported)'} at ${hostOf(t.ari.url)}, Stasis application "${t.ari.app}"`;
      },
    });
  }
  const registry = new ProviderRegistry(config.provisioning.providers, systemClock, {}, { publicUrl: config.publicUrl });
  for (const p of registry.all()) {
    checks.push({
      name: `conferencing: ${p.name}${p.name === registry.defaultName ? ' (default)' : ''}`,
      async run() {
        const h = await p.provider.health();
        if (!h.ok) throw new Error(h.detail);
        return h.detail;
      },
    });
  }
  const saml = config.saml;
  if (saml) {
    for (const source of saml.metadataSources) {
      checks.push({
        name: `federation metadata ${source.length > 50 ? `…${source.slice(-50)}` : source}`,
        async run() {
          const xml = /^https?:\/\//.test(source) ? await (await fetch(source, { signal: AbortSignal.timeout(TIMEOUT_MS) })).text() : await readFile(source, 'utf8');
          const parsed = parseAggregate(verifyAggregate(xml, saml.federationCertPem));
          if (parsed.validUntil && parsed.validUntil.getTime() < Date.now()) throw new Error(`signed, but expired on ${parsed.validUntil.toISOString()}`);
          return `signed by the federation's certificate, ${parsed.idps.length} identity providers${parsed.validUntil ? `, valid until ${parsed.validUntil.toISOString().slice(0, 10)}` : ''}`;
        },
      });
    }
  }
  for (const op of config.oidc.providers) {
    checks.push({
      name: `OpenID Connect: ${op.id}`,
      async run() {
        const res = await fetch(`${op.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!res.ok) throw new Error(`discovery document answered ${res.status}`);
        const doc = (await res.json()) as { issuer?: string };
        if (doc.issuer !== op.issuer) throw new Error(`discovery names the issuer ${doc.issuer}, not ${op.issuer}`);
        return `discovery document of ${op.issuer} found`;
      },
    });
  }
  return checks;
}

export async function runChecks(config: Config): Promise<CheckResult[]> {
  return Promise.all(
    configuredChecks(config).map(async (c) => {
      try {
        return { name: c.name, ok: true, detail: await withTimeout(c.run(), c.name) };
      } catch (e) {
        return { name: c.name, ok: false, detail: (e as Error).message };
      }
    }),
  );
}

/**
 * The optional services left unset: not a failure (the portal runs without them), but an operator
 * checking a deployment should read that, say, no mail will leave it.
 */
export function unconfigured(config: Config): Array<[string, string]> {
  const off: Array<[string, string]> = [];
  if (!config.mail.smtpUrl) off.push(['mail (SMTP)', 'SMTP_URL is not set: mails are written to the log instead of being sent']);
  if (!config.telephony) off.push(['telephony (ARI)', 'ARI_URL is not set: bookings have no dial-in by phone']);
  if (!config.saml && config.oidc.providers.length === 0) {
    off.push(['sign-in with an institution', 'neither SAML_METADATA_SOURCES nor OIDC_PROVIDERS is set: people sign in with a password of this portal only']);
  }
  return off;
}

export async function run(): Promise<number> {
  const config = loadConfig(); // a ConfigError names every wrong setting and exits with 2
  console.log(`settings    ok: valid; the portal answers at ${config.publicUrl}`);
  const results = await runChecks(config);
  for (const r of results) console.log(`${r.name.padEnd(10)}  ${r.ok ? 'ok' : 'FAILED'}: ${r.detail}`);
  for (const [name, detail] of unconfigured(config)) console.log(`${name.padEnd(10)}  off: ${detail}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed ? `${failed} of ${results.length} checks failed.` : `All ${results.length} checks passed.`);
  return failed ? 1 : 0;
}
