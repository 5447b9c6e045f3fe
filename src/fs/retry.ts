// File operations that retry for a moment on EPERM/EBUSY/EACCES: on Windows an antivirus scanner, the
// search indexer or a reader holds a file briefly and the same call succeeds a few milliseconds later.
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT = new Set(['EPERM', 'EBUSY', 'EACCES']);
/** About 600 ms in all: long enough for a scanner, short enough that a real permission error shows. */
const DELAYS_MS = [10, 25, 50, 100, 150, 250];

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as NodeJS.ErrnoException).code ?? undefined) : undefined;
}

export async function retryTransient<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const delay = DELAYS_MS[attempt];
      if (delay === undefined || !TRANSIENT.has(errnoCode(err) ?? '')) throw err;
      await sleep(delay);
    }
  }
}

export const renameRetry = (from: string, to: string): Promise<void> => retryTransient(() => fs.rename(from, to));
export const linkRetry = (from: string, to: string): Promise<void> => retryTransient(() => fs.link(from, to));
export const unlinkRetry = (file: string): Promise<void> => retryTransient(() => fs.unlink(file));

/** Removes a file; a file that is already gone is fine. */
export async function removeIfPresent(file: string): Promise<void> {
  try {
    await unlinkRetry(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/** Does the file exist? (Any error but ENOENT is thrown.) */
export async function isPresent(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Can the file be opened for reading now? (A copy in progress on Windows holds it locked.) */
export async function isReadable(file: string): Promise<boolean> {
  try {
    const handle = await fs.open(file, 'r');
    await handle.close();
    return true;
  } catch {
    return false;
  }
}
