// Runs the configured tasks that have a `schedule` (cron), read in the task's `timezone` when it has
// one. A run that is still going when its next time comes is not started twice: croner's overrun
// protection skips it, and the skip is logged. A task with `catchUp` runs once at start when a
// scheduled time passed since its last finished run (the agent was down), like Task Scheduler's "run
// as soon as possible after a missed start"; it runs through croner's trigger, so the overrun
// protection covers it too.
import { Cron } from 'croner';
import type { AppConfig } from '../config/load.js';
import { events } from '../events.js';
import type { Logger } from '../log.js';
import type { RunHistory } from '../state/index.js';
import { zonedIso } from '../time/zoned.js';

export interface SchedulerOptions {
  /** When the task's last finished run started; undefined when the history has none. For catchUp. */
  lastRunOf?: (name: string) => Promise<Date | undefined>;
}

/** Results that mean a run did its work (or failed at it); an interrupted run did not, so it is caught up. */
const FINISHED = ['success', 'partial', 'failed', 'empty'] as const;

/** The start of the last finished run of a configured task, from the run history. */
export async function lastFinishedRun(runs: RunHistory, name: string): Promise<Date | undefined> {
  // `task` matches a type or a configured name; the page is scanned for this name's own runs.
  const { runs: page } = await runs.query({ task: name, result: [...FINISHED], limit: 50 });
  const last = page.find((r) => r.taskName === name);
  return last ? new Date(last.startedAt) : undefined;
}

/**
 * The first scheduled time after the last run that is already past, or undefined when none was
 * missed (or there is no earlier run to miss from: a new task does not fire on its first start).
 */
export function missedFireTime(job: Cron, lastRun: Date | undefined, now: Date): Date | undefined {
  if (!lastRun) return undefined;
  const next = job.nextRun(lastRun);
  return next && next.getTime() <= now.getTime() ? next : undefined;
}

/** A fire time as the log and status show it: in the schedule's zone when it has one. */
export function showFireTime(date: Date | null | undefined, timezone: string | undefined): string {
  if (!date) return 'never';
  return timezone ? `${zonedIso(date, timezone)} (${timezone})` : date.toISOString();
}

export class Scheduler {
  private readonly jobs = new Map<string, Cron>();

  constructor(
    private readonly tasks: AppConfig['tasks'],
    private readonly log: Logger,
    private readonly runTask: (name: string) => Promise<void>,
    private readonly options: SchedulerOptions = {},
  ) {}

  start(): void {
    for (const [name, task] of Object.entries(this.tasks)) {
      if (task.schedule === undefined) continue;
      const job = new Cron(
        task.schedule,
        {
          name,
          ...(task.timezone !== undefined ? { timezone: task.timezone } : {}),
          protect: () => {
            this.log.warn(`Task ${name} is still running from its last scheduled time; this run is skipped`);
            if (events.scheduleSkipped.hasSubscribers) events.scheduleSkipped.publish({ task: name });
          },
        },
        async () => {
          try {
            await this.runTask(name);
          } catch (err) {
            this.log.error(`Scheduled task ${name} failed: ${String(err)}`);
          }
        },
      );
      this.jobs.set(name, job);
      this.log.info(`Task ${name} is scheduled (${task.schedule}${task.timezone ? ` in ${task.timezone}` : ''}); next run ${showFireTime(job.nextRun(), task.timezone)}`);
    }
  }

  /**
   * For each task with catchUp, starts one run now when its last scheduled time was missed. Resolves
   * once each check is done (the runs go on in the background); returns the names started.
   */
  async catchUp(now = new Date()): Promise<string[]> {
    const started: string[] = [];
    for (const [name, job] of this.jobs) {
      const task = this.tasks[name];
      if (!task?.catchUp) continue;
      let lastRun: Date | undefined;
      try {
        lastRun = await this.options.lastRunOf?.(name);
      } catch (err) {
        this.log.warn(`Task ${name}: cannot tell whether a scheduled run was missed (the run history failed: ${String(err)}); no catch-up run`);
        continue;
      }
      const missed = missedFireTime(job, lastRun, now);
      if (!missed) continue;
      this.log.info(`Task ${name} missed its scheduled run at ${showFireTime(missed, task.timezone)} (last run started ${lastRun?.toISOString() ?? 'never'}); running it now (catchUp)`);
      void job.trigger();
      started.push(name);
    }
    return started;
  }

  stop(): void {
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
  }
}
