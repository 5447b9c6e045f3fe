// The agent: watcher → stability → claim → (bounded concurrency) route → run → dispose, plus the
// scheduler. `start()` resumes what a previous run left in work/processing/; `stop()` stops taking
// files, tells running tasks to stop, waits up to a grace period and leaves the rest to resume.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../async/backoff.js';
import type { AppConfig } from '../config/load.js';
import type { Connectors } from '../connectors/index.js';
import { events } from '../events.js';
import type { Logger } from '../log.js';
import type { Notifier } from '../notify/notifier.js';
import type { StateStore } from '../state/index.js';
import { acquireLock, type AcquiredLock } from '../state/lock-file.js';
import { FileRouter } from '../tasks/file-router.js';
import type { TaskRegistry } from '../tasks/registry.js';
import { RunPlanner } from '../tasks/run-plan.js';
import { claimFile, type ClaimedFile } from './intake/claim.js';
import { isPresent } from '../fs/retry.js';
import { Journal } from './pipeline/journal.js';
import { Limiter } from '../async/limiter.js';
import { processClaimed, type FilePipelineDeps, type FileResult } from './pipeline/process-file.js';
import { logProgress, type ProgressFactory } from './pipeline/progress.js';
import { listClaimed, removeStaleTemps } from './intake/recovery.js';
import { runTask, type TaskRunResult } from './pipeline/runner.js';
import { Scheduler } from './scheduler.js';
import { InboxWatcher } from './intake/watcher.js';
import { createFolders, workspaceOf, type Workspace } from './workspace.js';

export interface AgentDeps {
  config: AppConfig;
  log: Logger;
  store: StateStore;
  connectors: Connectors;
  registry: TaskRegistry;
  /** How progress is shown; by default an info line every 10 s. */
  progress?: ProgressFactory;
  /** First wait before retrying a file left for a retry (outbox not writable, API down); doubles up to 5 minutes. */
  retryDelayMs?: number;
  /** Told about every processed file (failures, partial runs, outage retries); e-mails and webhooks. */
  notifier?: Pick<Notifier, 'fileProcessed'>;
}

const MAX_RETRY_DELAY_MS = 5 * 60_000;

export interface AgentEvents {
  /** A claimed file's run is over (whatever became of it, including being left for a retry). */
  processed: [FileResult];
}

export class Agent extends EventEmitter<AgentEvents> {
  readonly workspace: Workspace;
  private readonly controller = new AbortController();
  private readonly limiter: Limiter;
  private readonly router: FileRouter;
  private readonly planner: RunPlanner;
  private readonly progress: ProgressFactory;
  /** Claim ids queued, running or waiting for a retry: each is in the pipeline at most once. */
  private readonly inPipeline = new Set<string>();
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
  private readonly claims = new Set<Promise<void>>();
  /** Configured-task runs under way (schedules, `dropwise task`): a stop waits for them as for files. */
  private readonly taskRuns = new Set<Promise<unknown>>();
  private journal: Journal | undefined;
  private workLock: AcquiredLock | undefined;
  private watcher: InboxWatcher | undefined;
  private scheduler: Scheduler | undefined;
  private stopping = false;
  private paused = false;

  constructor(private readonly deps: AgentDeps) {
    super();
    this.workspace = workspaceOf(deps.config.folders);
    this.limiter = new Limiter(deps.config.watch.concurrency);
    this.router = new FileRouter(deps.config, deps.registry);
    this.planner = new RunPlanner(deps.config, deps.registry);
    this.progress = deps.progress ?? logProgress(deps.log);
  }

  /**
   * Takes the work and state folders for this process alone (DW_LOCKED when another dropwise process
   * has them), creates the folders and opens the journal; enough for `run` and `task`.
   */
  async open(options: { compactJournal?: boolean; purpose?: string } = {}): Promise<void> {
    const { log, store } = this.deps;
    const purpose = options.purpose ?? 'run';
    this.workLock = await acquireLock(this.workspace.work, purpose);
    try {
      const { tookOverFrom } = await store.lock(purpose);
      for (const [folder, from] of [[this.workspace.work, this.workLock.tookOverFrom], [this.deps.config.folders.state, tookOverFrom]]) {
        if (from !== undefined) log.warn(`Took over the lock of ${folder} from ${from}, which is no longer running`);
      }
      await createFolders(this.workspace);
      const compact = options.compactJournal ?? false;
      const inProcessing = compact ? new Set((await listClaimed(this.workspace.processing)).map((f) => f.id)) : undefined;
      this.journal = await Journal.open(this.workspace.journal, { compact, ...(inProcessing ? { inProcessing } : {}) });
    } catch (err) {
      await this.releaseLocks();
      throw err;
    }
  }

