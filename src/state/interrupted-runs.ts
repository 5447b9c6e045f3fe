// Runs a killed or crashed process left `running` in the history: closed as `interrupted` by the next
// process that takes the state folder. Only that process calls this, holding the state lock, so no
// other process can be adding to the history; a run whose owner still looks alive is left alone all
// the same (it cannot be, under the lock, but closing a live run would be the worse mistake).
import { isThisProcess, processState } from './process-identity.js';
import type { RunHistory, RunQuery, RunRecord } from './store.js';

const PAGE = 500;

/**
 * Closes every `running` run not owned by a live process as `interrupted`; returns the runs it closed.
 * `only` narrows the runs looked at: on a shared state, the runs of this agent (the lock holds them alone).
 */
export async function closeInterruptedRuns(runs: RunHistory, only: Pick<RunQuery, 'agent'> = {}): Promise<RunRecord[]> {
  const stillRunning: RunRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await runs.query({ ...only, result: 'running', limit: PAGE, offset });
    stillRunning.push(...page.runs);
    if (page.runs.length < PAGE || offset + PAGE >= page.total) break;
  }
  const closed: RunRecord[] = [];
  for (const run of stillRunning) {
    if (run.owner && ((await isThisProcess(run.owner)) || (await processState(run.owner)) === 'alive')) continue;
    const who = run.owner ? `pid ${run.owner.pid} on ${run.owner.hostname}` : 'an earlier dropwise process';
    await runs.finish(run.id, {
      result: 'interrupted',
      error: { code: 'DW_SHUTDOWN', message: `The process that ran it (${who}) ended before the run did (killed or crashed); a file it was processing resumes from work/processing` },
    });
    closed.push({ ...run, result: 'interrupted' });
  }
  return closed;
}
