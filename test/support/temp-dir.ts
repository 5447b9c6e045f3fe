// Temp folders for tests, under os.tmpdir(). Each one made here is recorded, and the setup file
// test/support/temp-dir-cleanup.ts removes the recorded folders once the test file that made them has
// finished (after the file's own afterAll hooks, which stop the agents and servers that use them).
// Kept apart from workspace.ts so that a test needing only a folder does not load the agent.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/** A fresh folder `<tmpdir>/<prefix>XXXXXX`, removed after the test file. */
export async function makeTempDir(prefix = 'dropwise-'): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** makeTempDir for a synchronous caller (a module's top level, a sync helper). */
export function makeTempDirSync(prefix = 'dropwise-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** The folders made and not yet removed. */
export function recordedTempDirs(): string[] {
  return [...made];
}

/**
 * Removes every recorded folder and forgets it. Never throws: a folder that is already gone is fine
 * (force), a busy one is retried, and one that still cannot be removed is only reported on stderr, so
 * that the cleanup cannot fail a test. Returns the folders it could not remove.
 */
export async function removeTempDirs(): Promise<string[]> {
  const dirs = [...made];
  made.clear();
  const results = await Promise.allSettled(dirs.map((dir) => fsp.rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })));
  const failed: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    failed.push(dirs[i] as string);
    process.stderr.write(`temp-dir cleanup: could not remove ${dirs[i]}: ${(r.reason as Error).message}\n`);
  });
  return failed;
}
