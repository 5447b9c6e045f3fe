// The failed records of every import, across runs: what the dashboard's "Failed records" page searches.
// Local default: one JSON line per record in failed-records.jsonl, appended (a write costs one line,
// not the whole file) and indexed in memory at first use. 50,000 records are a few tens of MB and a
// search is a scan over prepared lower-case text: milliseconds.
import { appendFileDurable } from '../fs/fsync.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { errnoCode, retryTransient } from '../fs/retry.js';
import type { FailedRecord, FailedRecordQuery, FailedRecordPage, FailedRecordStore, NewFailedRecord } from './store.js';

interface Indexed {
  record: FailedRecord;
  /** Invoice id, externalId, codes, messages and file name, lower-cased: what a text search looks in. */
  haystack: string;
}

/** What a text search looks in: invoice id, externalId, file and task name, error codes, messages and fields, lower-cased. */
export function searchTextOf(record: NewFailedRecord): string {
  const parts = [record.invoiceId, record.externalId, record.file, record.taskName, ...record.errors.flatMap((e) => [e.code, e.message, e.field])];
  return parts.filter((p) => p !== undefined).join('\n').toLowerCase();
}

export class JsonLinesFailedRecords implements FailedRecordStore {
  private loaded: Promise<Indexed[]> | undefined;
  private readonly byId = new Map<string, Indexed>();
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async add(records: NewFailedRecord[]): Promise<FailedRecord[]> {
    if (records.length === 0) return [];
    const index = await this.index();
    const at = new Date().toISOString();
    const added = records.map((r): FailedRecord => ({ id: randomUUID(), at, ...r }));
    const text = added.map((r) => `${JSON.stringify(r)}\n`).join('');
    const write = this.writes.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await appendFileDurable(this.file, text);
    });
    this.writes = write.catch(() => undefined);
    try {
      await write;
    } catch (err) {
      throw new DropwiseError('DW_STATE_WRITE', `The failed records could not be added to ${this.file}: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
    for (const record of added) this.remember(index, record);
    return added.map((r) => structuredClone(r));
  }

  async search(query: FailedRecordQuery = {}): Promise<FailedRecordPage> {
    const index = await this.index();
    const text = query.text?.trim().toLowerCase() ?? '';
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const page: FailedRecord[] = [];
    let total = 0;
    // Newest first: the index is in the order records were added.
    for (let i = index.length - 1; i >= 0; i--) {
      const { record, haystack } = index[i] as Indexed;
      if (query.runId !== undefined && record.runId !== query.runId) continue;
      if (query.code !== undefined && !record.errors.some((e) => e.code === query.code)) continue;
      if (text !== '' && !haystack.includes(text)) continue;
      if (total >= offset && page.length < limit) page.push(structuredClone(record));
      total++;
    }
    return { records: page, total };
  }

  async get(id: string): Promise<FailedRecord | undefined> {
    await this.index();
    const found = this.byId.get(id);
    return found ? structuredClone(found.record) : undefined;
  }

  async flush(): Promise<void> {
    await this.writes;
  }

  private index(): Promise<Indexed[]> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load(): Promise<Indexed[]> {
    const index: Indexed[] = [];
    let text: string;
    try {
      text = await retryTransient(() => fs.readFile(this.file, 'utf8'));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return index;
      throw new DropwiseError('DW_STATE_READ', `${this.file} cannot be read: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.remember(index, JSON.parse(line) as FailedRecord);
      } catch {
        // A line cut off by a crash mid-append is the only damage an append can do: skip it.
      }
    }
    return index;
  }

  private remember(index: Indexed[], record: FailedRecord): void {
    const entry = { record, haystack: searchTextOf(record) };
    index.push(entry);
    this.byId.set(record.id, entry);
  }
}
