// What `dropwise status` shows: recent runs, files in flight, files waiting in the inbox, watermarks.
// Read-only: it can run next to a running agent.
import type { AppConfig } from '../config/load.js';
import type { RunRecord, StateStore } from '../state/index.js';
import { glRunBatches, type GlRunBatch } from '../tasks/connectwise/batch/history.js';
import { readJournal } from './pipeline/journal.js';
import { listClaimed, listFiles } from './intake/recovery.js';
import { isPartialName } from './intake/stability.js';
import { workspaceOf } from './workspace.js';

export interface AgentStatus {
  runs: RunRecord[];
  /** Claimed files not finished yet, with when they were claimed. */
  inFlight: { id: string; name: string; claimedAt?: string; stage: 'claimed' | 'outputs committed' }[];
  /** Files in the inbox not yet claimed (partial and temp names left out). */
  waiting: string[];
  watermarks: Record<string, Record<string, string>>;
  /** The recent GL export runs, each with the accounting batch created from its entries, if any. */
  glBatches: GlRunBatch[];
}

export async function collectStatus(config: AppConfig, store: StateStore, recentRuns = 20): Promise<AgentStatus> {
  const ws = workspaceOf(config.folders);
  const [runs, claimed, inbox, watermarks, journal] = await Promise.all([
    store.runs.recent(recentRuns),
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
  const glBatches = await glRunBatches(store.runs, runs);
  return { runs, inFlight, waiting: inbox.filter((n) => !isPartialName(n)).sort(), watermarks, glBatches };
}
