// Runs the configured tasks that have a `schedule` (cron). A run that is still going when its next
// time comes is not started twice: croner's overrun protection skips it, and the skip is logged.
import { Cron } from 'croner';
import type { AppConfig } from '../config/load.js';
import { events } from '../events.js';
import type { Logger } from '../log.js';

export class Scheduler {
  private readonly jobs: Cron[] = [];

  constructor(
    private readonly tasks: AppConfig['tasks'],
    private readonly log: Logger,
    private readonly runTask: (name: string) => Promise<void>,
  ) {}

  start(): void {
    for (const [name, task] of Object.entries(this.tasks)) {
      if (task.schedule === undefined) continue;
      const job = new Cron(
        task.schedule,
        {
          name,
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
      this.jobs.push(job);
      this.log.info(`Task ${name} is scheduled (${task.schedule}); next run ${job.nextRun()?.toISOString() ?? 'never'}`);
    }
  }

  stop(): void {
    for (const job of this.jobs.splice(0)) job.stop();
  }
}
