// What `dropwise status` shows: runs (the newest, or those a filter picks), files in flight, files
// waiting in the inbox, watermarks. Read-only: it can run next to a running agent.
import type { AppConfig } from '../config/load.js';
import type { RunQuery, RunRecord, StateStore } from '../state/index.js';
import { glRunBatches, type GlRunBatch } from '../tasks/connectwise/batch/history.js';
import { readJournal } from './pipeline/journal.js';
import { listClaimed, listFiles } from './intake/recovery.js';
import { isPartialName } from './intake/stability.js';
import { workspaceOf } from './workspace.js';

/** Runs `dropwise status` shows when no --limit is given. */
export const STATUS_RUNS = 20;

export interface AgentStatus {
  /** The runs matching the query, newest first, at most its limit. */
  runs: RunRecord[];
  /** How many runs match the query in all. */
  runsMatching: number;
  /** Claimed files not finished yet, with when they were claimed. */
  inFlight: { id: string; name: string; claimedAt?: string; stage: 'claimed' | 'outputs committed' }[];
  /** Files in the inbox not yet claimed (partial and temp names left out). */
  waiting: string[];
  watermarks: Record<string, Record<string, string>>;
  /** The recent GL export runs, each with the accounting batch created from its entries, if any. */
  glBatches: GlRunBatch[];
}

export async function collectStatus(config: AppConfig, store: StateStore, runQuery: RunQuery = { limit: STATUS_RUNS }): Promise<AgentStatus> {
  const ws = workspaceOf(config.folders);
  const [page, claimed, inbox, watermarks, journal] = await Promise.all([
    store.runs.query({ limit: STATUS_RUNS, ...runQuery }),
    listClaimed(ws.processing),
    listFiles(ws.inbox),
    store.watermarks.all(),
    readJournal(ws.journal),
  ]);
  const inFlight = claimed.map((file) => {
    const entries = journal.filter((e) => e.id === file.id);
    const claimedAt = entries.find((e) => e.event === 'claimed')?.at;
    const committed = entries.some((e) => e.event === 'committed');
    return { id: file.id, name: file.name, ...(claimedAt ? { claimedAt } : {}), stage: committed ? ('outputs committed' as const) : ('claimed' as const) };
  });
  const runs = page.runs;
  const glBatches = await glRunBatches(store.runs, runs);
  return { runs, runsMatching: page.total, inFlight, waiting: inbox.filter((n) => !isPartialName(n)).sort(), watermarks, glBatches };
}