  /** Runs the agent: resumes leftovers, watches the inbox, starts the schedules. */
  async start(): Promise<void> {
    const { log, config } = this.deps;
    await this.open({ compactJournal: true, purpose: 'start' });
    const stale = await removeStaleTemps(this.workspace.tmp);
    if (stale > 0) log.info(`Removed ${stale} unfinished temp file(s) from ${this.workspace.tmp}`);
    const leftovers = await listClaimed(this.workspace.processing);
    if (leftovers.length > 0) log.info(`Resuming ${leftovers.length} file(s) left in ${this.workspace.processing}`);
    for (const file of leftovers) this.enqueue(file);

    this.watcher = new InboxWatcher({ ...config.watch, inbox: this.workspace.inbox, log, onReady: (name) => this.track(this.claim(name)) });
    await this.watcher.start();
    this.scheduler = new Scheduler(config.tasks, log, async (name) => {
      if (!this.stopping) await this.runConfiguredTask(name, 'schedule');
    });
    this.scheduler.start();
    log.info(`Watching ${this.workspace.inbox}; results go to ${this.workspace.success} and ${this.workspace.fail}`);
  }

  /**
   * Stops taking files and schedules, signals running tasks to stop, and waits for them up to
   * `graceMs`. Whatever has not finished stays in work/processing/ and resumes at the next start.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const { log } = this.deps;
    this.scheduler?.stop();
    await this.watcher?.stop();
    await Promise.all(this.claims);
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    const dropped = this.limiter.clearWaiting();
    const running = this.limiter.active + this.taskRuns.size;
    if (running > 0) log.info(`Stopping: waiting up to ${options.graceMs ?? 30_000} ms for ${running} running file(s) and task(s)`);
    this.controller.abort();
    const allDone = Promise.all([this.limiter.idle(), Promise.allSettled([...this.taskRuns])]).then(() => true);
    const idle = await Promise.race([allDone, sleep(options.graceMs ?? 30_000, false, { ref: false })]);
    if (dropped > 0 || !idle) log.info('Unfinished files stay in work/processing and resume at the next start');
    if (idle) await this.journal?.close();
    await this.releaseLocks();
    log.info('Stopped');
  }

  /** Stops taking new files from the inbox; files already claimed, retries and schedules go on. */
  pause(): void {
    if (!this.paused) this.deps.log.info('Intake paused: files stay in the inbox until intake is resumed');
    this.paused = true;
  }

