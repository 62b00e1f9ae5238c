// `npm run docs`, step 1: writes the generated pages (configuration and API reference, in both
// languages) before VitePress builds the site; exits 1 when a setting is undocumented.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPortal } from '../../src/portal.ts';
import { apiPage, type OpenApi } from './api-reference.ts';
import { configurationPage, readReadme, settingRows } from './configuration.ts';

const ROOT = join(import.meta.dirname, '../..');
const DOCS = join(ROOT, 'docs');

const { rows, problems } = settingRows(readReadme(join(ROOT, 'README.md')));
if (problems.length > 0) {
  console.error(`The configuration reference is incomplete:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const portal = await createPortal(loadConfig({ LOG_LEVEL: 'silent', PROVISIONING_TICK_SECONDS: '0', PROVISIONING_RECONCILE_MINUTES: '0' }), { memory: true, logger: pino({ level: 'silent' }) });
let openapi: OpenApi;
try {
  await portal.app.ready();
  openapi = portal.app.swagger() as unknown as OpenApi;
} finally {
  await portal.close();
}

for (const lang of ['it', 'en'] as const) {
  mkdirSync(join(DOCS, lang, 'operations'), { recursive: true });
  writeFileSync(join(DOCS, lang, 'operations', 'configuration.md'), configurationPage(rows, lang));
  writeFileSync(join(DOCS, lang, 'api.md'), apiPage(openapi, lang));
}
console.log(`docs: ${rows.length} settings and ${Object.keys(openapi.paths).length} API paths written in Italian and English`);
