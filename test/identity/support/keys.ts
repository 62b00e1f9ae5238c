// Key pairs and self-signed certificates made for the test run (node-forge), never committed keys.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export type KeyPair = { keyPem: string; certPem: string; certBase64: string };

export function makeKeyPair(commonName: string): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // A positive serial that is always minimal DER. With "'0' + random", a first random byte 00 followed
  // by one below 0x80 (about one certificate in 500) made a non-minimal INTEGER, which Node's
  // X509Certificate (and so xml-crypto and the portal's start-up check) refuses: a rare flaky test.
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { keyPem, certPem, certBase64: certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '') };
}
