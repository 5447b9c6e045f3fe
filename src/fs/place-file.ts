// Puts a finished file at its final name without ever overwriting one that is there: a hard link is
// created atomically and fails with EEXIST when the name is taken, in which case the next free name
// `name (2).ext`, `name (3).ext`, … is tried. The file appears whole or not at all.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, fsyncFile } from './fsync.js';
import { errnoCode, isPresent, linkRetry, removeIfPresent, unlinkRetry } from './retry.js';
import { crashPoint } from '../crash-point.js';

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
        crashPoint('place.linked');
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
  crashPoint('place.done');
  return placed;
}

/** Are `a` and `b` the same file (one linked to the other), or, across volumes, files with the same bytes? */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.stat(a), fs.stat(b)]);
  if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  if (sa.size !== sb.size) return false;
  const [ha, hb] = await Promise.all([fs.open(a, 'r'), fs.open(b, 'r')]);
  try {
    const [ba, bb] = [Buffer.alloc(1 << 16), Buffer.alloc(1 << 16)];
    for (let pos = 0; pos < sa.size; ) {
      const [ra, rb] = await Promise.all([ha.read(ba, 0, ba.length, pos), hb.read(bb, 0, bb.length, pos)]);
      if (ra.bytesRead === 0 || ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      pos += ra.bytesRead;
    }
    return true;
  } finally {
    await Promise.all([ha.close(), hb.close()]);
  }
}

/**
 * Puts `source` at exactly `target`, safe to repeat after a crash at any point: a target that is
 * already this very file (linked, or copied across volumes) counts as placed, and a source that is
 * gone while the target exists was placed and removed by an earlier attempt. Throws EEXIST when the
 * target is some other file.
 */
export async function placeFileAt(source: string, target: string, options: PlaceOptions = {}): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  if (!(await isPresent(source))) {
    if (await isPresent(target)) return;
    throw Object.assign(new Error(`ENOENT: ${source} is gone and ${target} does not exist`), { code: 'ENOENT' });
  }
  let staged: string | undefined;
  try {
    try {
      await linkRetry(source, target);
      crashPoint('place-at.linked');
    } catch (err) {
      if (errnoCode(err) === 'EXDEV') {
        staged = path.join(path.dirname(target), `.${randomBytes(4).toString('hex')}.partial`);
        await fs.copyFile(source, staged);
        await fsyncFile(staged);
        await linkRetry(staged, target).catch((e: unknown) => (errnoCode(e) === 'EEXIST' ? sameOrThrow(source, target, e) : Promise.reject(e)));
      } else if (errnoCode(err) === 'EEXIST') {
        await sameOrThrow(source, target, err);
      } else throw err;
    }
  } finally {
    if (staged !== undefined) await removeIfPresent(staged);
  }
  await fsyncDir(path.dirname(target));
  if (!options.keepSource) await removeIfPresent(source);
  crashPoint('place-at.done');
}

async function sameOrThrow(source: string, target: string, err: unknown): Promise<void> {
  if (!(await sameFile(source, target))) throw err;
}

/** The first `name`, `name (2)`, … in `dir` that is free together with its companions (`<name>.error.xml`). */
export async function freeName(dir: string, name: string, companionSuffixes: string[] = []): Promise<string> {
  for (let n = 1; n <= MAX_CANDIDATES; n++) {
    const target = path.join(dir, candidateName(name, n));
    const taken = await Promise.all([target, ...companionSuffixes.map((s) => `${target}${s}`)].map(isPresent));
    if (!taken.some(Boolean)) return target;
  }
  throw new Error(`${MAX_CANDIDATES} files named like ${name} already exist in ${dir}`);
}
