// The web UI's unit tests (pure logic: rules, time zones, translations). The root
// vitest.config.ts should include 'web/src/**/*.test.ts' too so `npm test` runs them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['web/src/**/*.test.ts'], root: new URL('..', import.meta.url).pathname },
});
