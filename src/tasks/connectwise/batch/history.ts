// What the run history knows about accounting batches. A run of connectwise.create-accounting-batch
// keeps `details.batches` (one entry per batch it handled); a GL export run with createBatch keeps
// `details.batch`. From these dropwise tells a re-dropped request from new work without asking
// ConnectWise, finds the GL entry ids of a GL export run (`fromRun`), and shows per GL export run
// whether its batch was created (`dropwise status`).
import { createHash } from 'node:crypto';
import { DropwiseError } from '../../../errors.js';
import { isObject } from '../../../json/is-object.js';
import type { RunRecord } from '../../../state/index.js';
import type { RunArtifacts } from '../../../state/run-artifacts.js';
import type { RunReader } from '../../types.js';
import { EXPORT_GL_BATCH_TYPE } from '../gl/settings.js';

export const BATCH_TASK_TYPE = 'connectwise.create-accounting-batch';

export type BatchAction = 'created' | 'recovered' | 'already created';

export interface RecordedBatch {
  batchIdentifier: string;
  /** ConnectWise's id of the batch (absent only if it could not be read back after the create). */
  batchId?: number;
  /** created: by this run · recovered: found in ConnectWise after a lost answer or a crash · already created: by an earlier run. */
  action: BatchAction;
  glEntryIdCount: number;
  /** Fingerprint of the sorted GL entry ids: the same entries have the same key. */
  entriesKey: string;
  /** The GL export run the entries came from. */
  fromRun?: string;
  /** The batch's <GLExport> file, when this run wrote one. */
  output?: string;
}

/** The three export flags of a batch, as the GL export that found its entries had them. */
export interface ExportFlags {
  exportInvoicesFlag: boolean;
  exportExpensesFlag: boolean;
  exportProductsFlag: boolean;
}

export function entriesKey(sortedIds: readonly number[]): string {
  return createHash('sha256').update(sortedIds.join(',')).digest('hex').slice(0, 24);
}

function isRecordedBatch(value: unknown): value is RecordedBatch {
  return isObject(value) && typeof value['batchIdentifier'] === 'string' && typeof value['entriesKey'] === 'string';
}

/** The batches a run created or found (not those it failed on). */
export function recordedBatches(run: RunRecord): RecordedBatch[] {
  const details = run.details;
  if (!details) return [];
  const list = run.task === BATCH_TASK_TYPE ? details['batches'] : run.task === EXPORT_GL_BATCH_TYPE ? [details['batch']] : [];
  return Array.isArray(list) ? list.filter(isRecordedBatch) : [];
}

const sameConnection = (run: RunRecord, connection: string | undefined): boolean => run.connection === undefined || connection === undefined || run.connection === connection;

/** Every run the history keeps (history.keepDays). */
async function allRuns(runs: Pick<RunReader, 'recent'>): Promise<RunRecord[]> {
  return runs.recent(Number.POSITIVE_INFINITY);
}

/** The batches recorded in the run history for one connection, newest first. */
export class BatchHistory {
  private constructor(private readonly entries: (RecordedBatch & { run: string })[]) {}

  static async load(history: Pick<RunReader, 'recent'>, connection: string | undefined): Promise<BatchHistory> {
    const runs = (await allRuns(history)).filter((run) => sameConnection(run, connection));
    return new BatchHistory(runs.flatMap((run) => recordedBatches(run).filter((b) => b.batchId !== undefined).map((b) => ({ ...b, run: run.id }))));
  }

  /** The newest recorded batch of exactly these entries. */
  byEntries(key: string): (RecordedBatch & { run: string }) | undefined {
    return this.entries.find((b) => b.entriesKey === key);
  }

  /** Remembers a batch handled in this run, so a later batch of the same file sees it. */
  add(batch: RecordedBatch, run: string): void {
    this.entries.unshift({ ...batch, run });
  }
}

/** A GL export run's entries: its ids (inline or from its sidecar file) and its export flags. */
export interface GlRunEntries {
  run: RunRecord;
  ids: number[];
  flags: ExportFlags;
}

function runNotFound(message: string, hint: string): DropwiseError {
  return new DropwiseError('DW_GL_RUN_NOT_FOUND', message, { hint });
}

