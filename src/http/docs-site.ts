// The documentation site (docs/, built by `npm run docs`) at /docs, as the reference deployment
// shipped its guides inside the web app. Static, public, served from the brotli/gzip copies the
// build made. Without a build (or with a partial one, lacking the front page), /docs says how to
// make one rather than the portal failing to start.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { publicByDefault } from './access.ts';
import { allowInlineScripts, inlineScriptHashesOfSite } from './security.ts';

export const DOCS_DIST = fileURLToPath(new URL('../../docs/.vitepress/dist/', import.meta.url));

export async function docsSite(app: FastifyInstance, opts: { root?: string } = {}): Promise<void> {
  const root = opts.root ?? DOCS_DIST;
  await app.register(async (scope) => {
    // Every route of this scope is public documentation.
    publicByDefault(scope);
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      scope.get('/docs', async (_req, reply) => reply.code(404).type('text/plain').send('The documentation is not built: run npm run docs.'));
      return;
    }
    // VitePress pages carry small inline scripts (theme, page map): the CSP allows exactly those.
    allowInlineScripts(scope, inlineScriptHashesOfSite(root));
    await scope.register(fastifyStatic, { root, prefix: '/docs/', decorateReply: false, preCompressed: true, redirect: true, index: ['index.html'], maxAge: '1h' });
    // The router ignores trailing slashes, so this route also receives /docs/: answer that with the
    // site's front page (a redirect to itself would loop).
    const front = readFileSync(index);
    scope.get('/docs', async (req, reply) =>
      req.url.split('?')[0]!.endsWith('/') ? reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=3600').send(front) : reply.redirect('/docs/', 301),
    );
  });
}
