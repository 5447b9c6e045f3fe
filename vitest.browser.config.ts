// The dashboard's browser tests (npm run test:browser): a real agent, a real Chromium. Apart from the
// main suite, so that suite stays browser-free and CI can run both and report one count.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['./test/support/global-setup.ts', './test/browser/chromium-check.ts'],
    setupFiles: ['./test/support/temp-dir-cleanup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
