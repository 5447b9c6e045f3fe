// Runs the configured tasks that have a `schedule` (cron), read in the task's `timezone` when it has
// one. A run that is still going when its next time comes is not started twice: croner's overrun
// protection skips it, and the skip is logged. A task with `catchUp` runs once at start when a
// scheduled time passed since its last finished run (the agent was down), like Task Scheduler's "run
// as soon as possible after a missed start"; it runs through croner's trigger, so the overrun
// protection covers it too. Agents sharing a state run each fire time once: before a run, the agent
// claims the task's fire time (`claimFire`) and runs it only if no other agent had claimed it, and
// skips it, logged, while a run of the task still goes on any agent (the overrun protection across agents).
import { Cron } from 'croner';
import type { AppConfig } from '../config/load.js';
import { events } from '../events.js';
import type { Logger } from '../log.js';
import type { FireClaim, RunHistory } from '../state/index.js';
import { zonedIso } from '../time/zoned.js';

export interface SchedulerOptions {
  /** When the task's last finished run started; undefined when the history has none. For catchUp. */
  lastRunOf?: (name: string) => Promise<Date | undefined>;
  /** Claims a task's fire time for this agent (agents sharing a state); `run`: this agent runs it. Absent: every fire time is this agent's. */
  claimFire?: (name: string, fireAt: Date) => Promise<FireClaim>;
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

/**
 * The scheduled time a fire is for: the last one due by `now`, counting from `from` (the previous fire
 * time, or when the schedule began). Every agent computes the same time for the same fire, whatever
 * its timer's delay; a time skipped by the overrun protection is passed over.
 */
export function dueFireTime(job: Cron, from: Date, now: Date): Date {
  let at = job.nextRun(from);
  if (!at || at.getTime() > now.getTime()) return at ?? now;
  for (let next = job.nextRun(at); next && next.getTime() <= now.getTime(); next = job.nextRun(next)) at = next;
  return at;
}

/** A fire time as the log and status show it: in the schedule's zone when it has one. */
export function showFireTime(date: Date | null | undefined, timezone: string | undefined): string {
  if (!date) return 'never';
  return timezone ? `${zonedIso(date, timezone)} (${timezone})` : date.toISOString();
}

export class Scheduler {
  private readonly jobs = new Map<string, Cron>();
  /** Tasks whose catch-up run was claimed already: their next trigger runs without claiming again. */
  private readonly caughtUp = new Set<string>();
  private stopped = false;

  constructor(
    private readonly tasks: AppConfig['tasks'],
    private readonly log: Logger,
    private readonly runTask: (name: string) => Promise<void>,
    private readonly options: SchedulerOptions = {},
  ) {}

  start(): void {
    const startedAt = new Date();
    for (const [name, task] of Object.entries(this.tasks)) {
      if (task.schedule === undefined) continue;
      const job = new Cron(
        task.schedule,
        {
          // Unnamed: croner keeps named jobs in one process-wide list, where a name may be taken once.
          ...(task.timezone !== undefined ? { timezone: task.timezone } : {}),
          protect: () => this.skipped(name, 'from its last scheduled time'),
        },
        async (self: Cron) => {
          try {
            if (!this.caughtUp.delete(name) && !(await this.claim(name, dueFireTime(self, self.previousRun() ?? startedAt, new Date()), task.timezone))) return;
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
      if (!(await this.claim(name, missed, task.timezone))) continue;
      this.log.info(`Task ${name} missed its scheduled run at ${showFireTime(missed, task.timezone)} (last run started ${lastRun?.toISOString() ?? 'never'}); running it now (catchUp)`);
      if (this.options.claimFire) this.caughtUp.add(name);
      void job.trigger();
      started.push(name);
    }
    return started;
  }

  /** Whether this agent runs `name`'s fire time `fireAt` (always, alone; else when it claimed it first). */
  private async claim(name: string, fireAt: Date, timezone: string | undefined): Promise<boolean> {
    if (!this.options.claimFire) return true;
    // A stopping agent claims no more: a time it claimed would be run by no one.
    if (this.stopped) return false;
    try {
      const claim = await this.options.claimFire(name, fireAt);
      if (claim.run) return true;
      if (claim.runningOn !== undefined) this.skipped(name, `on ${claim.runningOn}`);
      else this.log.debug(`Task ${name}: its run of ${showFireTime(fireAt, timezone)} is another agent's`);
    } catch (err) {
      this.log.warn(`Task ${name}: its run of ${showFireTime(fireAt, timezone)} is skipped: it could not be claimed (${String(err)})`);
    }
    return false;
  }

  /** A fire time passed over because a run of the task is still going. */
  private skipped(name: string, where: string): void {
    this.log.warn(`Task ${name} is still running ${where}; this run is skipped`);
    if (events.scheduleSkipped.hasSubscribers) events.scheduleSkipped.publish({ task: name });
  }

  stop(): void {
    this.stopped = true;
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
  }
}
