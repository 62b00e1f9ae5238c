// The documentation as code: the configuration reference covers every setting (a missing one
// fails the build), VitePress fails on a broken link, and the portal serves the built site at
// /docs, publicly and compressed.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { configurationPage, settingRows } from '../../scripts/docs/configuration.ts';
import { docsSite } from '../../src/http/docs-site.ts';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

describe('the configuration reference', () => {
  it('has every setting, with its default and meaning in English and Italian', () => {
    const { rows, problems } = settingRows(README);
    expect(problems).toEqual([]);
    const seat = rows.find((r) => r.names.includes('SEAT_POOL'))!;
    expect(seat).toMatchObject({ default: '`500`', accepts: '1–1000000' });
    expect(configurationPage(rows, 'it')).toContain('| `SEAT_POOL` | `500` | Posti di licenza su tutte le stanze in ogni istante | 1–1000000 |');
    expect(configurationPage(rows, 'en')).toContain('| `LOG_LEVEL` | `info` | `fatal` … `trace`, `silent` | `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent` |');
  });

  it('names a setting missing from the README table, which fails the build', () => {
    const without = README.split('\n').filter((l) => !l.startsWith('| `SEAT_POOL`')).join('\n');
    expect(settingRows(without).problems).toEqual(["SEAT_POOL is a setting (src/config.ts) but has no row in the README's configuration table"]);
  });
});

describe('the docs build', () => {
  it('fails on a link to a page that does not exist', async () => {
    const { build } = await import('vitepress');
    const dir = mkdtempSync(join(tmpdir(), 'wm-docs-'));
    writeFileSync(join(dir, 'index.md'), '# Home\n\n[the guide](./guide)\n');
    await expect(build(dir, { outDir: join(dir, 'dist') })).rejects.toThrow(/dead link/i);
  }, 180_000);
});

describe('/docs on the portal', () => {
  it('says how to build the documentation when the build lacks its front page, rather than failing to start', async () => {
    // What the image held when the build context left out docs/: the generated pages, no index.html.
    const root = mkdtempSync(join(tmpdir(), 'wm-docs-partial-'));
    mkdirSync(join(root, 'en'));
    writeFileSync(join(root, 'en', 'api.html'), '<html>API</html>');
    const app = Fastify();
    await docsSite(app, { root });
    try {
      const res = await app.inject({ url: '/docs' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe('The documentation is not built: run npm run docs.');
    } finally {
      await app.close();
    }
  });

  it('serves the built site to anyone, brotli-compressed when the browser takes it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wm-docs-dist-'));
    mkdirSync(join(root, 'en'));
    const page = `<html><body>${'Guida '.repeat(400)}</body></html>`;
    writeFileSync(join(root, 'index.html'), page);
    writeFileSync(join(root, 'index.html.br'), brotliCompressSync(page));
    writeFileSync(join(root, 'en', 'index.html'), '<html>English</html>');
    const app = Fastify();
    const declared: { config?: unknown }[] = [];
    app.addHook('onRoute', (r) => void declared.push(r));
    await docsSite(app, { root });
    try {
      const br = await app.inject({ url: '/docs/', headers: { 'accept-encoding': 'br' } });
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      const plain = await app.inject({ url: '/docs/' });
      expect(plain.body).toBe(page);
      expect((await app.inject({ url: '/docs/en/' })).body).toBe('<html>English</html>');
      expect((await app.inject({ url: '/docs' })).headers.location).toBe('/docs/');
      expect((await app.inject({ url: '/docs/missing.html' })).statusCode).toBe(404);
      expect(declared.length).toBeGreaterThan(0);
      for (const r of declared) expect(r.config).toMatchObject({ access: 'public' });
    } finally {
      await app.close();
    }
  });
});
