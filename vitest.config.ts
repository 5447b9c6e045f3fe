import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests have their own run (vitest.browser.config.ts, npm run test:browser).
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests that start the real CLI need dist/; rebuilt only when it is missing or older than src/.
    // The PostgreSQL tests need a real server: started once per run unless DROPWISE_TEST_PG_URL is set.
    globalSetup: ['./test/support/global-setup.ts', './test/support/postgres-server.ts'],
    // temp-dir-cleanup: the temp folders a test file made (makeTempDir) are removed once it has finished.
    setupFiles: ['./test/support/property-seed.ts', './test/support/temp-dir-cleanup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/cli.ts'],
      reporter: ['text-summary'],
      thresholds: { lines: 75, functions: 75, statements: 75, branches: 65 },
    },
  },
});
