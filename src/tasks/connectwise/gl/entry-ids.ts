// The GL entry ids of what was exported: what the accounting-batch creation (processedRecordIds)
// takes once the accounting package has imported the file. Invoices list theirs in
// `transactions[].glEntryIds` ("1010,1011"); an expense is its own entry (`expenses[].id`); a
// procurement receipt's entries are its lines (`purchaseTransactions[].purchaseDetail[].id`).
// Expense bills repeat their expenses' ids and are not counted twice.
//
// Up to `inlineLimit` ids are kept for the run details; past that they go to a sidecar file (one id
// per line), a run artifact beside the state store, so a million-record export does not hold them all
// in memory, and a run history of thousands of runs (an export every 15 minutes) stays small. Only the
// newest sidecar files are kept: by then the accounting batches of older runs were made long ago.
import { DropwiseError } from '../../../errors.js';
import { isObject } from '../../../json/is-object.js';
import type { RunArtifact, RunArtifacts } from '../../../state/run-artifacts.js';

/** The run artifact kind (folder under the state store) of the sidecar files. */
export const SIDECAR_KIND = 'gl-entry-ids';

/** Ids kept in the run details; more go to the sidecar file. */
export const INLINE_IDS_LIMIT = 500;
/** Sidecar files kept in their folder; older ones are deleted when a new one is written. */
export const SIDECAR_FILES_KEPT = 200;
/**
 * Ids collected before they are written to the sidecar file. Small on purpose: a string of ids kept
 * while thousands of records go by outlives young-generation collections and is promoted, and the old
 * space then grew until a full collection. A 1.1 GB GL export peaked at 127 MB with 64 KB, 95 MB with
 * 4 KB (99 and 85 MB under --max-semi-space-size=4).
 */
const SIDECAR_FLUSH_BYTES = 4 * 1024;

const asId = (v: unknown): string | undefined => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? String(v).trim() : undefined);

/** The properties of each container's records that glEntryIdsOf reads: all a GL export parses of them. */
export const GL_ENTRY_ID_PROPERTIES: Readonly<Record<string, readonly string[]>> = { transactions: ['glEntryIds'], expenses: ['id'], purchaseTransactions: ['purchaseDetail'] };

export function glEntryIdsOf(container: string, record: unknown): string[] {
  if (!isObject(record)) return [];
  if (container === 'transactions') {
    const ids = record['glEntryIds'];
    return typeof ids === 'string' ? ids.split(',').map((s) => s.trim()).filter(Boolean) : [];
  }
  if (container === 'expenses') {
    const id = asId(record['id']);
    return id === undefined ? [] : [id];
  }
  if (container === 'purchaseTransactions') {
    const lines = record['purchaseDetail'];
    return Array.isArray(lines) ? lines.flatMap((line) => (isObject(line) ? (asId(line['id']) ?? []) : [])) : [];
  }
  return [];
}

export interface GlEntryIdSummary {
  /** Every id, when there are at most `inlineLimit`. */
  glEntryIds?: string[];
  glEntryIdCount: number;
  /** The sidecar file holding every id, one a line, when there are more. */
  glEntryIdsFile?: string;
}

export class GlEntryIdSink {
  private inline: string[] = [];
  private count = 0;
  private file: RunArtifact | undefined;
  private pending = '';

  constructor(
    private readonly artifacts: RunArtifacts,
    private readonly inlineLimit = INLINE_IDS_LIMIT,
    private readonly filesKept = SIDECAR_FILES_KEPT,
  ) {}

  async add(container: string, record: unknown): Promise<void> {
    const ids = glEntryIdsOf(container, record);
    if (ids.length === 0) return;
    this.count += ids.length;
    if (this.file === undefined && this.inline.length + ids.length <= this.inlineLimit) {
      this.inline.push(...ids);
      return;
    }
    if (this.file === undefined) await this.spill();
    this.pending += `${ids.join('\n')}\n`;
    if (this.pending.length >= SIDECAR_FLUSH_BYTES) await this.flush();
  }

  async finish(): Promise<GlEntryIdSummary> {
    if (this.file === undefined) return { glEntryIds: this.inline, glEntryIdCount: this.count };
    await this.flush();
    const file = this.file;
    try {
      return { glEntryIdCount: this.count, glEntryIdsFile: await file.commit() };
    } catch (err) {
      throw new DropwiseError('DW_STATE_WRITE', `The GL entry id list could not be written to ${file.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Drops what was collected (a failed attempt). */
  async discard(): Promise<void> {
    this.inline = [];
    this.count = 0;
    this.pending = '';
    const file = this.file;
    this.file = undefined;
    await file?.discard();
  }

  private async spill(): Promise<void> {
    try {
      this.file = await this.artifacts.create(SIDECAR_KIND, this.filesKept);
    } catch (err) {
      throw new DropwiseError('DW_STATE_WRITE', `The GL entry id list could not be started: ${(err as Error).message}`, { cause: err });
    }
    this.pending = this.inline.length > 0 ? `${this.inline.join('\n')}\n` : '';
    this.inline = [];
  }

  private async flush(): Promise<void> {
    if (this.file === undefined || this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    await this.file.write(text);
  }
}
