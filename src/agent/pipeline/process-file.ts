// The road of one claimed file: route it, plan its run, run it, and once the outputs are durable, dispose of
// the original (archive/delete, or outbox/fail with an .error.xml). Outcomes that say "try again later"
// (the outbox could not be written, the agent is stopping) leave the file in work/processing/.
import path from 'node:path';
import { DropwiseError, toDropwiseError, type DwCode } from '../../errors.js';
import { removeIfPresent } from '../../fs/retry.js';
import type { Logger } from '../../log.js';
import type { FileRoute, FileRouter } from '../../tasks/file-router.js';
import type { RunPlan, RunPlanner } from '../../tasks/run-plan.js';
import type { TaskInputFile, TaskOutcome } from '../../tasks/types.js';
import type { ClaimedFile } from '../intake/claim.js';
import { disposeDone, disposeFailed, type DisposalPlan, type DispositionResult } from './disposition.js';
import type { Journal } from './journal.js';
import type { OutputLog } from './outbox.js';
import { leftForRetry, runTask, type RunnerDeps } from './runner.js';

export interface FileResult {
  file: ClaimedFile;
  /** What became of the original: `retry` and `interrupted` leave it in work/processing/. */
  disposition: DispositionResult['disposition'] | 'retry' | 'interrupted';
  /** Where the original is now (archive or outbox/fail). */
  path?: string;
  errorPath?: string;
  route?: FileRoute;
  runId?: string;
  outcome?: TaskOutcome;
  /** Why the file failed as a whole, or why it is left for a retry. */
  error?: DropwiseError;
}

export interface FilePipelineDeps extends RunnerDeps {
  router: FileRouter;
  planner: RunPlanner;
  journal: Journal;
}

// Failures that are not the file's fault (keepForRetry) leave it in work/processing, tried again with
// back-off (and at the next start), so an outage or a full disk costs time, not a re-drop by hand.
// Re-running is safe: imports find what they already did; exports write their file again.

export async function processClaimed(file: ClaimedFile, deps: FilePipelineDeps, signal: AbortSignal): Promise<FileResult> {
  const log = deps.log.child({ file: file.name, claim: file.id });
  const previous = deps.journal.latestFor(file.id);
  // Outputs committed before a crash: only the disposal is left to do; running again would duplicate them.
  if (previous?.event === 'committed') {
    log.info('Resuming after the outputs were committed: disposing of the original only');
    const error = previous.error ? new DropwiseError(previous.error.code as DwCode, previous.error.message) : undefined;
    return dispose(file, { status: previous.status, outputs: previous.outputs, error }, deps, log, {});
  }

  let route: FileRoute | undefined;
  let plan: RunPlan;
  const input: TaskInputFile = { path: file.path, name: file.name, resumeFile: resumeFileOf(deps, file) };
  try {
    route = await deps.router.route(file.path, file.name);
    plan = deps.planner.plan(route, route.takesInput ? input : undefined);
  } catch (err) {
    const error = toDropwiseError(err);
    log.warn(`Cannot ${route ? 'plan' : 'route'} ${file.name}: ${error.code} ${error.fullMessage}`);
    const runId = await recordUnplanned(file, route, error, deps, log);
    return dispose(file, { status: 'failed', outputs: [], error }, deps, log, { ...(route ? { route } : {}), ...(runId !== undefined ? { runId } : {}) });
  }
  log.info(`Processing ${file.name} with ${route.definition.type} (${route.reason})`);

  const outputLog: OutputLog = {
    previous: () => deps.journal.outputsOf(file.id),
    record: (output) => deps.journal.record({ event: 'output', id: file.id, ...output }, { durable: true }),
  };
  const { runId, outcome } = await runTask(
    { plan, trigger: 'file', fileName: file.name, outputLog, signal, ...(route.takesInput ? { input } : {}) },
    deps,
  );
  const error = outcome.error;
  // Only a run that failed as a whole is left for a retry: a partial run has committed outputs already
  // (a Traede file whose marking failed), and running it again would only write them a second time.
  if (error && leftForRetry(outcome)) return leave(file, error, log, { route, runId, outcome });
  await deps.journal.record(
    {
      event: 'committed',
      id: file.id,
      status: outcome.status,
      outputs: outcome.outputs,
      ...(error ? { error: { code: error.code, message: error.fullMessage } } : {}),
    },
    { durable: true },
  );
  return dispose(file, { status: outcome.status, outputs: outcome.outputs, error }, deps, log, { route, runId, outcome });
}

