// The daily summary, like Zynk's workflow report: per task, the runs of the last 24 hours and how they
// ended, with their records, computed from the run history.
import type { RunHistory, RunRecord } from '../state/index.js';
import type { TaskSummary } from './events.js';

const DAY_MS = 24 * 60 * 60_000;
// The history is read newest first; this bounds the read well above a day of runs at any schedule.
const MAX_RUNS_READ = 100_000;

/** The runs started since `since`, grouped by configured task name (else task type), busiest first. */
export function summarizeRuns(runs: readonly RunRecord[], since: Date): TaskSummary[] {
  const byTask = new Map<string, TaskSummary>();
  for (const run of runs) {
    if (Date.parse(run.startedAt) < since.getTime()) continue;
    const task = run.taskName ?? run.task;
    const t = byTask.get(task) ?? { task, runs: 0, success: 0, partial: 0, failed: 0, recordsOk: 0, recordsFailed: 0 };
    t.runs++;
    if (run.result === 'success' || run.result === 'empty') t.success++;
    else if (run.result === 'partial') t.partial++;
    else if (run.result === 'failed') t.failed++;
    t.recordsOk += run.recordsOk;
    t.recordsFailed += run.recordsFailed;
    byTask.set(task, t);
  }
  return [...byTask.values()].sort((a, b) => b.runs - a.runs || a.task.localeCompare(b.task));
}

export async function lastDaySummary(history: RunHistory, now: Date): Promise<{ since: Date; tasks: TaskSummary[] }> {
  const since = new Date(now.getTime() - DAY_MS);
  return { since, tasks: summarizeRuns(await history.recent(MAX_RUNS_READ), since) };
}

/** The cron expression for a daily "HH:MM". */
export function dailyCron(time: string): string {
  const [hh = '0', mm = '0'] = time.split(':');
  return `${Number(mm)} ${Number(hh)} * * *`;
}
