// SimpleSAMLphp from Debian as a real IdP: PHP's built-in server on a loopback port, our own
// configuration (test/identity/idp/), keys made for the run. Facts in shared/reference/test-peers.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeKeyPair } from './keys.ts';
import { freePort } from './portal.ts';

const SSP_WWW = '/usr/share/simplesamlphp/www';
const PHP = '/usr/bin/php';
const CONFIG_DIR = fileURLToPath(new URL('../idp/config/', import.meta.url));

export const hasSimpleSamlPhp = existsSync(PHP) && existsSync(SSP_WWW);

export type SimpleSamlIdp = { baseUrl: string; entityId: string; metadataXml: string; certBase64: string; log(): string; stop(): Promise<void> };

export async function startSimpleSamlIdp(sp: { entityId: string; acs: string; slo: string; certBase64: string; encrypt?: boolean }): Promise<SimpleSamlIdp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'wm-ssp-'));
  mkdirSync(join(dir, 'tmp'));
  mkdirSync(join(dir, 'docroot'));
  symlinkSync(SSP_WWW, join(dir, 'docroot', 'simplesaml'));
  const key = makeKeyPair('simplesamlphp-test-idp');
  writeFileSync(join(dir, 'idp.key'), key.keyPem);
  writeFileSync(join(dir, 'idp.crt'), key.certPem);
  const child: ChildProcess = spawn(PHP, ['-S', `127.0.0.1:${port}`, '-t', join(dir, 'docroot')], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PHP_CLI_SERVER_WORKERS: '4',
      SIMPLESAMLPHP_CONFIG_DIR: CONFIG_DIR,
      WM_IDP_BASEURL: `${baseUrl}/simplesaml/`,
      WM_IDP_DIR: dir,
      WM_IDP_SALT: `salt-${Date.now()}-${Math.random()}`,
      WM_SP_ENTITY_ID: sp.entityId,
      WM_SP_HOSTPORT: new URL(sp.entityId).host,
      WM_SP_ACS: sp.acs,
      WM_SP_SLO: sp.slo,
      WM_SP_CERT: sp.certBase64,
      WM_SP_ENCRYPT: sp.encrypt ? 'true' : 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const entityId = `${baseUrl}/simplesaml/saml2/idp/metadata.php`;
  let metadataXml = '';
  for (let i = 0; i < 100 && !metadataXml; i++) {
    try {
      const res = await fetch(entityId);
      if (res.ok) metadataXml = await res.text();
    } catch {
      /* not listening yet */
    }
    if (!metadataXml) await new Promise((r) => setTimeout(r, 100));
  }
  if (!metadataXml.includes('IDPSSODescriptor')) {
    child.kill();
    throw new Error(`SimpleSAMLphp did not serve its metadata at ${entityId}:\n${metadataXml.slice(0, 500)}\n${output.slice(-2000)}`);
  }
  return {
    baseUrl,
    entityId,
    metadataXml,
    certBase64: key.certBase64,
    log: () => {
      const file = join(dir, 'simplesamlphp.log');
      return (existsSync(file) ? readFileSync(file, 'utf8') : '') + output;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
