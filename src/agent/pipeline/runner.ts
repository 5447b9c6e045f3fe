// Carries out one planned run (tasks/run-plan.ts), whatever started it (a file, a schedule, the CLI):
// records the run in the history, builds the TaskContext, runs, and turns anything thrown into a failed
// outcome with a DropwiseError. Outputs the task left open are dropped, so nothing half-written remains.
import path from 'node:path';
import { shutdownError } from '../../async/shutdown.js';
import type { AppConfig } from '../../config/load.js';
import type { Connectors } from '../../connectors/index.js';
import { DropwiseError, keepForRetry, toDropwiseError } from '../../errors.js';
import { events } from '../../events.js';
import type { Logger } from '../../log.js';
import type { RunRecord, StateStore } from '../../state/index.js';
import { thisProcess } from '../../state/process-identity.js';
import type { RunPlan } from '../../tasks/run-plan.js';
import { taskContext } from '../../tasks/context.js';
import type { TaskInputFile, TaskOutcome } from '../../tasks/types.js';
import { RunOutbox, type OutputLog } from './outbox.js';
import type { ProgressFactory } from './progress.js';

export interface RunnerDeps {
  config: AppConfig;
  log: Logger;
  store: StateStore;
  connectors: Connectors;
  progress: ProgressFactory;
}

export interface TaskRunRequest {
  plan: RunPlan;
  trigger: 'file' | 'schedule' | 'cli';
  /** The claimed file, for import tasks. */
  input?: TaskInputFile;
  /** The dropped file's name, for the run history (also for task requests, which get no input). */
  fileName?: string;
  /** The claim's output log, for the run of a claimed file (see outbox.ts). */
  outputLog?: OutputLog;
  signal: AbortSignal;
}

export interface TaskRunResult {
  /** Undefined when the run could not even be recorded (the run history is unreadable). */
  runId?: string;
  outcome: TaskOutcome & { error?: DropwiseError };
}

export async function runTask(request: TaskRunRequest, deps: RunnerDeps): Promise<TaskRunResult> {
  const { plan, signal } = request;
  const { definition, connection, taskKey } = plan;
  let run: RunRecord;
  try {
    run = await deps.store.runs.start({
      task: definition.type,
      trigger: request.trigger,
      taskKey,
      ...(plan.taskName !== undefined ? { taskName: plan.taskName } : {}),
      ...(request.fileName !== undefined ? { file: request.fileName } : {}),
      ...(connection !== undefined ? { connection } : {}),
      owner: await thisProcess(),
    });
  } catch (err) {
    // An unreadable run history (DW_STATE_READ) fails the run clearly instead of leaving it to be retried.
    return { outcome: { status: 'failed', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [], error: toDropwiseError(err, 'DW_STATE_WRITE') } };
  }
  const label = plan.taskName ?? request.fileName ?? definition.type;
  const log = deps.log.child({ run: run.id, task: definition.type });
  const outbox = new RunOutbox({ tmp: path.join(deps.config.folders.work, 'tmp'), success: deps.config.folders.success, fail: deps.config.folders.fail }, run.id, request.outputLog, (place) => deps.store.coordination.holding('placing an output', place));
  const progress = deps.progress(label);
  const startedAt = Date.now();
  let outcome: TaskRunResult['outcome'];
  try {
    outcome = await definition.run(
      { settings: plan.settings, ...(request.input ? { input: request.input } : {}) },
      taskContext({
        runId: run.id,
        taskKey,
        connection,
        config: deps.config,
        log,
        store: deps.store,
        connectors: deps.connectors,
        outbox,
        signal,
        progress: (p) => progress.update(p),
      }),
    );
    if (outcome.status === 'failed' && !outcome.error) {
      outcome = { ...outcome, error: new DropwiseError('DW_INTERNAL', `${definition.type} reported a failure without a reason`) };
    }
  } catch (err) {
    outcome = { status: 'failed', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [...outbox.committed], error: failureOf(err, signal) };
  } finally {
    progress.end();
    await outbox.abortOpen();
  }
  const interrupted = outcome.error?.code === 'DW_SHUTDOWN';
  if (events.runFinished.hasSubscribers) events.runFinished.publish({ task: definition.type, trigger: request.trigger, status: interrupted ? 'interrupted' : outcome.status, durationMs: Date.now() - startedAt, recordsOk: outcome.recordsOk, recordsFailed: outcome.recordsFailed });
  await deps.store.runs.finish(run.id, {
    // A file's run left for a retry is shown as waiting: the retry is a run of its own.
    result: interrupted ? 'interrupted' : request.trigger === 'file' && leftForRetry(outcome) ? 'waiting' : outcome.status,
    recordsIn: outcome.recordsIn,
    recordsOk: outcome.recordsOk,
    recordsFailed: outcome.recordsFailed,
    outputs: outcome.outputs,
    ...(outcome.details ? { details: outcome.details } : {}),
    ...(outcome.error ? { error: { code: outcome.error.code, message: outcome.error.fullMessage } } : {}),
  });
  await rememberFailures(run, plan, outcome.outputs, deps, log);
  return { runId: run.id, outcome };
}

/** Whether a file's run is left for a retry: it failed as a whole, for a cause that is not the file's (an outage, a full disk). */
export function leftForRetry(outcome: TaskRunResult['outcome']): boolean {
  return outcome.status === 'failed' && outcome.error !== undefined && keepForRetry(outcome.error);
}

/**
 * Adds the records of the run's fail file to the failed-records store (the dashboard searches them),
 * read back by the task itself. The outputs are safe already: a failure here is logged, not the run's.
 */
async function rememberFailures(run: RunRecord, plan: RunPlan, outputs: string[], deps: RunnerDeps, log: Logger): Promise<void> {
  const { readFailures } = plan.definition;
  if (!readFailures) return;
  const failDir = path.resolve(deps.config.folders.fail);
  for (const failFile of outputs.filter((o) => path.dirname(path.resolve(o)) === failDir)) {
    try {
      const records = [];
      for await (const read of readFailures(failFile)) {
        records.push({ ...read, runId: run.id, task: run.task, failFile, ...(run.taskName !== undefined ? { taskName: run.taskName } : {}), ...(run.file !== undefined ? { file: run.file } : {}) });
      }
      await deps.store.failures.add(records);
    } catch (err) {
      log.warn(`The failed records of ${failFile} could not be added to the failed-records store: ${String(err)}`);
    }
  }
}

/** Whatever a task threw; an abort while stopping is a shutdown, not a failure of the file. */
function failureOf(err: unknown, signal: AbortSignal): DropwiseError {
  if (signal.aborted && !(err instanceof DropwiseError && err.code !== 'DW_SHUTDOWN')) {
    return shutdownError('The agent stopped during the run', err);
  }
  return toDropwiseError(err);
}
