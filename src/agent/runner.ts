// Runs one task once, whatever started it (a file, a schedule, the CLI): records the run in the history,
// builds the TaskContext, parses the settings, runs, and turns anything thrown into a failed outcome
// with a DropwiseError. Outputs the task left open are dropped, so nothing half-written remains.
import path from 'node:path';
import { shutdownError } from '../async/shutdown.js';
import type { AppConfig } from '../config/load.js';
import type { Connectors } from '../connectors/index.js';
import { DropwiseError, toDropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunRecord, StateStore } from '../state/index.js';
import { taskContext } from '../tasks/context.js';
import type { TaskInputFile, TaskOutcome } from '../tasks/types.js';
import { RunOutbox } from './outbox.js';
import type { ProgressFactory } from './progress.js';
import type { ResolvedTask } from './resolve-task.js';
import { watermarkKey } from './task-key.js';

export interface RunnerDeps {
  config: AppConfig;
  log: Logger;
  store: StateStore;
  connectors: Connectors;
  progress: ProgressFactory;
}

export interface TaskRunRequest {
  task: ResolvedTask;
  trigger: 'file' | 'schedule' | 'cli';
  /** The claimed file, for import tasks. */
  input?: TaskInputFile;
  /** The dropped file's name, for the run history (also for task requests, which get no input). */
  fileName?: string;
  signal: AbortSignal;
}

export interface TaskRunResult {
  /** Undefined when the run could not even be recorded (the run history is unreadable). */
  runId?: string;
  outcome: TaskOutcome & { error?: DropwiseError };
}

/** The connection the task will use: the one asked for, else the default of its kind if there is one. */
function connectionOf(task: ResolvedTask, connectors: Connectors): string | undefined {
  if (task.connection !== undefined) return task.connection;
  try {
    return connectors.resolve(task.definition.connector);
  } catch {
    // No default: the task reports that itself when it asks for a client.
    return undefined;
  }
}

export async function runTask(request: TaskRunRequest, deps: RunnerDeps): Promise<TaskRunResult> {
  const { task, signal } = request;
  const { definition } = task;
  const connection = connectionOf(task, deps.connectors);
  const taskKey = watermarkKey({ ...task, type: definition.type }, connection);
  let run: RunRecord;
  try {
    run = await deps.store.runs.start({
      task: definition.type,
      trigger: request.trigger,
      taskKey,
      ...(task.taskName !== undefined ? { taskName: task.taskName } : {}),
      ...(request.fileName !== undefined ? { file: request.fileName } : {}),
      ...(connection !== undefined ? { connection } : {}),
    });
  } catch (err) {
    // An unreadable run history (DW_STATE_READ) fails the run clearly instead of leaving it to be retried.
    return { outcome: { status: 'failed', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [], error: toDropwiseError(err, 'DW_STATE_WRITE') } };
  }
  const label = task.taskName ?? request.fileName ?? definition.type;
  const log = deps.log.child({ run: run.id, task: definition.type });
  const outbox = new RunOutbox({ tmp: path.join(deps.config.folders.work, 'tmp'), success: deps.config.folders.success, fail: deps.config.folders.fail }, run.id);
  const progress = deps.progress(label);
  let outcome: TaskRunResult['outcome'];
  try {
    const settings = definition.parseSettings(task.settings, request.input);
    outcome = await definition.run(
      { settings, ...(request.input ? { input: request.input } : {}) },
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
  await deps.store.runs.finish(run.id, {
    result: interrupted ? 'interrupted' : outcome.status,
    recordsIn: outcome.recordsIn,
    recordsOk: outcome.recordsOk,
    recordsFailed: outcome.recordsFailed,
    outputs: outcome.outputs,
    ...(outcome.details ? { details: outcome.details } : {}),
    ...(outcome.error ? { error: { code: outcome.error.code, message: outcome.error.fullMessage } } : {}),
  });
  return { runId: run.id, outcome };
}

/** Whatever a task threw; an abort while stopping is a shutdown, not a failure of the file. */
function failureOf(err: unknown, signal: AbortSignal): DropwiseError {
  if (signal.aborted && !(err instanceof DropwiseError && err.code !== 'DW_SHUTDOWN')) {
    return shutdownError('The agent stopped during the run', err);
  }
  return toDropwiseError(err);
}
