// The run history, kept by age at any volume: one append-only JSON-lines file per UTC day a run
// started, `<state>/runs/YYYY-MM-DD.jsonl`. A run is two lines, `{"start":{…the record}}` when it starts
// and `{"finish":{"id":…, …the outcome}}` when it ends (in its start day's file), folded when read. Each
// append is fsynced, so a write costs one small append whether the history holds 10 runs or 100,000
// (lowdb rewrote the whole runs.json on every write). Day files older than keepDays are deleted.
// The whole history is read into memory on first use (11,000 runs, 90 days of the example schedules,
// are a few MB) and kept current by this process's own writes; only the process holding the state lock
// writes, and a reader (`dropwise status`) is short-lived.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { appendFileDurable, fsyncDir } from '../fs/fsync.js';
import { errnoCode, removeIfPresent, renameRetry, retryTransient } from '../fs/retry.js';
import { DAY_FILE, dayFileName, dayOf, foldDayFile, runLine, stateError, type RunLine } from './run-day-file.js';
import { migrateRunsJson, readLegacyRuns } from './run-history-migration.js';
import type { NewRun, RunHistory, RunOutcome, RunPage, RunQuery, RunRecord } from './store.js';
import { crashPoint } from '../crash-point.js';

export const RUNS_DIR = 'runs';

export interface RunHistoryOptions {
  /** Day files older than this many days are deleted when a run is written; 0 or absent keeps every day. */
  keepDays?: number;
}

/** A run as it starts, under a new id, on either backend. */
export function startedRun(run: NewRun, agent?: string): RunRecord {
  return {
    id: randomUUID(),
    ...run,
    ...(agent !== undefined ? { agent } : {}),
    startedAt: new Date().toISOString(),
    recordsIn: 0,
    recordsOk: 0,
    recordsFailed: 0,
    result: 'running',
    outputs: [],
  };
}

