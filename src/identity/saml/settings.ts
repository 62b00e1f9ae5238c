// Settings of the SAML service provider: the variables config.ts reads and what they become. SAML is
// on when SAML_METADATA_SOURCES is set. Keys and certificates are parsed here, at start: a key file
// that holds a certificate (or the reverse, which would publish the key in the metadata), or a
// certificate of another key, stops the start with a message that names the variables.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' });

export const SAML_ENV = {
  SAML_METADATA_SOURCES: z.string().optional(),
  SAML_FEDERATION_CERT_FILE: z.string().optional(),
  SAML_SP_KEY_FILE: z.string().optional(),
  SAML_SP_CERT_FILE: z.string().optional(),
  SAML_SP_NEXT_CERT_FILE: z.string().optional(),
  SAML_SP_NEXT_KEY_FILE: z.string().optional(),
  SAML_SP_ENTITY_ID: z.string().min(1).optional(),
  SAML_CLOCK_SKEW_SECONDS: intIn(0, 600).default(60),
  SAML_WANT_RESPONSE_SIGNED: bool.default(false),
  SAML_METADATA_REFRESH_MINUTES: intIn(1, 7 * 24 * 60).default(60),
  SAML_METADATA_POLL_SECONDS: intIn(1, 3600).default(60),
  SAML_SP_CONTACT_EMAIL: z.email().optional(),
  SAML_SP_SECURITY_CONTACT_EMAIL: z.email().optional(),
  SAML_SP_ORGANIZATION_NAME: z.string().trim().min(1).max(200).optional(),
  SAML_SP_ORGANIZATION_DISPLAY_NAME: z.string().trim().min(1).max(200).optional(),
  SAML_SP_ORGANIZATION_URL: webUrl.optional(),
  SAML_SP_PRIVACY_STATEMENT_URL: webUrl.optional(),
};

type Env = z.infer<z.ZodObject<typeof SAML_ENV>>;

export type SamlConfig = {
  metadataSources: string[];
  federationCertPem: string;
  spKeyPem: string;
  spCertPem: string;
  /** Key rollover: the next certificate, published beside the current one, and its key when given. */
  nextCertPem: string | null;
  nextKeyPem: string | null;
  entityId: string;
  clockSkewSeconds: number;
  wantResponseSigned: boolean;
  refreshMinutes: number;
  pollSeconds: number;
  contactEmail: string | null;
  securityContactEmail: string | null;
  organization: { name: string; displayName: string; url: string } | null;
  privacyStatementUrl: string | null;
};

type Fail = (message: string) => never;

