// The vitest run that test/temp-dir-cleanup.test.ts starts: the suite's own setup files, hook order and
// pool (taken from vitest.config.ts), on the one fixture file here and nothing else (no global setup:
// no build, no PostgreSQL server).
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import suite from '../../../vitest.config.js';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../../..'),
    include: ['test/support/temp-dir-fixture/made.fixture.ts'],
    setupFiles: suite.test?.setupFiles,
    sequence: suite.test?.sequence,
    pool: suite.test?.pool,
    reporters: ['default'],
    cache: false,
  },
});