export class DailyRunHistory implements RunHistory {
  readonly dir: string;
  private readonly legacyFile: string;
  private readonly keepDays: number;
  /** Every run kept, in start order. */
  private runs: RunRecord[] = [];
  private byId = new Map<string, RunRecord>();
  private loaded: Promise<void> | undefined;
  /** Migration and the first retention pass, done before this process's first write. */
  private prepared = false;
  /** Day files this process appended to (their torn tail, if any, is cut off before the first append). */
  private readonly appendedDays = new Set<string>();
  /** The day of the last run started here: a new day runs the retention pass again. */
  private lastDay: string | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string, options: RunHistoryOptions = {}) {
    this.dir = path.join(stateDir, RUNS_DIR);
    this.legacyFile = path.join(stateDir, 'runs.json');
    this.keepDays = options.keepDays ?? 0;
  }

  start(run: NewRun): Promise<RunRecord> {
    return this.serially(async () => {
      await this.prepare();
      const record = startedRun(run);
      const day = dayOf(record);
      if (day !== this.lastDay) await this.dropOldDays(day);
      this.lastDay = day;
      await this.append(day, { start: record });
      this.runs.push(record);
      this.byId.set(record.id, record);
      return { ...record };
    });
  }

  finish(id: string, outcome: RunOutcome): Promise<void> {
    return this.serially(async () => {
      await this.prepare();
      const run = this.byId.get(id);
      if (!run) return;
      const finished = { endedAt: new Date().toISOString(), ...outcome };
      await this.append(dayOf(run), { finish: { id, ...finished } });
      Object.assign(run, finished);
      crashPoint('history.finished');
    });
  }

  async recent(limit: number): Promise<RunRecord[]> {
    await this.load();
    const out: RunRecord[] = [];
    for (let i = this.runs.length - 1; i >= 0 && out.length < limit; i--) out.push({ ...(this.runs[i] as RunRecord) });
    return out;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    await this.load();
    const run = this.byId.get(id);
    return run ? { ...run } : undefined;
  }

  async query(query: RunQuery): Promise<RunPage> {
    await this.load();
    const offset = query.offset ?? 0;
    const end = offset + (query.limit ?? 50);
    const page: RunRecord[] = [];
    let total = 0;
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i] as RunRecord;
      if (!matchesRun(run, query)) continue;
      if (total >= offset && total < end) page.push({ ...run });
      total++;
    }
    return { runs: page, total };
  }

  /**
   * For the process that owns the state, at its start: a day file (or a runs.json not migrated yet)
   * that does not parse is renamed to `<file>.damaged-<time>` and the history goes on without it, losing
   * only the runs it held. Returns where the damaged files went; one that cannot be read at all
   * (permissions, I/O) still throws DW_STATE_READ: moving it would not help.
   */
  async setAsideIfDamaged(): Promise<string | undefined> {
    const files = [this.legacyFile, ...(await this.dayFiles()).map((name) => path.join(this.dir, name))];
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const movedTo: string[] = [];
    for (const file of files) {
      const text = await readHistoryFile(file);
      if (text === undefined || parses(file === this.legacyFile, text, file)) continue;
      const target = `${file}.damaged-${stamp}`;
      await renameRetry(file, target);
      await fsyncDir(path.dirname(file));
      movedTo.push(target);
    }
    // Read again without what was set aside.
    if (movedTo.length > 0) this.loaded = undefined;
    return movedTo.length > 0 ? movedTo.join(', ') : undefined;
  }

  /** Every write is durable when it returns; this waits for one under way. */
  async flush(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writes.then(work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Reads the day files, and a runs.json not migrated yet (read only: a reader writes nothing). */
  private load(): Promise<void> {
    this.loaded ??= (async () => {
      const folded = new Map<string, RunRecord>();
      for (const run of (await readLegacyRuns(this.legacyFile)) ?? []) folded.set(run.id, { ...run });
      for (const name of await this.dayFiles()) {
        const file = path.join(this.dir, name);
        const text = await readHistoryFile(file);
        if (text !== undefined) foldDayFile(text, file, folded);
      }
      // Stable: runs started in the same millisecond stay in the order they were written.
      this.runs = [...folded.values()].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
      this.byId = new Map(this.runs.map((run) => [run.id, run]));
    })();
    this.loaded.catch(() => {
      this.loaded = undefined;
    });
    return this.loaded;
  }

  private async prepare(): Promise<void> {
    await this.load();
    if (this.prepared) return;
    await migrateRunsJson(this.legacyFile, this.dir);
    this.prepared = true;
  }

  /** The day file names, oldest first. */
  private async dayFiles(): Promise<string[]> {
    try {
      return (await fs.readdir(this.dir)).filter((name) => DAY_FILE.test(name)).sort();
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw stateError(this.dir, 'read', err);
    }
  }

  /** Deletes the day files, and forgets the runs, of the days before `today` minus keepDays. */
  private async dropOldDays(today: string): Promise<void> {
    if (this.keepDays <= 0) return;
    const cutoff = new Date(Date.parse(`${today}T00:00:00Z`) - this.keepDays * 86_400_000).toISOString().slice(0, 10);
    const old = (await this.dayFiles()).filter((name) => name < dayFileName(cutoff));
    try {
      for (const name of old) await removeIfPresent(path.join(this.dir, name));
      if (old.length > 0) await fsyncDir(this.dir);
    } catch (err) {
      throw stateError(this.dir, 'written', err);
    }
    if (this.runs.length > 0 && dayOf(this.runs[0] as RunRecord) < cutoff) {
      this.runs = this.runs.filter((run) => dayOf(run) >= cutoff);
      this.byId = new Map(this.runs.map((run) => [run.id, run]));
    }
  }

  private async append(day: string, line: RunLine): Promise<void> {
    const file = path.join(this.dir, dayFileName(day));
    try {
      if (!this.appendedDays.has(day)) {
        await fs.mkdir(this.dir, { recursive: true });
        await cutTornTail(file);
        this.appendedDays.add(day);
      }
      await appendFileDurable(file, runLine(line));
    } catch (err) {
      throw stateError(file, 'written', err);
    }
  }
}

/**
 * A line torn by a crash during its append was never reported durable: it is cut off before this
 * process appends (or the next line would be glued to it), never by a reader, for whom it may be a line
 * the writer is appending right now.
 */
async function cutTornTail(file: string): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await retryTransient(() => fs.readFile(file));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end < bytes.length) await fs.truncate(file, end);
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
  if (query.agent !== undefined && run.agent !== query.agent) return false;
  return true;
}

/** A history file's text; undefined when it is gone (another process set it aside or deleted an old day). */
async function readHistoryFile(file: string): Promise<string | undefined> {
  try {
    return await retryTransient(() => fs.readFile(file, 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw stateError(file, 'read', err);
  }
}

/** Whether a history file's text reads: runs.json as one JSON document, a day file line by line. */
function parses(legacy: boolean, text: string, file: string): boolean {
  try {
    if (legacy) return Array.isArray((JSON.parse(text) as { runs?: unknown }).runs);
    foldDayFile(text, file, new Map());
    return true;
  } catch {
    return false;
  }
}
