// Federated sign-in settings: a wrong value stops the start with a message that names the variable.
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
    expect(c.loginLimits).toEqual({ perAccount: 5, perAddress: 30, windowMinutes: 15 });
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
});
