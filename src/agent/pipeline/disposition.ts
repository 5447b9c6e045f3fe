// What happens to an original once its run is over. Its results are already durable when this runs:
// a successful (or partly successful) file is archived in a dated folder or deleted; a file that failed
// as a whole goes to outbox/fail unchanged with a sibling <name>.error.xml saying why (ARCHITECTURE §3).
// If a folder cannot be written, DW_OUTPUT_WRITE is thrown and the original stays in work/processing.
// Every step is safe to repeat after a crash: the target is chosen once and recorded (DisposalPlan)
// before anything is placed, and a redo that finds its file already there counts it as placed, so an
// original never ends up in two places, nor in outbox/fail without its .error.xml.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../../config/load.js';
import type { DropwiseError } from '../../errors.js';
import { fsyncDir, fsyncFile } from '../../fs/fsync.js';
import { MAX_NAME_BYTES, fitName } from '../../fs/name-length.js';
import { freeName, placeFileAt } from '../../fs/place-file.js';
import { errnoCode, isPresent, linkRetry, removeIfPresent, renameRetry } from '../../fs/retry.js';
import { errorDocument } from '../../tasks/error-document.js';
import type { ClaimedFile } from '../intake/claim.js';
import type { DisposalKind, Disposition } from './journal.js';
import { writeError } from './outbox.js';
import { crashPoint } from '../../crash-point.js';

export interface DispositionResult {
  disposition: Disposition;
  /** Where the original is now (undefined when deleted). */
  path?: string;
  /** The .error.xml written next to a failed original. */
  errorPath?: string;
}

type Folders = Pick<AppConfig['folders'], 'archive' | 'fail' | 'work'>;

/** Remembers, across a crash, where the original of one claim is being put. */
export interface DisposalPlan {
  /** The target an earlier attempt of this kind chose, if any. */
  previous(kind: DisposalKind): string | undefined;
  /** Records the target durably, before anything is placed there. */
  record(kind: DisposalKind, target: string): Promise<void>;
}

const ERROR_SUFFIX = '.error.xml';
/** The longest name an original gets in outbox/fail: room for ` (9999)` and `.error.xml` within 255 bytes. */
const FAIL_NAME_BYTES = MAX_NAME_BYTES - ' (9999)'.length - ERROR_SUFFIX.length;

/** A local calendar date, as an operator looking for yesterday's files thinks of it. */
export function archiveDay(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export async function disposeDone(claimed: ClaimedFile, folders: Folders, originals: AppConfig['processing']['originals'], plan: DisposalPlan): Promise<DispositionResult> {
  if (originals === 'delete') {
    // Already gone: an earlier attempt deleted it and crashed before the journal said so.
    await removeIfPresent(claimed.path);
    await fsyncDir(path.dirname(claimed.path));
    return { disposition: 'deleted' };
  }
  const target = plan.previous('archive') ?? path.join(folders.archive, archiveDay(), path.basename(claimed.path));
  try {
    if (plan.previous('archive') === undefined) await plan.record('archive', target);
    await placeFileAt(claimed.path, target);
    crashPoint('dispose.archived');
    return { disposition: 'archived', path: target };
  } catch (err) {
    throw writeError(path.dirname(target), err);
  }
}

/**
 * The original goes to outbox/fail under its own name (or the next variant free together with its
 * `.error.xml`) and the error document next to it as `<that name>.error.xml`. The error document is
 * prepared in work/tmp first and the original leaves work/processing last, so a crash in between
 * loses neither.
 */
export async function disposeFailed(claimed: ClaimedFile, error: DropwiseError, folders: Folders, plan: DisposalPlan): Promise<DispositionResult> {
  const tmp = path.join(folders.work, 'tmp', `${claimed.id}${ERROR_SUFFIX}`);
  try {
    await fs.mkdir(path.dirname(tmp), { recursive: true });
    await fs.writeFile(tmp, errorDocument(error), 'utf8');
    await fsyncFile(tmp);
    crashPoint('dispose.error-doc-written');
    const placed = await placeOriginal(claimed, folders.fail, plan);
    const errorPath = `${placed}${ERROR_SUFFIX}`;
    try {
      await linkRetry(tmp, errorPath);
    } catch (err) {
      // Its name was free when the original's was chosen: an existing one is an earlier attempt's.
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    await fsyncDir(folders.fail);
    crashPoint('dispose.error-linked');
    await removeIfPresent(claimed.path);
    crashPoint('dispose.original-removed');
    await removeIfPresent(tmp);
    return { disposition: 'failed', path: placed, errorPath };
  } catch (err) {
    await removeIfPresent(tmp).catch(() => undefined);
    throw writeError(folders.fail, err);
  }
}

/** Links the original into outbox/fail at the recorded target, or a newly chosen (and recorded) one. */
async function placeOriginal(claimed: ClaimedFile, failDir: string, plan: DisposalPlan): Promise<string> {
  let target = plan.previous('fail');
  for (;;) {
    if (target === undefined) {
      target = await freeName(failDir, fitName(claimed.name, FAIL_NAME_BYTES), [ERROR_SUFFIX]);
      await plan.record('fail', target);
    }
    try {
      await placeFileAt(claimed.path, target, { keepSource: true });
      return target;
    } catch (err) {
      // Someone else's file took the name since it was chosen: choose again.
      if (errnoCode(err) !== 'EEXIST') throw err;
      target = undefined;
    }
  }
}

/**
 * Refuses an entry of the inbox that is not a regular file (a link, a folder, a FIFO...) without ever
 * reading it: the entry itself is renamed into outbox/fail (a link stays a link to whatever it named)
 * with a `.error.xml` saying why. The error document takes its name first, so a crash in between leaves
 * an explanation, never an unexplained entry. Undefined when someone else took the entry first.
 */
export async function disposeRefused(source: string, name: string, error: DropwiseError, folders: Folders): Promise<DispositionResult | undefined> {
  const tmp = path.join(folders.work, 'tmp', `refused-${randomBytes(4).toString('hex')}${ERROR_SUFFIX}`);
  let errorPath: string | undefined;
  try {
    await fs.mkdir(path.dirname(tmp), { recursive: true });
    await fs.mkdir(folders.fail, { recursive: true });
    await fs.writeFile(tmp, errorDocument(error), 'utf8');
    await fsyncFile(tmp);
    for (;;) {
      const target = await freeName(folders.fail, fitName(name, FAIL_NAME_BYTES), [ERROR_SUFFIX]);
      try {
        await linkRetry(tmp, `${target}${ERROR_SUFFIX}`);
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        throw err;
      }
      errorPath = `${target}${ERROR_SUFFIX}`;
      // A rename would replace a file that took the name since it was chosen: choose again.
      if (await isPresent(target)) {
        await removeIfPresent(errorPath);
        errorPath = undefined;
        continue;
      }
      try {
        await renameRetry(source, target);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
        await removeIfPresent(errorPath);
        return undefined;
      }
      const placed = { disposition: 'failed', path: target, errorPath } as const;
      errorPath = undefined;
      await fsyncDir(folders.fail);
      await fsyncDir(path.dirname(source));
      return placed;
    }
  } catch (err) {
    if (errorPath !== undefined) await removeIfPresent(errorPath).catch(() => undefined);
    throw writeError(folders.fail, err);
  } finally {
    await removeIfPresent(tmp).catch(() => undefined);
  }
}