export function samlConfig(e: Env, publicUrl: string, fail: Fail): SamlConfig | null {
  const sources = (e.SAML_METADATA_SOURCES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (sources.length === 0) return null;
  const files = new PemFiles(fail);
  const federationCertPem = files.certificate('SAML_FEDERATION_CERT_FILE', e.SAML_FEDERATION_CERT_FILE);
  const sp = files.keyPair('SAML_SP_KEY_FILE', e.SAML_SP_KEY_FILE, 'SAML_SP_CERT_FILE', e.SAML_SP_CERT_FILE);
  let next: { keyPem: string | null; certPem: string } | null = null;
  if (e.SAML_SP_NEXT_KEY_FILE) {
    if (!e.SAML_SP_NEXT_CERT_FILE) fail('Invalid configuration:\n  SAML_SP_NEXT_KEY_FILE needs SAML_SP_NEXT_CERT_FILE, the certificate of that key');
    next = files.keyPair('SAML_SP_NEXT_KEY_FILE', e.SAML_SP_NEXT_KEY_FILE, 'SAML_SP_NEXT_CERT_FILE', e.SAML_SP_NEXT_CERT_FILE);
  } else if (e.SAML_SP_NEXT_CERT_FILE) {
    next = { keyPem: null, certPem: files.certificate('SAML_SP_NEXT_CERT_FILE', e.SAML_SP_NEXT_CERT_FILE) };
  }
  if (next && new X509Certificate(next.certPem).fingerprint256 === new X509Certificate(sp.certPem).fingerprint256) {
    fail('Invalid configuration:\n  SAML_SP_NEXT_CERT_FILE is the current certificate (SAML_SP_CERT_FILE); the next one must differ');
  }
  // SAML metadata 2.3.2.1: an md:Organization has a name, a display name and a URL.
  const orgName = e.SAML_SP_ORGANIZATION_NAME;
  const orgUrl = e.SAML_SP_ORGANIZATION_URL;
  if ((orgName || e.SAML_SP_ORGANIZATION_DISPLAY_NAME || orgUrl) && !(orgName && orgUrl)) {
    fail('Invalid configuration:\n  SAML_SP_ORGANIZATION_NAME and SAML_SP_ORGANIZATION_URL go together (SAML_SP_ORGANIZATION_DISPLAY_NAME defaults to the name)');
  }
  return {
    metadataSources: sources,
    federationCertPem,
    spKeyPem: sp.keyPem,
    spCertPem: sp.certPem,
    nextCertPem: next?.certPem ?? null,
    nextKeyPem: next?.keyPem ?? null,
    entityId: e.SAML_SP_ENTITY_ID ?? `${publicUrl.replace(/\/$/, '')}/auth/saml/metadata`,
    clockSkewSeconds: e.SAML_CLOCK_SKEW_SECONDS,
    wantResponseSigned: e.SAML_WANT_RESPONSE_SIGNED,
    refreshMinutes: e.SAML_METADATA_REFRESH_MINUTES,
    pollSeconds: e.SAML_METADATA_POLL_SECONDS,
    contactEmail: e.SAML_SP_CONTACT_EMAIL ?? null,
    securityContactEmail: e.SAML_SP_SECURITY_CONTACT_EMAIL ?? null,
    organization: orgName && orgUrl ? { name: orgName, displayName: e.SAML_SP_ORGANIZATION_DISPLAY_NAME ?? orgName, url: orgUrl } : null,
    privacyStatementUrl: e.SAML_SP_PRIVACY_STATEMENT_URL ?? null,
  };
}

class PemFiles {
  private readonly fail: Fail;
  constructor(fail: Fail) {
    this.fail = fail;
  }

  private invalid(name: string, path: string, why: string): never {
    return this.fail(`Invalid configuration:\n  ${name}=${JSON.stringify(path)}: ${why}`);
  }

  private read(name: string, path: string | undefined): { path: string; pem: string } {
    if (!path) this.fail(`Invalid configuration:\n  ${name} is required when SAML_METADATA_SOURCES is set`);
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (e) {
      return this.invalid(name, path, (e as Error).message);
    }
    if (!pem.includes('-----BEGIN')) this.invalid(name, path, 'not a PEM file');
    return { path, pem };
  }

  /** A file that must hold certificates and nothing secret: what is in it may be published. */
  certificate(name: string, path: string | undefined, hint = ''): string {
    const f = this.read(name, path);
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(f.pem)) this.invalid(name, f.path, `holds a private key, which would be published in the metadata${hint}`);
    try {
      new X509Certificate(f.pem);
    } catch (e) {
      this.invalid(name, f.path, `is not a PEM X.509 certificate (${(e as Error).message})`);
    }
    return f.pem;
  }

  privateKey(name: string, path: string | undefined, hint = ''): { pem: string; key: KeyObject } {
    const f = this.read(name, path);
    if (f.pem.includes('CERTIFICATE-----')) this.invalid(name, f.path, `holds a certificate; it must hold only the private key${hint}`);
    try {
      return { pem: f.pem, key: createPrivateKey(f.pem) };
    } catch (e) {
      return this.invalid(name, f.path, `is not an unencrypted PEM private key (${(e as Error).message})`);
    }
  }

  keyPair(keyName: string, keyPath: string | undefined, certName: string, certPath: string | undefined): { keyPem: string; certPem: string } {
    const hint = ` (are ${keyName} and ${certName} swapped?)`;
    const key = this.privateKey(keyName, keyPath, hint);
    const certPem = this.certificate(certName, certPath, hint);
    if (!new X509Certificate(certPem).checkPrivateKey(key.key)) this.invalid(certName, certPath!, `is not the certificate of the private key in ${keyName}`);
    return { keyPem: key.pem, certPem };
  }
}