/**
 * A file that failed before its run could start (unknown root, empty, a bad task request, settings
 * refused at planning) is in the run history too, under its task when one was chosen, else its root
 * element or `(none)`. A history that cannot be written does not stop the file from going to outbox/fail.
 */
async function recordUnplanned(file: ClaimedFile, route: FileRoute | undefined, error: DropwiseError, deps: FilePipelineDeps, log: Logger): Promise<string | undefined> {
  const task = route?.definition.type ?? (await deps.router.describe(file.path));
  try {
    const run = await deps.store.runs.start({ task, trigger: 'file', file: file.name, ...(route?.taskName !== undefined ? { taskName: route.taskName } : {}), ...(route?.connection !== undefined ? { connection: route.connection } : {}) });
    await deps.store.runs.finish(run.id, { result: 'failed', error: { code: error.code, message: error.fullMessage } });
    return run.id;
  } catch (err) {
    log.warn(`${file.name} is not in the run history: ${toDropwiseError(err).fullMessage}`);
    return undefined;
  }
}

/** The task's notes about a claim (TaskInputFile.resumeFile): work/claims/<claim id>.log. */
function resumeFileOf(deps: FilePipelineDeps, file: ClaimedFile): string {
  return path.join(deps.config.folders.work, 'claims', `${file.id}.log`);
}

type Done = Pick<TaskOutcome, 'status' | 'outputs'> & { error: DropwiseError | undefined };
type Extra = Pick<FileResult, 'route' | 'runId' | 'outcome'>;

async function dispose(file: ClaimedFile, done: Done, deps: FilePipelineDeps, log: Logger, extra: Extra): Promise<FileResult> {
  const folders = deps.config.folders;
  const plan: DisposalPlan = {
    previous: (kind) => deps.journal.plannedTarget(file.id, kind),
    record: (kind, target) => deps.journal.record({ event: 'disposing', id: file.id, kind, target }, { durable: true }),
  };
  let result: DispositionResult;
  try {
    // The run's outcome is in the journal now: its notes for a resume are no longer needed.
    await removeIfPresent(resumeFileOf(deps, file));
    result =
      done.status === 'failed'
        ? await disposeFailed(file, done.error ?? new DropwiseError('DW_INTERNAL', 'The run failed'), folders, plan)
        : await disposeDone(file, folders, deps.config.processing.originals, plan);
  } catch (err) {
    return leave(file, toDropwiseError(err, 'DW_OUTPUT_WRITE'), log, extra);
  }
  await deps.journal.record({ event: 'finished', id: file.id, disposition: result.disposition, ...(result.path ? { path: result.path } : {}) });
  if (result.disposition === 'failed') log.warn(`${file.name} failed and is in ${result.path}; the reason is in ${result.errorPath}`);
  else log.info(`${file.name} done (${done.status}); outputs: ${done.outputs.join(', ') || 'none'}; original ${result.disposition}`);
  return { file, ...result, ...extra, ...(done.error ? { error: done.error } : {}) };
}

function leave(file: ClaimedFile, error: DropwiseError, log: Logger, extra: Extra): FileResult {
  if (error.code === 'DW_SHUTDOWN') {
    log.info(`${file.name} was interrupted by the stop; it stays in work/processing and resumes at the next start`);
    return { file, disposition: 'interrupted', error, ...extra };
  }
  log.error(`${file.name} cannot be finished now: ${error.code} ${error.fullMessage}`);
  return { file, disposition: 'retry', error, ...extra };
}
