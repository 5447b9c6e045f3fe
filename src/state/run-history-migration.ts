// The run history before day files: one lowdb document, runs.json, rewritten whole on every write.
// The first write after an upgrade moves its runs into the day files and keeps the old file as
// runs.json.migrated; until then a reader (`dropwise status`) reads it as it is, writing nothing.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { fsyncDir, writeFileDurable } from '../fs/fsync.js';
import { errnoCode, renameRetry, retryTransient } from '../fs/retry.js';
import { dayFileName, dayOf, foldDayFile, runLine, stateError } from './run-day-file.js';
import type { RunRecord } from './store.js';

export const MIGRATED_SUFFIX = '.migrated';

/** The runs of a runs.json not migrated yet; undefined when there is none. */
export async function readLegacyRuns(file: string): Promise<RunRecord[] | undefined> {
  let text: string;
  try {
    text = await retryTransient(() => fs.readFile(file, 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw stateError(file, 'read', err);
  }
  try {
    const runs = (JSON.parse(text) as { runs?: unknown }).runs;
    if (!Array.isArray(runs)) throw new Error('it has no "runs" list');
    return runs as RunRecord[];
  } catch (err) {
    throw new DropwiseError('DW_STATE_READ', `The state file ${file} cannot be read: ${(err as Error).message}`, {
      hint: 'Restore it from a backup, or move it away to start with an empty run history',
      cause: err,
    });
  }
}

/**
 * Writes the runs of `legacyFile` into the day files under `dir`, then renames it to
 * `runs.json.migrated`. Safe to repeat after a crash at any point: a day file already holding a run
 * keeps its lines and gets only the runs it lacks, and the rename comes last.
 */
export async function migrateRunsJson(legacyFile: string, dir: string): Promise<boolean> {
  const legacy = await readLegacyRuns(legacyFile);
  if (legacy === undefined) return false;
  const byDay = new Map<string, RunRecord[]>();
  for (const run of legacy) byDay.set(dayOf(run), [...(byDay.get(dayOf(run)) ?? []), run]);
  try {
    await fs.mkdir(dir, { recursive: true });
    for (const [day, runs] of byDay) {
      const file = path.join(dir, dayFileName(day));
      const existing = await fs.readFile(file, 'utf8').catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? '' : Promise.reject(err)));
      const whole = existing.slice(0, existing.lastIndexOf('\n') + 1);
      const present = new Map<string, RunRecord>();
      foldDayFile(whole, file, present);
      const missing = runs.filter((run) => !present.has(run.id)).map((run) => runLine({ start: run }));
      await writeFileDurable(file, whole + missing.join(''));
    }
    await renameRetry(legacyFile, legacyFile + MIGRATED_SUFFIX);
    await fsyncDir(path.dirname(legacyFile));
  } catch (err) {
    throw stateError(dir, 'written', err);
  }
  return true;
}
