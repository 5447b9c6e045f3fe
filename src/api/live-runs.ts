// The runs under way and their progress, for GET /api/status: a ProgressFactory that remembers each
// run's latest progress and hands every update on to the agent's usual progress (the log).
import type { ProgressFactory } from '../agent/pipeline/progress.js';
import type { TaskProgress } from '../tasks/types.js';

export interface LiveRun {
  /** The configured task's name, the file's name, or the task type. */
  label: string;
  startedAt: string;
  progress?: TaskProgress;
}

export class LiveRuns {
  private readonly runs = new Set<LiveRun>();

  track(inner: ProgressFactory): ProgressFactory {
    return (label) => {
      const run: LiveRun = { label, startedAt: new Date().toISOString() };
      this.runs.add(run);
      const sink = inner(label);
      return {
        update: (p) => {
          run.progress = { ...p };
          sink.update(p);
        },
        end: () => {
          this.runs.delete(run);
          sink.end();
        },
      };
    };
  }

  list(): LiveRun[] {
    return [...this.runs].map((r) => ({ ...r }));
  }
}
