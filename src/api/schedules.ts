// Each scheduled task's next fire time, computed from the config as the scheduler computes it.
import { Cron } from 'croner';
import type { AppConfig } from '../config/load.js';

export interface ScheduleInfo {
  task: string;
  schedule: string;
  /** ISO time of the next run; null when the expression never fires again. */
  nextRun: string | null;
}

export function nextFireTimes(tasks: AppConfig['tasks'], from = new Date()): ScheduleInfo[] {
  const out: ScheduleInfo[] = [];
  for (const [task, { schedule }] of Object.entries(tasks)) {
    if (schedule === undefined) continue;
    const job = new Cron(schedule, { paused: true });
    out.push({ task, schedule, nextRun: job.nextRun(from)?.toISOString() ?? null });
    job.stop();
  }
  return out;
}
