// .gitlab-ci.yml: valid for GitLab (its CI JSON schema, vendored in schemas/gitlab-ci.json) and
// running the same commands as .ci/run, so a green pipeline on GitLab and a green CI here mean
// the same thing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pipeline = parse(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8')) as Record<string, { stage?: string; script?: string[]; rules?: { if?: string; when?: string }[]; services?: unknown[]; extends?: string }> & { stages: string[] };
const ciRun = readFileSync(join(ROOT, '.ci/run'), 'utf8');
const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'schemas/gitlab-ci.json'), 'utf8')) as object;

/** The project commands in a text, without their arguments after `--`: npm ci/test/run X, bash scripts/…. */
const commands = (text: string) => new Set([...text.matchAll(/\b(npm (?:ci|test|run [\w:-]+)|bash scripts\/[\w.-]+)/g)].map((m) => m[1]!));

const jobs = Object.entries(pipeline).filter(([name, v]) => !name.startsWith('.') && typeof v === 'object' && v !== null && 'script' in v) as [string, { stage?: string }][];

describe('the GitLab pipeline', () => {
  it("is valid against GitLab's CI schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(pipeline), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('has a schema that refuses a broken pipeline', () => {
    const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
    expect(validate({ ...pipeline, lint: { stage: 'test', script: 42 } })).toBe(false);
  });

  it('has the stages of the reference deployment, with tests on PGlite, PostgreSQL and in Chromium', () => {
    expect(pipeline.stages).toEqual(['test', 'docs', 'build', 'deploy']);
    expect(Object.fromEntries(jobs.map(([n, j]) => [n, j.stage]))).toEqual({
      lint: 'test', typecheck: 'test', 'test:pglite': 'test', 'test:postgres': 'test', 'test:browser': 'test', docs: 'docs', 'build-image': 'build', deploy: 'deploy',
    });
    expect(pipeline['test:postgres']!.services).toEqual([{ name: 'postgres:15', alias: 'postgres' }]);
    expect(pipeline['test:browser']!.extends).toBe('.with-chromium');
  });

  it('builds and pushes the image on tags only, and deploys with Helm by hand', () => {
    expect(pipeline['build-image']!.rules).toEqual([{ if: '$CI_COMMIT_TAG' }]);
    expect(pipeline['build-image']!.script!.join('\n')).toMatch(/--destination "\$CI_REGISTRY_IMAGE:\$CI_COMMIT_TAG"/);
    expect(pipeline.deploy!.rules).toEqual([{ if: '$CI_COMMIT_TAG', when: 'manual' }]);
    expect(pipeline.deploy!.script!.join('\n')).toMatch(/^helm upgrade --install webmeetings deploy\/helm\/webmeetings .*--atomic/);
  });

  it('runs the same commands as .ci/run', () => {
    const gitlab = commands(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8'));
    expect([...gitlab].sort()).toEqual([...commands(ciRun)].sort());
    for (const c of ['npm run lint', 'npm run typecheck', 'npm run build:web', 'npm test', 'npm run docs', 'bash scripts/ensure-helm.sh']) expect(gitlab).toContain(c);
  });
});
