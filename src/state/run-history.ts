import { randomUUID } from 'node:crypto';
import { JsonDocument } from './json-document.js';
import type { NewRun, RunHistory, RunOutcome, RunPage, RunQuery, RunRecord } from './store.js';
import { crashPoint } from '../crash-point.js';

/** Keeps the newest runs; older ones drop off so the file stays small. */
export const RUN_HISTORY_LIMIT = 2000;

export class JsonRunHistory implements RunHistory {
  private readonly doc: JsonDocument<{ runs: RunRecord[] }>;

  constructor(file: string) {
    this.doc = new JsonDocument<{ runs: RunRecord[] }>(file, { runs: [] });
  }

  async start(run: NewRun): Promise<RunRecord> {
    const data = await this.doc.data();
    const record: RunRecord = {
      id: randomUUID(),
      ...run,
      startedAt: new Date().toISOString(),
      recordsIn: 0,
      recordsOk: 0,
      recordsFailed: 0,
      result: 'running',
      outputs: [],
    };
    data.runs.push(record);
    if (data.runs.length > RUN_HISTORY_LIMIT) data.runs.splice(0, data.runs.length - RUN_HISTORY_LIMIT);
    this.doc.touch();
    return { ...record };
  }

  async finish(id: string, outcome: RunOutcome): Promise<void> {
    const data = await this.doc.data();
    const run = data.runs.find((r) => r.id === id);
    if (!run) return;
    Object.assign(run, { endedAt: new Date().toISOString() }, outcome);
    await this.doc.save();
    crashPoint('history.finished');
  }

  async recent(limit: number): Promise<RunRecord[]> {
    const data = await this.doc.data();
    return data.runs.slice(-limit).reverse().map((r) => ({ ...r }));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const run = (await this.doc.data()).runs.find((r) => r.id === id);
    return run ? { ...run } : undefined;
  }

  async query(query: RunQuery): Promise<RunPage> {
    const runs = (await this.doc.data()).runs;
    const matching: RunRecord[] = [];
    for (let i = runs.length - 1; i >= 0; i--) {
      const run = runs[i] as RunRecord;
      if (matchesRun(run, query)) matching.push(run);
    }
    const offset = query.offset ?? 0;
    const page = matching.slice(offset, offset + (query.limit ?? 50));
    return { runs: page.map((r) => ({ ...r })), total: matching.length };
  }

  flush(): Promise<void> {
    return this.doc.flush();
  }
}

/** Whether a run passes every field of the filter. */
export function matchesRun(run: RunRecord, query: RunQuery): boolean {
  if (query.task !== undefined && run.task !== query.task && run.taskName !== query.task) return false;
  if (query.result !== undefined) {
    const results = Array.isArray(query.result) ? query.result : [query.result];
    if (!results.includes(run.result)) return false;
  }
  if (query.since !== undefined && run.startedAt < query.since) return false;
  if (query.until !== undefined && run.startedAt >= query.until) return false;
  if (query.file !== undefined && !(run.file ?? '').toLowerCase().includes(query.file.toLowerCase())) return false;
  return true;
}
