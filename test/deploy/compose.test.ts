// The compose file a university can run as is: Caddy with automatic HTTPS for its host name in
// front of two portals on PostgreSQL, a backup sidecar, no Asterisk. Docker is not run here: the
// file is checked as Compose reads it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const DEPLOY = join(import.meta.dirname, '../../deploy');
type Service = { image?: string; ports?: string[]; environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, unknown>; read_only?: boolean; entrypoint?: string[] };
const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const caddyfile = readFileSync(join(DEPLOY, 'caddy/Caddyfile'), 'utf8');

describe('the production compose file', () => {
  it('runs Caddy on 80 and 443 for SITE_ADDRESS in front of both portals, streaming live updates unbuffered', () => {
    const proxy = compose.services.proxy!;
    expect(proxy.image).toBe('caddy:2');
    expect(proxy.ports).toEqual(['${HTTP_PORT:-80}:80', '${HTTPS_PORT:-443}:443', '${HTTPS_PORT:-443}:443/udp']);
    expect(proxy.volumes).toContain('./caddy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(caddyfile).toMatch(/^\{\$SITE_ADDRESS:localhost\} \{$/m);
    expect(caddyfile).toMatch(/reverse_proxy portal-1:3000 portal-2:3000 \{[^}]*health_uri \/readyz[^}]*flush_interval -1/);
    expect(caddyfile).toMatch(/respond \/metrics 404/);
  });

  it('gives both portals PostgreSQL, the https address and a read-only root', () => {
    for (const name of ['portal-1', 'portal-2']) {
      const p = compose.services[name]!;
      expect(p.environment).toMatchObject({ PUBLIC_URL: '${PUBLIC_URL:-https://${SITE_ADDRESS:-localhost}}', TRUST_PROXY: 'true' });
      expect(p.environment!.DATABASE_URL).toMatch(/^postgres:\/\/webmeetings:.*@postgres:5432\/webmeetings$/);
      expect(p.read_only).toBe(true);
    }
  });

  it('backs PostgreSQL up with pg_dump in a sidecar, and has no Asterisk', () => {
    const backup = compose.services['postgres-backup']!;
    expect(backup.entrypoint).toEqual(['/bin/sh', '/backup.sh']);
    expect(backup.environment).toMatchObject({ PGHOST: 'postgres', PGDATABASE: 'webmeetings' });
    const script = readFileSync(join(DEPLOY, 'postgres/backup.sh'), 'utf8');
    expect(script).toMatch(/pg_dump -Fc -f "\$name\.partial"/);
    expect(spawnSync('sh', ['-n', join(DEPLOY, 'postgres/backup.sh')]).status).toBe(0);
    expect(Object.keys(compose.services).sort()).toEqual(['portal-1', 'portal-2', 'postgres', 'postgres-backup', 'proxy']);
    expect(JSON.stringify(compose)).not.toMatch(/ARI_URL|asterisk/i);
  });
});
