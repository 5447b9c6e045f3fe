// The format of the run history's day files (see run-history.ts): JSON lines, a start line and a
// finish line per run, folded into records when read.
import { DropwiseError } from '../errors.js';
import { errnoCode } from '../fs/retry.js';
import type { RunOutcome, RunRecord } from './store.js';

export const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export type RunLine = { start: RunRecord } | { finish: RunOutcome & { id: string } };

/** The UTC day a run belongs to (its file): the date part of its startedAt. */
export const dayOf = (run: Pick<RunRecord, 'startedAt'>): string => run.startedAt.slice(0, 10);

export const dayFileName = (day: string): string => `${day}.jsonl`;

export const runLine = (line: RunLine): string => `${JSON.stringify(line)}\n`;

export function stateError(file: string, verb: 'read' | 'written', err: unknown): DropwiseError {
  if (err instanceof DropwiseError) return err;
  const reading = verb === 'read';
  return new DropwiseError(reading ? 'DW_STATE_READ' : 'DW_STATE_WRITE', `The run history file ${file} cannot be ${verb}: ${errnoCode(err) ?? (err as Error).message}`, {
    hint: reading ? 'Restore it from a backup, or move it away (the runs of that day are then forgotten)' : 'Check free disk space and permissions of the state folder',
    cause: err,
  });
}

/**
 * Folds the whole lines of a day file into `into` (id → record, in start order). Bytes after the last
 * newline are a line being appended right now, or one torn by a crash before it was reported durable.
 */
export function foldDayFile(text: string, file: string, into: Map<string, RunRecord>): void {
  const end = text.lastIndexOf('\n') + 1;
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '') continue;
    let parsed: Partial<{ start: RunRecord; finish: RunOutcome & { id: string } }>;
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch (err) {
      throw stateError(file, 'read', err);
    }
    if (parsed.start) into.set(parsed.start.id, { ...parsed.start });
    else if (parsed.finish) {
      const { id, ...outcome } = parsed.finish;
      const run = into.get(id);
      if (run) Object.assign(run, outcome);
    }
  }
}

