// The example Asterisk configuration as an operator installs it: the commands of
// deploy/asterisk/README.md ("Install", step 3) render ari.conf and pjsip.conf with envsubst. Each
// secret must land on its `password =` line and nowhere else: not in a comment (issue #11: the
// comment of ari.conf that showed the command was rendered too, leaving the ARI password in it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIR = new URL('../../deploy/asterisk/', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'wm-asterisk-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const SECRETS = { ARI_PASSWORD: 'ari-9f8e7d6c5b4a', TRUNK_PASSWORD: 'trunk-0a1b2c3d4e', JIGASI_SIP_PASSWORD: 'jigasi-5f6e7d8c9b' };
const ENV = { ...SECRETS, TRUNK_HOST: 'sip.provider.example', TRUNK_USERNAME: 'wm-trunk', BBB_HOST: 'bbb.example.org', ADOBE_FMG_ADDRESSES: '192.0.2.21,192.0.2.22' };

/** The rendering lines of the README's install block, as written there (variable assignments too). */
function readmeCommands(): string[] {
  const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
  const install = readme.slice(readme.indexOf('## Install'));
  const block = /```sh\n([\s\S]*?)```/.exec(install)?.[1] ?? '';
  return block.split('\n').filter((l) => l.includes('envsubst') || /^\s*[A-Za-z_]+=/.test(l));
}

function render(): Map<string, string> {
  const commands = readmeCommands();
  expect(commands.some((c) => c.includes('envsubst')), 'the README renders the files with envsubst').toBe(true);
  const script = commands.map((c) => c.replaceAll('/etc/asterisk/', `${out}/`)).join('\n');
  execFileSync('bash', ['-euc', script], { cwd: DIR, env: { PATH: process.env.PATH, ...ENV } });
  return new Map(['ari.conf', 'pjsip.conf'].map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

const lines = (text: string) => text.split('\n');
const isComment = (line: string) => line.trim().startsWith(';');

describe('the README’s envsubst commands', () => {
  let rendered: Map<string, string>;
  beforeAll(() => {
    rendered = render();
  });

  it('put the ARI password on the password line of ari.conf and nowhere else', () => {
    const ari = rendered.get('ari.conf')!;
    expect(lines(ari).filter((l) => l.includes(SECRETS.ARI_PASSWORD))).toEqual([`password = ${SECRETS.ARI_PASSWORD}`]);
    expect(ari).not.toContain('${ARI_PASSWORD}');
  });

  it('put the trunk and Jigasi passwords on their lines of pjsip.conf, fill every placeholder, and leave comments alone', () => {
    const pjsip = rendered.get('pjsip.conf')!;
    expect(lines(pjsip).filter((l) => l.includes(SECRETS.TRUNK_PASSWORD))).toEqual([`password = ${SECRETS.TRUNK_PASSWORD}`]);
    expect(lines(pjsip).filter((l) => l.includes(SECRETS.JIGASI_SIP_PASSWORD))).toEqual([`password = ${SECRETS.JIGASI_SIP_PASSWORD}`]);
    expect(lines(pjsip).filter((l) => !isComment(l) && /\$\{?[A-Z_]+/.test(l))).toEqual([]);
    expect(pjsip).toContain(`server_uri = sip:${ENV.TRUNK_HOST}`);
    expect(pjsip).toContain(`match = ${ENV.ADOBE_FMG_ADDRESSES}`);
  });

  it('change no comment: every comment line reads as in the repository', () => {
    for (const [file, text] of rendered) {
      const source = readFileSync(join(DIR, file), 'utf8');
      expect(lines(text).filter(isComment), file).toEqual(lines(source).filter(isComment));
      for (const secret of Object.values(SECRETS)) expect(lines(text).filter((l) => isComment(l) && l.includes(secret)), `${file}: ${secret}`).toEqual([]);
    }
  });
});
