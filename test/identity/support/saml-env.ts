// Files and settings for a portal whose federation is the given test IdPs (keys made for the run).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeKeyPair, type KeyPair } from './keys.ts';
import { aggregateXml, signAggregate, type TestIdp } from './metadata.ts';

export function samlEnv(idps: TestIdp[], fed: KeyPair = makeKeyPair('federation')): Record<string, string> {
  const sp = makeKeyPair('sp');
  const dir = mkdtempSync(join(tmpdir(), 'wm-saml-'));
  writeFileSync(join(dir, 'fed.pem'), fed.certPem);
  writeFileSync(join(dir, 'sp.key'), sp.keyPem);
  writeFileSync(join(dir, 'sp.pem'), sp.certPem);
  writeFileSync(join(dir, 'aggregate.xml'), signAggregate(aggregateXml(idps), fed));
  return {
    SAML_METADATA_SOURCES: join(dir, 'aggregate.xml'),
    SAML_FEDERATION_CERT_FILE: join(dir, 'fed.pem'),
    SAML_SP_KEY_FILE: join(dir, 'sp.key'),
    SAML_SP_CERT_FILE: join(dir, 'sp.pem'),
  };
}
