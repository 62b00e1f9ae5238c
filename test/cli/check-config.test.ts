// `webmeetings check-config` run as an operator runs it, against real peers: the database (PGlite
// in a data folder, or PostgreSQL), an SMTP server, the ARI double, the Adobe Connect and
// BigBlueButton doubles, a signed federation aggregate (a file and one served over HTTP) and an
// OpenID Connect discovery document. All reachable: exit 0, one `ok` line each with its detail.
// One down: exit 1, that line FAILED with what went wrong, the others still ok. A wrong setting: exit 2.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { AriDouble } from '../doubles/ari/index.ts';
import { ASTERISK_VERSION } from '../doubles/ari/rest.ts';
import { AdobeConnectDouble } from '../doubles/adobe-connect.ts';
import { BigBlueButtonDouble } from '../doubles/bigbluebutton.ts';
import { makeKeyPair } from '../identity/support/keys.ts';
import { aggregateXml, signAggregate, type TestIdp } from '../identity/support/metadata.ts';
import { samlEnv } from '../identity/support/saml-env.ts';
import { SmtpPeer } from '../notify/smtp-peer.ts';
import { onPostgres, openTestDatabase, type TestDatabase } from '../support/database.ts';
import { runCli, tempDir } from './support.ts';

const idp = (n: number): TestIdp => ({
  entityId: `https://idp${n}.example.org/idp/shibboleth`,
  names: { it: `Ateneo ${n}`, en: `University ${n}` },
  scopes: [`uni${n}.example.org`],
  ssoRedirect: `https://idp${n}.example.org/sso`,
  certBase64: makeKeyPair(`idp${n}`).certBase64,
});

let dir: string;
let pg: TestDatabase | null = null;
let smtp: SmtpPeer;
let ari: AriDouble;
let adobe: AdobeConnectDouble;
let bbb: BigBlueButtonDouble;
let http: Server;
let httpUrl: string;
let served = '';
let issuer: string;
let env: Record<string, string>;

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

beforeAll(async () => {
  dir = tempDir('check-config');
  if (onPostgres) pg = await openTestDatabase();
  else {
    // The portal has run here before: a data folder with the schema in place.
    const database = await openDatabase({ dataDir: join(dir, 'data') });
    await migrate(database.db);
    await database.close();
  }
  smtp = new SmtpPeer();
  await smtp.start();
  ari = await AriDouble.start();
  adobe = new AdobeConnectDouble();
  await adobe.http.start();
  bbb = new BigBlueButtonDouble();
  await bbb.http.start();
  // One server plays the OpenID provider's discovery and the federation's metadata address.
  http = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/federation.xml') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(served);
    } else res.writeHead(404).end();
  });
  httpUrl = `http://127.0.0.1:${await listen(http)}`;
  issuer = httpUrl;
  const fed = makeKeyPair('federation');
  const saml = samlEnv([idp(1), idp(2)], fed);
  served = signAggregate(aggregateXml([idp(3)]), fed);
  env = {
    ...(pg ? { DATABASE_URL: pg.url! } : { DATA_DIR: join(dir, 'data') }),
    PUBLIC_URL: 'https://portal.example.org',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'WebMeetings <noreply@example.org>',
    ARI_URL: ari.url,
    ARI_USERNAME: ari.username,
    ARI_PASSWORD: ari.password,
    SIP_DOMAIN: 'audio.example.org',
    ADOBE_CONNECT_URL: adobe.http.baseUrl,
    ADOBE_CONNECT_LOGIN: adobe.admin.login,
    ADOBE_CONNECT_PASSWORD: adobe.admin.password!,
    BBB_URL: bbb.apiUrl,
    BBB_SECRET: bbb.secret,
    PROVIDER_TIMEOUT_MS: '3000',
    ...saml,
    SAML_METADATA_SOURCES: `${saml.SAML_METADATA_SOURCES},${httpUrl}/federation.xml`,
    OIDC_PROVIDERS: JSON.stringify([{ id: 'campus', name: 'Campus login', issuer, clientId: 'webmeetings', clientSecret: 'secret' }]),
    OIDC_ALLOW_HTTP: 'true',
  };
}, 120_000);

afterAll(async () => {
  await Promise.all([smtp?.stop(), ari?.close(), adobe?.http.stop(), bbb?.http.stop(), http && new Promise((r) => http.close(r))]);
  await pg?.drop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dirname(env.SAML_FEDERATION_CERT_FILE!), { recursive: true, force: true });
});

/** The output line of each check, by the start of its name. */
function line(stdout: string, name: string): string {
  const l = stdout.split('\n').find((x) => x.startsWith(name));
  expect(l, `a line for ${name} in:\n${stdout}`).toBeDefined();
  return l!;
}

const NAMES = ['settings', 'database', 'mail (SMTP)', 'telephony (ARI)', 'conferencing: adobe-connect (default)', 'conferencing: bigbluebutton', 'conferencing: jitsi', 'federation metadata /', 'federation metadata http', 'OpenID Connect: campus'];

