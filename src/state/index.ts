import path from 'node:path';
import { JsonRunHistory } from './run-history.js';
import type { StateStore } from './store.js';
import { ShardedTruthTable } from './truth-table.js';
import { JsonWatermarks } from './watermarks.js';

export type * from './store.js';

/** The local-file state store: runs.json, watermarks.json and truth/ under `dir`. */
export function openStateStore(dir: string): StateStore {
  const runs = new JsonRunHistory(path.join(dir, 'runs.json'));
  const watermarks = new JsonWatermarks(path.join(dir, 'watermarks.json'));
  const truth = new ShardedTruthTable(path.join(dir, 'truth'));
  const flush = async () => {
    await Promise.all([runs.flush(), watermarks.flush(), truth.flush()]);
  };
  return { runs, watermarks, truth, flush, close: flush };
}
