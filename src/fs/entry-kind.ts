// What an entry in a folder is, found without following a symbolic link. dropwise reads only regular
// files: a link (to /etc/passwd, to a payments file somewhere else), a FIFO, a socket, a device or a
// folder is refused by what it is, and never opened or read through.
import fs, { type Stats } from 'node:fs';
import { DropwiseError } from '../errors.js';
import { errnoCode } from './retry.js';

export type EntryKind = 'file' | 'symbolic link' | 'folder' | 'FIFO' | 'socket' | 'device';

/** Added to the flags of every open of an input: a link swapped in after the check fails (ELOOP) instead of being read. */
export const NO_FOLLOW = fs.constants.O_NOFOLLOW ?? 0;

export function kindOf(stat: Stats): EntryKind {
  if (stat.isFile()) return 'file';
  if (stat.isSymbolicLink()) return 'symbolic link';
  if (stat.isDirectory()) return 'folder';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isSocket()) return 'socket';
  return 'device';
}

/** The kind of the entry at `file` itself (a link is a link, whatever it points to); undefined when there is none. */
export async function entryKind(file: string): Promise<EntryKind | undefined> {
  try {
    return kindOf(await fs.promises.lstat(file));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

export function notRegularError(file: string, kind: Exclude<EntryKind, 'file'>): DropwiseError {
  return new DropwiseError('DW_FILE_NOT_REGULAR', `${file} is a ${kind}, not a regular file; dropwise reads only regular files and never follows links`, {
    hint: kind === 'folder' ? 'Give or drop the files themselves, not a folder' : 'Copy the file itself (not a link to it) and give or drop the copy',
  });
}

export function missingFileError(file: string): DropwiseError {
  return new DropwiseError('DW_FILE_UNREADABLE', `The file ${file} does not exist`, { hint: 'Check the path and try again' });
}

/** Throws DW_FILE_UNREADABLE when nothing is at `file`, DW_FILE_NOT_REGULAR when it is not a regular file. */
export async function checkRegularFile(file: string): Promise<void> {
  const kind = await entryKind(file);
  if (kind === undefined) throw missingFileError(file);
  if (kind !== 'file') throw notRegularError(file, kind);
}