  /** Takes files from the inbox again, starting with a sweep for what arrived while paused. */
  resume(): void {
    if (this.paused) this.deps.log.info('Intake resumed');
    this.paused = false;
    void this.watcher?.sweep();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Whether a stop was asked for: nothing new should be started (the dashboard says so). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Processes one file now, as the agent would (`dropwise run`): claims it wherever it is, then runs it. */
  async runFile(file: string): Promise<FileResult | undefined> {
    const claimed = await claimFile(path.resolve(file), this.workspace);
    if (!claimed) return undefined;
    await this.journalOf().record({ event: 'claimed', id: claimed.id, name: claimed.name }, { durable: true });
    return processClaimed(claimed, this.pipelineDeps(), this.controller.signal);
  }

  /** Runs a configured task now (`dropwise task`, schedules); a stop waits for it within its grace period. */
  async runConfiguredTask(name: string, trigger: 'schedule' | 'cli'): Promise<TaskRunResult> {
    const run = this.runConfiguredTaskNow(name, trigger);
    this.taskRuns.add(run);
    try {
      return await run;
    } finally {
      this.taskRuns.delete(run);
    }
  }

  private async runConfiguredTaskNow(name: string, trigger: 'schedule' | 'cli'): Promise<TaskRunResult> {
    const plan = this.planner.plan(this.planner.resolve({ name }));
    const result = await runTask({ plan, trigger, signal: this.controller.signal }, { ...this.deps, progress: this.progress });
    const { outcome } = result;
    const summary = `Task ${name}: ${outcome.status}, ${outcome.recordsOk} ok, ${outcome.recordsFailed} failed; outputs: ${outcome.outputs.join(', ') || 'none'}`;
    // With the run's id, so the dashboard finds the line among the run's own.
    const meta = result.runId !== undefined ? { run: result.runId } : {};
    if (outcome.error) this.deps.log.error(`${summary}; ${outcome.error.code} ${outcome.error.fullMessage}`, meta);
    else this.deps.log.info(summary, meta);
    return result;
  }

  async close(): Promise<void> {
    await this.journal?.close();
    await this.releaseLocks();
  }

  /** Flushes the state and gives both folders back. */
  private async releaseLocks(): Promise<void> {
    const workLock = this.workLock;
    this.workLock = undefined;
    try {
      await this.deps.store.unlock();
    } finally {
      await workLock?.release();
    }
  }

  private track(claim: Promise<void>): Promise<void> {
    this.claims.add(claim);
    return claim.finally(() => this.claims.delete(claim));
  }

  private async claim(name: string): Promise<void> {
    // While paused the watcher keeps offering the file; it is taken at a sweep after resume().
    if (this.stopping || this.paused) return;
    const claimed = await claimFile(path.join(this.workspace.inbox, name), this.workspace);
    if (!claimed) return;
    await this.journalOf().record({ event: 'claimed', id: claimed.id, name: claimed.name }, { durable: true });
    if (events.fileClaimed.hasSubscribers) events.fileClaimed.publish({ name: claimed.name });
    this.enqueue(claimed);
  }

  private enqueue(file: ClaimedFile): void {
    if (this.stopping || this.inPipeline.has(file.id)) return;
    this.inPipeline.add(file.id);
    this.limiter.add(() => this.process(file));
  }

  private async process(file: ClaimedFile): Promise<void> {
    let result: FileResult;
    try {
      result = await processClaimed(file, this.pipelineDeps(), this.controller.signal);
    } catch (err) {
      // The pipeline reports its failures in the result; reaching here means work/ itself failed.
      this.deps.log.error(`Processing ${file.name} broke off: ${String(err)}; it stays in work/processing`);
      this.inPipeline.delete(file.id);
      await this.scheduleRetry(file);
      return;
    }
    this.inPipeline.delete(file.id);
    if (result.disposition === 'retry') await this.scheduleRetry(file);
    else this.retries.delete(file.id);
    this.deps.notifier?.fileProcessed(result);
    if (events.fileProcessed.hasSubscribers) events.fileProcessed.publish({ task: result.route?.definition.type, disposition: result.disposition });
    this.emit('processed', result);
  }

  /**
   * Tries a file left in work/processing again later, waiting longer each time; not when the file
   * is no longer there (someone removed it, or an earlier disposal did): retrying could never succeed.
   */
  private async scheduleRetry(file: ClaimedFile): Promise<void> {
    if (this.stopping) return;
    if (!(await isPresent(file.path))) {
      this.deps.log.error(`${file.name} is no longer in work/processing (${file.path}); it is not tried again`);
      this.retries.delete(file.id);
      return;
    }
    const attempt = (this.retries.get(file.id)?.attempt ?? 0) + 1;
    const delay = backoffDelay(attempt, { baseDelayMs: this.deps.retryDelayMs ?? 5_000, maxDelayMs: MAX_RETRY_DELAY_MS });
    this.deps.log.warn(`${file.name} is tried again in ${Math.round(delay / 1000)} s (attempt ${attempt + 1})`);
    const timer = setTimeout(() => this.enqueue(file), delay);
    timer.unref();
    this.retries.set(file.id, { timer, attempt });
  }

  private pipelineDeps(): FilePipelineDeps {
    return { ...this.deps, progress: this.progress, router: this.router, planner: this.planner, journal: this.journalOf() };
  }

  private journalOf(): Journal {
    if (!this.journal) throw new Error('Agent.open() or start() must be called first');
    return this.journal;
  }
}
