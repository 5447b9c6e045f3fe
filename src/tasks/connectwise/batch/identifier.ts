// The batchIdentifier rules. ConnectWise keeps identifiers unique and refuses a second batch with one
// already used, so an identifier that is the same every time the same work is retried is what makes a
// batch exactly-once: before creating, dropwise looks the identifier up, and a create whose answer was
// lost is found again instead of being sent twice.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** CreateAccountingBatchRequest.batchIdentifier: string, max 50 (2022.1 and 2025.1). */
export const BATCH_IDENTIFIER_MAX = 50;

const GL_RUN_PREFIX = 'dw-gl-';

/** A batch derived from a GL export run: from the run's id, so every retry and every agent names it the same. */
export function identifierForGlRun(runId: string): string {
  const plain = `${GL_RUN_PREFIX}${runId}`;
  if (plain.length <= BATCH_IDENTIFIER_MAX) return plain;
  return `${GL_RUN_PREFIX}${createHash('sha256').update(runId).digest('hex').slice(0, BATCH_IDENTIFIER_MAX - GL_RUN_PREFIX.length)}`;
}

// The agent claims a dropped file as work/processing/<yyyymmddThhmmssSSS-xxxxxx>__<name>; a resumed
// file keeps that name, so a stamp read from it stays the same across a crash and a restart.
const CLAIMED = /^(\d{8})T(\d{6})\d{3}-([0-9a-f]{6})__/;

/**
 * A batch of a dropped file without <batchIdentifier>: a timestamp as Zynk gives it
 * (yyyyMMddHHmmss), taken from when the file was claimed, plus the claim's tag and the batch's
 * position, so it is the same when the file resumes and differs between batches and files.
 */
export function identifierForFileBatch(inputPath: string, index: number): string {
  const name = path.basename(inputPath);
  const claimed = CLAIMED.exec(name);
  if (claimed) return `${claimed[1] as string}${claimed[2] as string}-${claimed[3] as string}-${index + 1}`;
  // Not a claimed file (a test, a tool): the file's own mtime and path stand in for the claim.
  const stamp = fs.statSync(inputPath).mtime.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${createHash('sha1').update(path.resolve(inputPath)).digest('hex').slice(0, 6)}-${index + 1}`;
}

/** A bare file name for the batch's <GLExport>: the identifier with anything a file name may not hold replaced. */
export function glExportFileName(identifier: string): string {
  return `batch_${identifier.replace(/[^A-Za-z0-9._-]/g, '_')}.xml`;
}
