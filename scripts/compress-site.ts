// Brotli and gzip copies beside each text file of a built site (`node scripts/compress-site.ts <dir>`),
// so the portal serves it compressed without compressing on every request (@fastify/static's
// `preCompressed`): the web app after `npm run build:web`, the documentation after `npm run docs`.
// Compressing the app's main bundle per answer cost ~13 ms of CPU (brotli at quality 4) for each
// browser that did not have it yet: everyone at once after a deploy (bench/RESULTS.md, issue #13).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/compress-site.ts <directory of a built site>');
const br = promisify(brotliCompress);
const gz = promisify(gzip);

const files: string[] = [];
const walk = (d: string) => {
  for (const name of readdirSync(d)) {
    const path = join(d, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(html|js|css|json|svg|xml|txt|map)$/.test(name) && statSync(path).size > 1024) files.push(path);
  }
};
walk(resolve(dir));
// zlib's asynchronous calls run on libuv's thread pool: the files are compressed side by side.
await Promise.all(
  files.map(async (path) => {
    const body = readFileSync(path);
    const [b, g] = await Promise.all([br(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }), gz(body, { level: 9 })]);
    writeFileSync(`${path}.br`, b);
    writeFileSync(`${path}.gz`, g);
  }),
);
console.log(`${dir}: ${files.length} files compressed`);
