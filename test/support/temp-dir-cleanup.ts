// Setup file (vitest.config.ts, vitest.browser.config.ts): removes the temp folders a test file made with
// makeTempDir / makeTempDirSync (test/support/temp-dir.ts) once that file has finished.
//
// Order: a setup file runs before the test file, so this afterAll is the first one registered on the
// file, and with sequence.hooks 'stack' (vitest 3's default) a file's afterAll hooks run last-registered
// first: this one runs after every afterAll of the test file (those of its describes even earlier, when
// each describe ends), i.e. after the file has stopped its agents, servers and child processes.
// test/temp-dir-cleanup.test.ts checks this in a vitest run of its own. (A cleanup returned by a
// beforeAll, and a file-scoped test.extend fixture, would run after this; the suite uses neither.)
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

afterAll(async () => {
  await removeTempDirs();
});
