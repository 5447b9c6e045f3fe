import { randomUUID } from 'node:crypto';
import { JsonDocument } from './json-document.js';
import type { NewRun, RunHistory, RunOutcome, RunRecord } from './store.js';

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
  }

  async recent(limit: number): Promise<RunRecord[]> {
    const data = await this.doc.data();
    return data.runs.slice(-limit).reverse().map((r) => ({ ...r }));
  }

  flush(): Promise<void> {
    return this.doc.flush();
  }
}
