// The GL entry ids of what was exported: what the accounting-batch creation (processedRecordIds)
// takes once the accounting package has imported the file. Invoices list theirs in
// `transactions[].glEntryIds` ("1010,1011"); an expense is its own entry (`expenses[].id`); a
// procurement receipt's entries are its lines (`purchaseTransactions[].purchaseDetail[].id`).
// Expense bills repeat their expenses' ids and are not counted twice.
//
// Up to `inlineLimit` ids are kept for the run details; past that they go to a sidecar file (one id
// per line) next to the state store, so a million-record export does not hold them all in memory, and
// a run history of thousands of runs (an export every 15 minutes) stays small. Only the newest
// sidecar files are kept: by then the accounting batches of older runs were made long ago.
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { DropwiseError } from '../../../errors.js';
import { isObject } from '../../../json/is-object.js';


/** Ids kept in the run details; more go to the sidecar file. */
export const INLINE_IDS_LIMIT = 500;
/** Sidecar files kept in their folder; older ones are deleted when a new one is written. */
export const SIDECAR_FILES_KEPT = 200;

const asId = (v: unknown): string | undefined => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? String(v).trim() : undefined);

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
  private file: fs.WriteStream | undefined;
  private pending = '';

  constructor(
    private readonly sidecarPath: string,
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
    if (this.pending.length >= 64 * 1024) await this.flush();
  }

  async finish(): Promise<GlEntryIdSummary> {
    if (this.file === undefined) return { glEntryIds: this.inline, glEntryIdCount: this.count };
    await this.flush();
    this.file.end();
    await finished(this.file);
    return { glEntryIdCount: this.count, glEntryIdsFile: this.sidecarPath };
  }

  /** Drops what was collected (a failed attempt). */
  async discard(): Promise<void> {
    this.inline = [];
    this.count = 0;
    this.pending = '';
    if (this.file === undefined) return;
    this.file.destroy();
    await finished(this.file).catch(() => undefined);
    this.file = undefined;
    await fs.promises.rm(this.sidecarPath, { force: true });
  }

  private async spill(): Promise<void> {
    try {
      await fs.promises.mkdir(path.dirname(this.sidecarPath), { recursive: true });
      this.file = fs.createWriteStream(this.sidecarPath);
      await once(this.file, 'open');
      await this.dropOldFiles();
    } catch (err) {
      throw new DropwiseError('DW_STATE_WRITE', `The GL entry id list could not be written to ${this.sidecarPath}: ${(err as Error).message}`, { cause: err });
    }
    this.pending = this.inline.length > 0 ? `${this.inline.join('\n')}\n` : '';
    this.inline = [];
  }

  /** Deletes all but the newest `filesKept` sidecar files (this run's counts as one). */
  private async dropOldFiles(): Promise<void> {
    const dir = path.dirname(this.sidecarPath);
    const names = (await fs.promises.readdir(dir)).filter((name) => name.endsWith('.txt'));
    if (names.length <= this.filesKept) return;
    const files = await Promise.all(
      names.map(async (name) => {
        const file = path.join(dir, name);
        // A file deleted meanwhile (another run pruning) sorts as oldest and is removed again harmlessly.
        const mtime = file === this.sidecarPath ? Infinity : await fs.promises.stat(file).then((st) => st.mtimeMs, () => 0);
        return { file, mtime };
      }),
    );
    files.sort((a, b) => b.mtime - a.mtime);
    await Promise.all(files.slice(this.filesKept).map(({ file }) => fs.promises.rm(file, { force: true })));
  }

  private async flush(): Promise<void> {
    if (this.file === undefined || this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!this.file.write(text)) await once(this.file, 'drain');
  }
}
