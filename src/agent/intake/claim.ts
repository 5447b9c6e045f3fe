// Claiming: an atomic rename from the inbox into work/processing/. Whoever wins the rename owns the file,
// so two agents on one shared inbox never both take it; ENOENT means someone else was faster.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { entryKind, notRegularError } from '../../fs/entry-kind.js';
import { fsyncFile } from '../../fs/fsync.js';
import { MAX_NAME_BYTES, fitName } from '../../fs/name-length.js';
import { errnoCode, removeIfPresent, renameRetry } from '../../fs/retry.js';
import { crashPoint } from '../../crash-point.js';

export interface ClaimedFile {
  /** Time-sortable and unique: 20261121T120000123-ab12cd. */
  id: string;
  /** The name the file had when it was dropped. */
  name: string;
  /** Where it is now: work/processing/<id>__<name>, the name shortened when the whole would pass 255 bytes. */
  path: string;
}

const SEPARATOR = '__';
const CLAIMED_NAME = /^(\d{8}T\d{9}-[0-9a-f]{6})__(.+)$/;

export function newClaimId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '').replace('Z', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** When a claim id (`20261121T120000123-ab12cd`, UTC) was made: newClaimId's stamp read back. */
export function claimTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})/.exec(id);
  if (!m) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms));
}

/** Splits `<id>__<name>` back into its parts; undefined for anything else. */
export function parseClaimedName(fileName: string): { id: string; name: string } | undefined {
  const m = CLAIMED_NAME.exec(fileName);
  return m ? { id: m[1] as string, name: m[2] as string } : undefined;
}

/** The claim of `name` (the name it was dropped with, kept in the journal whatever the path says). */
export function claimedFile(processingDir: string, id: string, name: string): ClaimedFile {
  const prefix = `${id}${SEPARATOR}`;
  return { id, name, path: path.join(processingDir, `${prefix}${fitName(name, MAX_NAME_BYTES - prefix.length)}`) };
}

/**
 * Moves `source` into `processingDir`. Returns undefined when the file is gone (another agent took it).
 * Anything but a regular file is refused before it moves: DW_FILE_NOT_REGULAR (links are not followed).
 * A file on another volume (only `dropwise run` takes files from outside the inbox) is copied into
 * `tmpDir`, made durable, renamed into place, and only then removed from where it was.
 */
export async function claimFile(source: string, dirs: { processing: string; tmp: string }): Promise<ClaimedFile | undefined> {
  const kind = await entryKind(source);
  if (kind === undefined) return undefined;
  if (kind !== 'file') throw notRegularError(source, kind);
  const claimed = claimedFile(dirs.processing, newClaimId(), path.basename(source));
  try {
    await renameRetry(source, claimed.path);
    crashPoint('claim.renamed');
    return claimed;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    if (errnoCode(err) !== 'EXDEV') throw err;
  }
  const staged = path.join(dirs.tmp, path.basename(claimed.path));
  await fs.copyFile(source, staged);
  await fsyncFile(staged);
  await renameRetry(staged, claimed.path);
  await removeIfPresent(source);
  return claimed;
}
