// What happens to an original once its run is over. Its results are already durable when this runs:
// a successful (or partly successful) file is archived in a dated folder or deleted; a file that failed
// as a whole goes to outbox/fail unchanged with a sibling <name>.error.xml saying why (ARCHITECTURE §3).
// If a folder cannot be written, DW_OUTPUT_WRITE is thrown and the original stays in work/processing.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/load.js';
import type { DropwiseError } from '../errors.js';
import { XML_DECLARATION } from '../xml/json-to-xml.js';
import { errorEntry, errorsToXml } from '../xml/errors-xml.js';
import type { ClaimedFile } from './claim.js';
import { fsyncDir, fsyncFile, removeIfPresent, unlinkRetry } from './fs-retry.js';
import type { Disposition } from './journal.js';
import { writeError } from './outbox.js';
import { placeFile } from './place-file.js';

export interface DispositionResult {
  disposition: Disposition;
  /** Where the original is now (undefined when deleted). */
  path?: string;
  /** The .error.xml written next to a failed original. */
  errorPath?: string;
}

type Folders = Pick<AppConfig['folders'], 'archive' | 'fail' | 'work'>;

/** The `<errors>` document of a whole-file failure. */
export function errorDocument(err: DropwiseError): string {
  return XML_DECLARATION + errorsToXml([errorEntry(err)], 0);
}

/** A local calendar date, as an operator looking for yesterday's files thinks of it. */
export function archiveDay(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export async function disposeDone(claimed: ClaimedFile, folders: Folders, originals: AppConfig['processing']['originals']): Promise<DispositionResult> {
  if (originals === 'delete') {
    await unlinkRetry(claimed.path);
    await fsyncDir(path.dirname(claimed.path));
    return { disposition: 'deleted' };
  }
  const dir = path.join(folders.archive, archiveDay());
  try {
    return { disposition: 'archived', path: await placeFile(claimed.path, dir, path.basename(claimed.path)) };
  } catch (err) {
    throw writeError(dir, err);
  }
}

/**
 * The original goes to outbox/fail under its own name (or the next free variant) and the error
 * document next to it as `<that name>.error.xml`. The error document is prepared in work/tmp first
 * and the original leaves work/processing last, so a crash in between loses neither.
 */
export async function disposeFailed(claimed: ClaimedFile, error: DropwiseError, folders: Folders): Promise<DispositionResult> {
  const tmp = path.join(folders.work, 'tmp', `${claimed.id}.error.xml`);
  try {
    await fs.mkdir(path.dirname(tmp), { recursive: true });
    await fs.writeFile(tmp, errorDocument(error), 'utf8');
    await fsyncFile(tmp);
    const placed = await placeFile(claimed.path, folders.fail, claimed.name, { keepSource: true });
    const errorPath = await placeFile(tmp, folders.fail, `${path.basename(placed)}.error.xml`);
    await unlinkRetry(claimed.path);
    return { disposition: 'failed', path: placed, errorPath };
  } catch (err) {
    await removeIfPresent(tmp).catch(() => undefined);
    throw writeError(folders.fail, err);
  }
}