/** Flags recorded by the GL export; runs recorded before it kept them are judged by what they exported. */
function flagsOf(run: RunRecord): ExportFlags {
  const kept = run.details?.['exportFlags'];
  if (isObject(kept)) {
    return { exportInvoicesFlag: kept['exportInvoicesFlag'] === true, exportExpensesFlag: kept['exportExpensesFlag'] === true, exportProductsFlag: kept['exportProductsFlag'] === true };
  }
  const counts = isObject(run.details?.['counts']) ? (run.details['counts'] as Record<string, unknown>) : {};
  const some = (name: string) => typeof counts[name] === 'number' && counts[name] > 0;
  return { exportInvoicesFlag: some('transactions'), exportExpensesFlag: some('expenses'), exportProductsFlag: some('purchaseTransactions') };
}

/** The ids a GL export run kept, as numbers, sorted and without repeats. */
export function sortedIds(values: Iterable<string | number>): number[] {
  return [...new Set([...values].map(Number))].sort((a, b) => a - b);
}

/** The GL entry ids a GL export run kept in its details: inline, or in its sidecar artifact. */
export async function keptIds(details: Record<string, unknown>, runId: string, artifacts: Pick<RunArtifacts, 'read'>): Promise<number[]> {
  if (Array.isArray(details['glEntryIds'])) return sortedIds(details['glEntryIds'] as (string | number)[]);
  const file = details['glEntryIdsFile'];
  if (typeof file !== 'string') return [];
  let text: string | undefined;
  let why = 'ENOENT';
  try {
    text = await artifacts.read(file);
  } catch (err) {
    why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  }
  if (text === undefined) {
    throw runNotFound(`The GL entry ids of GL export run ${runId} are no longer kept (${why}: ${file})`, 'Only the newest GL export runs keep their id lists; feed the ids from the GL export file as a <Batches> file instead');
  }
  return sortedIds(text.split('\n').filter((line) => line.trim() !== ''));
}

/** The GL export run named by `fromRun` (a run id, or `last`: the newest successful one) and its entries. */
export async function glRunEntries(history: Pick<RunReader, 'recent'>, fromRun: string, connection: string | undefined, artifacts: Pick<RunArtifacts, 'read'>): Promise<GlRunEntries> {
  const runs = (await allRuns(history)).filter((run) => run.task === EXPORT_GL_BATCH_TYPE);
  const run = fromRun === 'last' ? runs.find((r) => (r.result === 'success' || r.result === 'partial') && sameConnection(r, connection)) : runs.find((r) => r.id === fromRun);
  if (!run) {
    throw runNotFound(
      fromRun === 'last' ? `The run history has no successful ${EXPORT_GL_BATCH_TYPE} run${connection === undefined ? '' : ` on connection "${connection}"`}` : `The run history has no ${EXPORT_GL_BATCH_TYPE} run with the id ${fromRun}`,
      'See the run ids with: dropwise status --json',
    );
  }
  if (run.result !== 'success' && run.result !== 'partial') {
    throw runNotFound(`GL export run ${run.id} did not finish with a committed file (result ${run.result}); its entries are not batched`, 'Batch a GL export run whose file the accounting package imported');
  }
  return { run, ids: await keptIds(run.details ?? {}, run.id, artifacts), flags: flagsOf(run) };
}

/** Per GL export run: the batch created from it, if any (for `dropwise status`). */
export interface GlRunBatch {
  run: string;
  startedAt: string;
  glEntryIdCount: number;
  batch?: { batchIdentifier: string; batchId?: number; byRun: string };
}

export async function glRunBatches(history: Pick<RunReader, 'recent'>, glRuns: readonly RunRecord[]): Promise<GlRunBatch[]> {
  const exports = glRuns.filter((run) => run.task === EXPORT_GL_BATCH_TYPE && (run.result === 'success' || run.result === 'partial'));
  if (exports.length === 0) return [];
  const made = new Map<string, { batchIdentifier: string; batchId?: number; byRun: string }>();
  for (const run of await allRuns(history)) {
    for (const b of recordedBatches(run)) {
      const from = b.fromRun ?? (run.task === EXPORT_GL_BATCH_TYPE ? run.id : undefined);
      if (from !== undefined && !made.has(from)) made.set(from, { batchIdentifier: b.batchIdentifier, ...(b.batchId === undefined ? {} : { batchId: b.batchId }), byRun: run.id });
    }
  }
  return exports.map((run) => {
    const count = run.details?.['glEntryIdCount'];
    const batch = made.get(run.id);
    return { run: run.id, startedAt: run.startedAt, glEntryIdCount: typeof count === 'number' ? count : 0, ...(batch ? { batch } : {}) };
  });
}
