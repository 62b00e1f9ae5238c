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

export type SimpleSamlIdp = {
  baseUrl: string;
  entityId: string;
  metadataXml: string;
  certBase64: string;
  /** The process group of `php -S` and its workers (PHP_CLI_SERVER_WORKERS forks them). */
  processGroup: number;
  log(): string;
  /** Ends the whole process group: the workers outlive a signal to their parent alone. */
  stop(): Promise<void>;
};

/** Does any process of the group still exist? */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

async function stopGroup(pgid: number): Promise<void> {
  killGroup(pgid, 'SIGTERM');
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 50));
}

export async function startSimpleSamlIdp(sp: {
  entityId: string;
  acs: string;
  slo: string;
  certBase64: string;
  encrypt?: boolean;
  /** The certificate the IdP encrypts to, when not `certBase64` (an SP in key rollover). */
  encryptionCertBase64?: string;
}): Promise<SimpleSamlIdp> {
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
      WM_SP_ENCRYPTION_CERT: sp.encryptionCertBase64 ?? sp.certBase64,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stop() reaches the workers php forks, not only php itself.
    detached: true,
  });
  const processGroup = child.pid!;
  // If the test process ends without stop() (a crash, a timeout), the group must not outlive it.
  const onExit = () => killGroup(processGroup, 'SIGKILL');
  process.once('exit', onExit);
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
    await stopGroup(processGroup);
    process.off('exit', onExit);
    throw new Error(`SimpleSAMLphp did not serve its metadata at ${entityId}:\n${metadataXml.slice(0, 500)}\n${output.slice(-2000)}`);
  }
  return {
    baseUrl,
    entityId,
    metadataXml,
    certBase64: key.certBase64,
    processGroup,
    log: () => {
      const file = join(dir, 'simplesamlphp.log');
      return (existsSync(file) ? readFileSync(file, 'utf8') : '') + output;
    },
    async stop() {
      await stopGroup(processGroup);
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
