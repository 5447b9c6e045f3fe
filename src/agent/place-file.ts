// Puts a finished file at its final name without ever overwriting one that is there: a hard link is
// created atomically and fails with EEXIST when the name is taken, in which case the next free name
// `name (2).ext`, `name (3).ext`, … is tried. The file appears whole or not at all.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, fsyncDir, fsyncFile, linkRetry, removeIfPresent, unlinkRetry } from './fs-retry.js';

const MAX_CANDIDATES = 10_000;

/** `a.xml` for n = 1, `a (2).xml` for n = 2, … (the extension is everything from the first dot). */
export function candidateName(name: string, n: number): string {
  if (n === 1) return name;
  const dot = name.indexOf('.', 1);
  return dot === -1 ? `${name} (${n})` : `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

export interface PlaceOptions {
  /** Leave `source` where it is (the caller removes it once everything that belongs with it is placed). */
  keepSource?: boolean;
}

/** Links `source` into `destDir` under `name` or the next free variant; returns the final path. */
export async function placeFile(source: string, destDir: string, name: string, options: PlaceOptions = {}): Promise<string> {
  await fs.mkdir(destDir, { recursive: true });
  let from = source;
  let staged: string | undefined;
  let placed: string | undefined;
  try {
    for (let n = 1; placed === undefined; n++) {
      if (n > MAX_CANDIDATES) throw new Error(`${MAX_CANDIDATES} files named like ${name} already exist in ${destDir}`);
      const target = path.join(destDir, candidateName(name, n));
      try {
        await linkRetry(from, target);
        placed = target;
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        if (errnoCode(err) !== 'EXDEV' || staged !== undefined) throw err;
        // Another volume: copy next to the destination under a hidden partial name, then link from there.
        staged = path.join(destDir, `.${randomBytes(4).toString('hex')}.partial`);
        await fs.copyFile(source, staged);
        await fsyncFile(staged);
        from = staged;
        n--;
      }
    }
  } finally {
    if (staged !== undefined) await removeIfPresent(staged);
  }
  await fsyncDir(destDir);
  if (!options.keepSource) await unlinkRetry(source);
  return placed;
}
