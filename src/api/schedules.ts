// Each scheduled task's next fire time, computed from the config as the scheduler computes it (in the
// schedule's time zone when it has one, and shown in that zone too).
import { Cron } from 'croner';
import type { AppConfig } from '../config/load.js';
import { zonedIso } from '../time/zoned.js';

export interface ScheduleInfo {
  task: string;
  schedule: string;
  /** The IANA zone the schedule is read in; absent for the machine's own. */
  timezone?: string;
  catchUp?: boolean;
  /** ISO time of the next run (UTC); null when the expression never fires again. */
  nextRun: string | null;
  /** The same instant in the schedule's zone, with its offset (2026-01-02T02:00:00+01:00). */
  nextRunLocal?: string | null;
}

export function nextFireTimes(tasks: AppConfig['tasks'], from = new Date()): ScheduleInfo[] {
  const out: ScheduleInfo[] = [];
  for (const [task, { schedule, timezone, catchUp }] of Object.entries(tasks)) {
    if (schedule === undefined) continue;
    const job = new Cron(schedule, { paused: true, ...(timezone !== undefined ? { timezone } : {}) });
    const next = job.nextRun(from);
    job.stop();
    out.push({
      task,
      schedule,
      ...(timezone !== undefined ? { timezone, nextRunLocal: next ? zonedIso(next, timezone) : null } : {}),
      ...(catchUp ? { catchUp } : {}),
      nextRun: next?.toISOString() ?? null,
    });
  }
  return out;
}
