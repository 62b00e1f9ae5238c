import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// Test files that never open a database (domain rules, schemas, the chart, the docs build, protocol
// doubles, the web UI's units), and the browser tests, which judge the pages: the API and the
// database under those pages are tested on both databases by test/api, test/identity and the rest.
// The PostgreSQL run (DATABASE_URL set) leaves these to the PGlite run.
const databaseFree = [
  'test/e2e/**/*.test.ts',
  'src/**/*.test.ts',
  'web/src/**/*.test.ts',
  'test/deploy/{compose,docs,gitlab-ci,helm}.test.ts',
  'test/providers/{adobe-connect,bigbluebutton,jitsi,settings}.test.ts',
  'test/telephony/{ari-double,ari-double-replay,asterisk-config,prompts}.test.ts',
  'test/identity/{config,return-target}.test.ts',
  'test/cli/password-input.test.ts',
  'test/api/jitsi-dial-in.test.ts',
];

// Files that replace a module with vi.mock: they need a module registry of their own (see isolate).
const mocking = ['test/providers/jitsi.test.ts'];

const include = ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'];
const exclude = [...configDefaults.exclude, ...(process.env.DATABASE_URL ? databaseFree : [])];

export default defineConfig({
  test: {
    projects: [
      // A worker runs file after file in one process, its modules loaded once: a new process and
      // its imports for each of ~150 files took a third of the run. Files share module state (the
      // kept reads, the metrics registry), which the portal has to bear anyway with two portals in
      // one process; what a file changes of the process (env, timers, listeners) it undoes.
      { extends: true, test: { name: 'shared', include, exclude: [...exclude, ...mocking], isolate: false, globalSetup: ['test/support/pglite-snapshots.ts'] } },
      { extends: true, test: { name: 'isolated', include: mocking, exclude } },
    ],
    testTimeout: 60_000,
    // expect.poll waits on browsers and servers here: vitest's 1 s is shorter than a page reload on
    // a loaded two-core machine (CI at c891115: the Italian institution page after a reload). A poll
    // ends as soon as its value is there, so a passing test waits no longer than before.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    // Each file opens its own database (an in-memory PGlite, or a fresh PostgreSQL database).
    pool: 'forks',
    // Most files spend their time waiting on servers, browsers and timers rather than the CPU;
    // vitest's default (one fewer than the cores) runs a single file at a time on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
