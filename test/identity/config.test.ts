// Federated sign-in settings: a wrong value stops the start with a message that names the variable.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { makeKeyPair } from './support/keys.ts';

describe('federated sign-in configuration', () => {
  it('is off without metadata sources, and OIDC without providers', () => {
    const c = loadConfig({});
    expect(c.saml).toBeNull();
    expect(c.oidc.providers).toEqual([]);
    expect(c.loginLimits).toEqual({ freeFailures: 3, baseDelaySeconds: 5, maxDelaySeconds: 900, accountMaxDelaySeconds: 60, familiarDays: 30, perAddress: 30, windowMinutes: 60 });
  });

  it('names the missing or unreadable key files', () => {
    expect(() => loadConfig({ SAML_METADATA_SOURCES: 'https://md.idem.garr.it/metadata/idem-test-metadata-sha256.xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ SAML_METADATA_SOURCES: 'x.xml' })).toThrow(/SAML_FEDERATION_CERT_FILE is required/);
    expect(() => loadConfig({ SAML_METADATA_SOURCES: 'x.xml', SAML_FEDERATION_CERT_FILE: '/nonexistent.pem' })).toThrow(/SAML_FEDERATION_CERT_FILE="\/nonexistent.pem"/);
  });

  it('reads the SP and federation certificates and derives the entityID from PUBLIC_URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-cfg-'));
    const k = makeKeyPair('sp');
    writeFileSync(join(dir, 'key.pem'), k.keyPem);
    writeFileSync(join(dir, 'cert.pem'), k.certPem);
    const c = loadConfig({
      PUBLIC_URL: 'https://meet.example.org/',
      SAML_METADATA_SOURCES: 'https://md.example.org/a.xml, /etc/wm/b.xml',
      SAML_FEDERATION_CERT_FILE: join(dir, 'cert.pem'),
      SAML_SP_KEY_FILE: join(dir, 'key.pem'),
      SAML_SP_CERT_FILE: join(dir, 'cert.pem'),
    });
    expect(c.saml?.metadataSources).toEqual(['https://md.example.org/a.xml', '/etc/wm/b.xml']);
    expect(c.saml?.entityId).toBe('https://meet.example.org/auth/saml/metadata');
    expect(c.saml?.spKeyPem).toContain('PRIVATE KEY');
  });

  it('validates OIDC_PROVIDERS', () => {
    expect(() => loadConfig({ OIDC_PROVIDERS: 'not json' })).toThrow(/OIDC_PROVIDERS: is not JSON/);
    expect(() => loadConfig({ OIDC_PROVIDERS: '[{"id":"Bad Id","name":"x","issuer":"https://op.example.org","clientId":"c"}]' })).toThrow(/OIDC_PROVIDERS: 0.id/);
    const c = loadConfig({ OIDC_PROVIDERS: '[{"id":"campus","name":"Campus","issuer":"https://op.example.org","clientId":"c"}]' });
    expect(c.oidc.providers[0]).toMatchObject({ id: 'campus', scope: 'openid email profile' });
  });

  describe('the SP key and certificates (issue #11: swapped files published the private key)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-cfg-keys-'));
    const sp = makeKeyPair('sp');
    const next = makeKeyPair('sp-next');
    const fed = makeKeyPair('federation');
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const files = {
      key: file('sp.key', sp.keyPem),
      cert: file('sp.pem', sp.certPem),
      nextKey: file('next.key', next.keyPem),
      nextCert: file('next.pem', next.certPem),
      fed: file('fed.pem', fed.certPem),
      both: file('both.pem', sp.certPem + sp.keyPem),
      encrypted: file('encrypted.key', createPrivateKey(sp.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString()),
    };
    const env = (over: Record<string, string>) => ({
      SAML_METADATA_SOURCES: 'https://md.example.org/a.xml',
      SAML_FEDERATION_CERT_FILE: files.fed,
      SAML_SP_KEY_FILE: files.key,
      SAML_SP_CERT_FILE: files.cert,
      ...over,
    });

    it('refuses to start with the key and certificate files swapped, naming both', () => {
      expect(() => loadConfig(env({ SAML_SP_KEY_FILE: files.cert, SAML_SP_CERT_FILE: files.key }))).toThrow(
        /SAML_SP_KEY_FILE=".*sp\.pem": holds a certificate; it must hold only the private key \(are SAML_SP_KEY_FILE and SAML_SP_CERT_FILE swapped\?\)/,
      );
      expect(() => loadConfig(env({ SAML_SP_CERT_FILE: files.key }))).toThrow(/SAML_SP_CERT_FILE=".*sp\.key": holds a private key, which would be published in the metadata/);
    });

    it('refuses a certificate file that also holds the key, and a federation "certificate" that is a key', () => {
      expect(() => loadConfig(env({ SAML_SP_CERT_FILE: files.both }))).toThrow(/SAML_SP_CERT_FILE=.*holds a private key/);
      expect(() => loadConfig(env({ SAML_FEDERATION_CERT_FILE: files.key }))).toThrow(/SAML_FEDERATION_CERT_FILE=.*holds a private key/);
    });

    it('refuses a certificate that is not the key’s, and a key it cannot read', () => {
      expect(() => loadConfig(env({ SAML_SP_CERT_FILE: files.nextCert }))).toThrow(/SAML_SP_CERT_FILE=.*is not the certificate of the private key in SAML_SP_KEY_FILE/);
      expect(() => loadConfig(env({ SAML_SP_KEY_FILE: files.encrypted }))).toThrow(/SAML_SP_KEY_FILE=.*is not an unencrypted PEM private key/);
    });

    it('takes a next certificate for key rollover, alone or with its key, checked the same way', () => {
      expect(loadConfig(env({ SAML_SP_NEXT_CERT_FILE: files.nextCert })).saml).toMatchObject({ nextCertPem: next.certPem, nextKeyPem: null });
      expect(loadConfig(env({ SAML_SP_NEXT_CERT_FILE: files.nextCert, SAML_SP_NEXT_KEY_FILE: files.nextKey })).saml).toMatchObject({ nextCertPem: next.certPem, nextKeyPem: next.keyPem });
      expect(() => loadConfig(env({ SAML_SP_NEXT_CERT_FILE: files.nextKey }))).toThrow(/SAML_SP_NEXT_CERT_FILE=.*holds a private key/);
      expect(() => loadConfig(env({ SAML_SP_NEXT_CERT_FILE: files.cert, SAML_SP_NEXT_KEY_FILE: files.nextKey }))).toThrow(/SAML_SP_NEXT_CERT_FILE=.*is not the certificate of the private key in SAML_SP_NEXT_KEY_FILE/);
      expect(() => loadConfig(env({ SAML_SP_NEXT_KEY_FILE: files.nextKey }))).toThrow(/SAML_SP_NEXT_KEY_FILE needs SAML_SP_NEXT_CERT_FILE/);
      expect(() => loadConfig(env({ SAML_SP_NEXT_CERT_FILE: files.cert }))).toThrow(/SAML_SP_NEXT_CERT_FILE is the current certificate/);
    });

    it('validates the organisation, privacy statement and security contact settings', () => {
      const c = loadConfig(
        env({
          SAML_SP_ORGANIZATION_NAME: 'Consorzio Esempio',
          SAML_SP_ORGANIZATION_URL: 'https://www.example.org/',
          SAML_SP_PRIVACY_STATEMENT_URL: 'https://meet.example.org/privacy',
          SAML_SP_SECURITY_CONTACT_EMAIL: 'cert@example.org',
        }),
      );
      expect(c.saml).toMatchObject({
        organization: { name: 'Consorzio Esempio', displayName: 'Consorzio Esempio', url: 'https://www.example.org/' },
        privacyStatementUrl: 'https://meet.example.org/privacy',
        securityContactEmail: 'cert@example.org',
      });
      expect(() => loadConfig(env({ SAML_SP_ORGANIZATION_NAME: 'Consorzio Esempio' }))).toThrow(/SAML_SP_ORGANIZATION_NAME and SAML_SP_ORGANIZATION_URL go together/);
      expect(() => loadConfig(env({ SAML_SP_PRIVACY_STATEMENT_URL: 'javascript:alert(1)' }))).toThrow(/SAML_SP_PRIVACY_STATEMENT_URL/);
      expect(() => loadConfig(env({ SAML_SP_SECURITY_CONTACT_EMAIL: 'not-an-address' }))).toThrow(/SAML_SP_SECURITY_CONTACT_EMAIL/);
    });
  });
});
