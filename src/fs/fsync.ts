// Durable file steps: a write or rename has happened only once the file's bytes and the folder entry
// that names it are on disk; until then a power cut may leave the old file, an empty one, or none.
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, removeIfPresent, renameRetry, retryTransient } from './retry.js';
import { crashPoint } from '../crash-point.js';

export async function fsyncFile(file: string): Promise<void> {
  // Windows flushes only a handle opened for writing (FlushFileBuffers); a copy of a read-only original
  // cannot be opened so, and is flushed through a read handle, as POSIX allows.
  const handle = await retryTransient(() =>
    fs.open(file, 'r+').catch((err: unknown) => (errnoCode(err) === 'EACCES' || errnoCode(err) === 'EPERM' ? fs.open(file, 'r') : Promise.reject(err))),
  );
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  crashPoint('fs.fsync-file');
}

/**
 * Makes a rename or link in `dir` durable. Windows cannot open a directory (EISDIR/EPERM) and some
 * file systems refuse fsync on one (EINVAL); there the rename is as durable as it gets.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES', 'ENOTSUP'].includes(errnoCode(err) ?? '')) throw err;
  } finally {
    await handle?.close();
  }
  crashPoint('fs.fsync-dir');
}

/**
 * Replaces `file` with `text` whole or not at all: written to `.<name>.tmp` beside it, fsynced, renamed
 * over it (retrying EPERM/EBUSY) and the folder fsynced. Callers write one file one write at a time.
 */
export async function writeFileDurable(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp`);
  const handle = await retryTransient(() => fs.open(tmp, 'w'));
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  crashPoint('fs.durable-tmp-written');
  await renameRetry(tmp, file);
  crashPoint('fs.durable-renamed');
  await fsyncDir(dir);
}

/** The temp name writeFileDurable writes `file` under before it is renamed into place. */
const DURABLE_TEMP = /^\..+\.tmp$/;

/**
 * Removes what writeFileDurable left in `dir` when the process died between writing its temp file and
 * renaming it (the old file is still whole). Only for the process that owns the folder, at its start.
 */
export async function removeDurableTemps(dir: string): Promise<number> {
  const names = await fs.readdir(dir).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? [] : Promise.reject(err)));
  const stale = names.filter((name) => DURABLE_TEMP.test(name));
  for (const name of stale) await removeIfPresent(path.join(dir, name));
  return stale.length;
}

/**
 * Appends `text` to `file` (created when missing) and returns once the bytes are on disk; when the
 * append created the file, its folder entry is fsynced too. Callers append to one file one at a time.
 */
export async function appendFileDurable(file: string, text: string): Promise<void> {
  const handle = await retryTransient(() => fs.open(file, 'a'));
  let created: boolean;
  try {
    created = (await handle.stat()).size === 0;
    await handle.write(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (created) await fsyncDir(path.dirname(file));
}