describe('webmeetings check-config', () => {
  it('everything reachable: exit 0 and one ok line per service with what it found', async () => {
    const r = await runCli(['check-config'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const n of NAMES) expect(line(r.stdout, n), n).toMatch(/ ok: /);
    expect(line(r.stdout, 'settings')).toContain('https://portal.example.org');
    expect(line(r.stdout, 'database')).toMatch(onPostgres ? /PostgreSQL 1\d\.\d+.* at 127\.0\.0\.1:5432, schema version \d+, up to date/ : /embedded PGlite in .*data, schema version \d+, up to date/);
    expect(line(r.stdout, 'mail (SMTP)')).toContain(`127.0.0.1:${smtp.port} accepts the portal's sign-in and mail from WebMeetings <noreply@example.org>`);
    expect(line(r.stdout, 'telephony (ARI)')).toContain(`Asterisk ${ASTERISK_VERSION} at ${new URL(ari.url).host}, Stasis application "webmeetings"`);
    expect(line(r.stdout, 'conferencing: adobe-connect')).toContain("Adobe Connect answers and accepts the portal's login.");
    expect(line(r.stdout, 'conferencing: bigbluebutton')).toContain('BigBlueButton answers and accepts the checksum.');
    expect(line(r.stdout, 'federation metadata /')).toMatch(/signed by the federation's certificate, 2 identity providers, valid until \d{4}-\d\d-\d\d/);
    expect(line(r.stdout, 'federation metadata http')).toMatch(/signed by the federation's certificate, 1 identity providers/);
    expect(line(r.stdout, 'OpenID Connect: campus')).toContain(`discovery document of ${issuer} found`);
    expect(r.stdout).toContain(`All ${NAMES.length - 1} checks passed.`);
  }, 180_000);

  it('one service down: exit 1, its line FAILED with what went wrong, the others still ok', async () => {
    // SMTP on a closed port.
    const closed = new SmtpPeer();
    await closed.start();
    const closedUrl = closed.url;
    await closed.stop();
    let r = await runCli(['check-config'], { env: { ...env, SMTP_URL: closedUrl } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(line(r.stdout, 'mail (SMTP)')).toMatch(/FAILED: .*ECONNREFUSED/);
    for (const n of NAMES.filter((x) => x !== 'mail (SMTP)')) expect(line(r.stdout, n), n).toMatch(/ ok: /);
    expect(r.stdout).toContain(`1 of ${NAMES.length - 1} checks failed.`);

    // A provider double stopped (connection refused), then started again on its port.
    await bbb.http.stop();
    try {
      r = await runCli(['check-config'], { env });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(line(r.stdout, 'conferencing: bigbluebutton')).toMatch(/FAILED: BigBlueButton could not be reached \(ECONNREFUSED\)/);
      for (const n of NAMES.filter((x) => x !== 'conferencing: bigbluebutton')) expect(line(r.stdout, n), n).toMatch(/ ok: /);
    } finally {
      await bbb.http.start();
    }

    // A metadata file signed by another key.
    const other = join(dir, 'other.xml');
    writeFileSync(other, signAggregate(aggregateXml([idp(4)]), makeKeyPair('impostor')));
    r = await runCli(['check-config'], { env: { ...env, SAML_METADATA_SOURCES: `${other},${httpUrl}/federation.xml` } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(line(r.stdout, 'federation metadata /')).toMatch(/FAILED: .*sign/i);
    for (const n of NAMES.filter((x) => x !== 'federation metadata /')) expect(line(r.stdout, n), n).toMatch(/ ok: /);
  }, 400_000);

  it('names the optional services left unset, without failing for them', async () => {
    const bare = Object.fromEntries(Object.entries(env).filter(([k]) => !/^(SMTP_|MAIL_|ARI_|SIP_|SAML_|OIDC_)/.test(k)));
    const r = await runCli(['check-config'], { env: bare });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(line(r.stdout, 'mail (SMTP)')).toBe('mail (SMTP)  off: SMTP_URL is not set: mails are written to the log instead of being sent');
    expect(line(r.stdout, 'telephony (ARI)')).toBe('telephony (ARI)  off: ARI_URL is not set: bookings have no dial-in by phone');
    expect(line(r.stdout, 'sign-in with an institution')).toContain('off: neither SAML_METADATA_SOURCES nor OIDC_PROVIDERS is set');
    expect(r.stdout).toMatch(/All \d+ checks passed\./);
    // Where they are set, no such line: the full configuration's run above has an ok line for each.
    const full = await runCli(['check-config'], { env });
    expect(full.stdout).not.toContain(' off: ');
  }, 180_000);

  it('a wrong setting: exit 2 naming it, and nothing is reached', async () => {
    const before = smtp.inbox.length;
    const r = await runCli(['check-config'], { env: { ...env, SMTP_URL: 'http://mail.example.org' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SMTP_URL="http://mail.example.org": must be an smtp:// or smtps:// URL');
    expect(r.stdout).not.toMatch(/ ok: /);
    expect(smtp.inbox.length).toBe(before);

    const half = await runCli(['check-config'], { env: { ...env, BBB_SECRET: '' } });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('BBB_URL and BBB_SECRET must be set together');
  }, 180_000);
});
