import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/load.js';
import { removeDurableTemps } from '../fs/fsync.js';
import { LocalCoordination } from './coordination.js';
import { JsonLinesActionLog } from './action-log.js';
import { JsonLinesFailedRecords } from './failed-records.js';
import { closeInterruptedRuns } from './interrupted-runs.js';
import { acquireLock, type AcquiredLock } from './lock-file.js';
import { FileRunArtifacts } from './run-artifacts.js';
import { DailyRunHistory, type RunHistoryOptions } from './run-history.js';
import type { Fence } from './postgres/transaction.js';
import type { StateStore } from './store.js';
import { ShardedTruthTable } from './truth-table.js';
import { JsonWatermarks } from './watermarks.js';

export type * from './store.js';
export type { Fence } from './postgres/transaction.js';

export interface StateStoreOptions {
  /** Days of run history kept (config history.keepDays); absent: every day. */
  historyKeepDays?: number;
}

export interface ConfiguredStateStoreOptions {
  /** With postgres: the fence every durable write checks (see postgres/transaction.ts); absent: this agent's lease (coordination.fence()). */
  fence?: () => Fence | undefined;
  /** With postgres: told of a connection that broke while idle. */
  onIdleError?: (err: Error) => void;
}

/**
 * The state store the config names: the local files under folders.state, or the PostgreSQL schema of
 * state.postgres (its driver loaded only then). The config's state URL must be resolved.
 */
export async function openConfiguredStateStore(config: Pick<AppConfig, 'state' | 'agent' | 'folders' | 'history'>, options: ConfiguredStateStoreOptions = {}): Promise<StateStore> {
  if (config.state.backend === 'local') return openStateStore(config.folders.state, { historyKeepDays: config.history.keepDays });
  const { openPostgresStateStore } = await import('./postgres/index.js');
  return openPostgresStateStore({ postgres: config.state.postgres, agent: config.agent.name, historyKeepDays: config.history.keepDays, ...options });
}

/** The local store, with its stores' own types (what `dropwise state copy` reads whole). */
export interface LocalStateStore extends StateStore {
  readonly dir: string;
  runs: DailyRunHistory;
  watermarks: JsonWatermarks;
  truth: ShardedTruthTable;
  failures: JsonLinesFailedRecords;
  actions: JsonLinesActionLog;
}

/** The local-file state store: runs/, watermarks.json, truth/, failed-records.jsonl and actions.jsonl under `dir`, locked by dropwise.lock. */
export function openStateStore(dir: string, options: StateStoreOptions = {}): LocalStateStore {
  let lock: AcquiredLock | undefined;
  const historyOptions: RunHistoryOptions = options.historyKeepDays !== undefined ? { keepDays: options.historyKeepDays } : {};
  const runs = new DailyRunHistory(dir, historyOptions);
  const watermarks = new JsonWatermarks(path.join(dir, 'watermarks.json'));
  const truth = new ShardedTruthTable(path.join(dir, 'truth'), { mayFold: () => lock !== undefined });
  const failures = new JsonLinesFailedRecords(path.join(dir, 'failed-records.jsonl'));
  const actions = new JsonLinesActionLog(path.join(dir, 'actions.jsonl'));
  const flush = async () => {
    await Promise.all([runs.flush(), watermarks.flush(), truth.flush(), failures.flush(), actions.flush()]);
  };
  const unlock = async () => {
    try {
      await flush();
    } finally {
      const held = lock;
      lock = undefined;
      await held?.release();
    }
  };
  return {
    dir,
    runs,
    watermarks,
    truth,
    failures,
    actions,
    artifacts: (runId) => new FileRunArtifacts(dir, runId),
    coordination: new LocalCoordination(),
    flush,
    // A lock file in the state folder: only this host's processes can be checked.
    lockSpansHosts: false,
    lock: async (purpose) => {
      if (lock) return {};
      lock = await acquireLock(dir, purpose);
      return lock.tookOverFrom !== undefined ? { tookOverFrom: lock.tookOverFrom } : {};
    },
    recover: async () => {
      // A write cut short by a crash left its temp file beside the whole old one (truth shards, documents, artifacts).
      const tempsRemoved = await removeStateTemps(dir);
      // The history only tells what happened; the watermarks and the truth table decide what happens next.
      const runHistorySetAside = await runs.setAsideIfDamaged();
      await watermarks.check();
      await truth.check();
      const interrupted = await closeInterruptedRuns(runs);
      return { ...(runHistorySetAside !== undefined ? { runHistorySetAside } : {}), interrupted, tempsRemoved };
    },
    unlock,
    close: unlock,
  };
}

/** Removes unfinished durable writes in the state folder and its sub-folders; how many there were. */
async function removeStateTemps(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const counts = await Promise.all([dir, ...entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name))].map((d) => removeDurableTemps(d)));
  return counts.reduce((a, b) => a + b, 0);
}
