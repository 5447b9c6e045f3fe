// The agent: watcher → stability → claim → (bounded concurrency) route → run → dispose, plus the
// scheduler. `start()` resumes what a previous run left in work/processing/; `stop()` stops taking
// files, tells running tasks to stop, waits up to a grace period and leaves the rest to resume.
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../async/backoff.js';
import { shutdownError } from '../async/shutdown.js';
import type { AppConfig } from '../config/load.js';
import type { Connectors } from '../connectors/index.js';
import { DropwiseError, isDropwiseError } from '../errors.js';
import { events } from '../events.js';
import type { Logger } from '../log.js';
import type { Notifier } from '../notify/notifier.js';
import type { Coordination, StateStore } from '../state/index.js';
import { acquireLock, type AcquiredLock } from '../state/lock-file.js';
import { FileRouter } from '../tasks/file-router.js';
import type { TaskRegistry } from '../tasks/registry.js';
import { RunPlanner } from '../tasks/run-plan.js';
import { claimFile, claimedFile, parseClaimedName, type ClaimedFile } from './intake/claim.js';
import { fsyncDir } from '../fs/fsync.js';
import { isPresent } from '../fs/retry.js';
import { disposeRefused } from './pipeline/disposition.js';
import { Journal } from './pipeline/journal.js';
import { Limiter } from '../async/limiter.js';
import { processClaimed, type FilePipelineDeps, type FileResult } from './pipeline/process-file.js';
import { logProgress, type ProgressFactory } from './pipeline/progress.js';
import { listClaimed, removeStaleTemps } from './intake/recovery.js';
import { runTask, type TaskRunResult } from './pipeline/runner.js';
import { RetentionTimer } from './retention.js';
import { Scheduler, lastFinishedRun } from './scheduler.js';
import { InboxWatcher } from './intake/watcher.js';
import { AgentLease } from './lease.js';
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
  notifier?: Pick<Notifier, 'fileProcessed' | 'taskRun'>;
  /** How it coordinates with the agents sharing its state (state.backend "postgres"); alone by default. */
  coordination?: Coordination;
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
  /** Names of the configured tasks running now: one run of a task at a time, whoever started it. */
  private readonly runningTasks = new Set<string>();
  /** Callers waiting for a handed-over file's result (`dropwise run` while the agent runs), by claim id. */
  private readonly handedOver = new Map<string, { resolve: (r: FileResult) => void; reject: (err: unknown) => void }>();
  private journal: Journal | undefined;
  private workLock: AcquiredLock | undefined;
  private watcher: InboxWatcher | undefined;
  private scheduler: Scheduler | undefined;
  private retention: RetentionTimer | undefined;
  private stopping = false;
  private paused = false;
  /** Present when agents share the state: while it holds intake (the lease in doubt), no file is taken. */
  private lease: AgentLease | undefined;
  /** Aborted when another agent adopted this one's work: the runs of the files it took stop here. */
  private generation = new AbortController();
  /** Set by a stop whose grace period ran out: the locks are given back when the last run ends. */
  private released: Promise<void> = Promise.resolve();

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
    // A state lock held across hosts is taken first: it proves that a work folder lock left by another
    // host is stale (its process would hold the state lock), so an agent whose host died starts on another.
    const spansHosts = store.lockSpansHosts;
    const stateLock = spansHosts ? await store.lock(purpose) : undefined;
    try {
      this.workLock = await acquireLock(this.workspace.work, purpose, { otherHostsGone: spansHosts });
    } catch (err) {
      if (stateLock) await store.unlock();
      throw err;
    }
    try {
      const { tookOverFrom } = stateLock ?? (await store.lock(purpose));
      for (const [folder, from] of [[this.workspace.work, this.workLock.tookOverFrom], [this.deps.config.folders.state, tookOverFrom]]) {
        if (from !== undefined) log.warn(`Took over the lock of ${folder} from ${from}, which is no longer running`);
      }
      const { runHistorySetAside, interrupted, tempsRemoved } = await store.recover();
      if (tempsRemoved > 0) log.info(`Removed ${tempsRemoved} unfinished temp file(s) of the state folder (writes a crash cut short)`);
      if (runHistorySetAside !== undefined) {
        log.error(`THE RUN HISTORY WAS DAMAGED and could not be read: it was moved to ${runHistorySetAside} and a new, empty history begun. Earlier runs no longer show in status; the moved file can be inspected or repaired by hand`);
      }
      if (interrupted.length > 0) log.warn(`Closed ${interrupted.length} run(s) as interrupted: the process that ran them ended before they did`);
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
    const { log, config, coordination } = this.deps;
    await this.open({ compactJournal: true, purpose: 'start' });
    const stale = await removeStaleTemps(this.workspace.tmp);
    if (stale > 0) log.info(`Removed ${stale} unfinished temp file(s) from ${this.workspace.tmp}`);
    const leftovers = await listClaimed(this.workspace.processing);
    if (leftovers.length > 0) log.info(`Resuming ${leftovers.length} file(s) left in ${this.workspace.processing}`);
    for (const file of leftovers) this.enqueue({ ...file, name: this.journalOf().droppedName(file.id) ?? file.name });
    await this.startLease();

    const ownFolders = [this.workspace.success, this.workspace.fail, this.workspace.archive, this.workspace.work, config.folders.state];
    this.watcher = new InboxWatcher({ ...config.watch, inbox: this.workspace.inbox, ownFolders, log, onReady: (name) => this.track(this.claim(name)), room: () => this.intakeRoom() });
    await this.watcher.start();
    this.scheduler = new Scheduler(
      config.tasks,
      log,
      async (name) => {
        if (this.stopping) return;
        if (this.lease?.problem !== undefined) {
          log.warn(`Task ${name}: this scheduled run is skipped (${this.lease.problem})`);
          return;
        }
        if (this.isTaskRunning(name)) {
          log.warn(`Task ${name} is running already (started through the API or dropwise task); this scheduled run is skipped`);
          if (events.scheduleSkipped.hasSubscribers) events.scheduleSkipped.publish({ task: name });
          return;
        }
        await this.runConfiguredTask(name, 'schedule');
      },
      {
        lastRunOf: (name) => lastFinishedRun(this.deps.store.runs, name),
        // Not claimed by a stopping agent or one whose lease is in doubt: a time it claimed would be run by
        // no one. One of its own runs still going is seen by the claim, as any agent's run is.
        ...(coordination?.shared ? { claimFire: async (name: string, at: Date) => (this.stopping || this.lease?.problem !== undefined ? { run: false as const } : coordination.claimFire(name, at)) } : {}),
      },
    );
    this.scheduler.start();
    this.retention = new RetentionTimer(config, log);
    this.retention.start();
    await this.scheduler.catchUp();
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
    await this.retention?.stop();
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
    // Handed-over files that never started (or outlived the grace period) stay there too.
    for (const waiter of this.handedOver.values()) waiter.reject(shutdownError('The agent stopped before the file was done; it stays in work/processing and resumes at the next start'));
    if (idle) {
      await this.close();
      log.info('Stopped');
      return;
    }
    // What still runs still writes to work/ and the state: another process must not take them yet.
    log.warn('Stopped taking work; the work and state folders stay locked until the files and tasks still running have ended');
    this.released = allDone.then(async () => {
      await this.close();
      log.info('Stopped: the last running file or task has ended');
    });
    this.released.catch((err: unknown) => log.error(`Giving the work and state folders back failed: ${String(err)}`));
  }

  /**
   * Resolves once the agent has given the work and state folders back: at once after an idle stop,
   * else when the last file or task that outlived the grace period ends (close the store only then).
   */
  settled(): Promise<void> {
    return this.released.catch(() => undefined);
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

  /** Why no file is taken although intake is not paused (the lease among agents sharing the state is in doubt); undefined when all is well. */
  get leaseProblem(): string | undefined {
    return this.lease?.problem;
  }

  /** Whether a stop was asked for: nothing new should be started (the dashboard says so). */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Processes one file now, as the agent would (`dropwise run`): claims it wherever it is, then runs it. */
  async runFile(file: string): Promise<FileResult | undefined> {
    const claimed = await claimFile(path.resolve(file), this.workspace);
    if (!claimed) return undefined;
    await this.recordClaim(claimed);
    return processClaimed(claimed, this.pipelineDeps(), this.controller.signal);
  }

  /**
   * Takes a file `dropwise run` has moved into work/processing (`<claim id>__<name>`, by the same
   * atomic rename as the inbox) and processes it as an inbox file. Only a regular file directly in
   * work/processing is taken: the caller names it, never a path. Resolves once it is accepted, with
   * the file and the promise of its result.
   */
  async takeHandedOver(claimedName: string): Promise<{ file: ClaimedFile; result: Promise<FileResult> }> {
    if (this.stopping) throw shutdownError('The agent is stopping; the file is taken at its next start');
    const parsed = path.basename(claimedName) === claimedName ? parseClaimedName(claimedName) : undefined;
    if (!parsed) throw new DropwiseError('DW_FILE_UNREADABLE', `"${claimedName}" is not the name of a claimed file in work/processing (<claim id>__<name>)`);
    const file = claimedFile(this.workspace.processing, parsed.id, parsed.name);
    const stat = await fs.lstat(file.path).catch(() => undefined);
    if (!stat?.isFile()) throw new DropwiseError('DW_FILE_UNREADABLE', `work/processing has no regular file ${claimedName}`);
    if (this.inPipeline.has(file.id)) throw new DropwiseError('DW_TASK_RUNNING', `${file.name} (${file.id}) is being processed already`);
    await this.journalOf().record({ event: 'claimed', id: file.id, name: file.name }, { durable: true });
    const result = new Promise<FileResult>((resolve, reject) => this.handedOver.set(file.id, { resolve, reject }));
    void result.catch(() => undefined).finally(() => this.handedOver.delete(file.id));
    this.enqueue(file);
    return { file, result };
  }

  /** Whether a run of this configured task is under way (a schedule's, the API's, `dropwise task`'s). */
  isTaskRunning(name: string): boolean {
    return this.runningTasks.has(name);
  }

  /**
   * Runs a configured task now (`dropwise task`, schedules); a stop waits for it within its grace
   * period. DW_TASK_RUNNING when the task is running already.
   */
  async runConfiguredTask(name: string, trigger: 'schedule' | 'cli'): Promise<TaskRunResult> {
    if (this.runningTasks.has(name)) {
      throw new DropwiseError('DW_TASK_RUNNING', `Task ${name} is running already`, { hint: 'Wait for that run to end (dropwise status shows it), then start it again' });
    }
    this.runningTasks.add(name);
    const run = this.runConfiguredTaskNow(name, trigger);
    this.taskRuns.add(run);
    try {
      return await run;
    } finally {
      this.taskRuns.delete(run);
      this.runningTasks.delete(name);
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
    this.deps.notifier?.taskRun({ taskName: name, task: plan.definition.type, trigger, outcome });
    return result;
  }

  /**
   * Tells the runs under way to stop (a one-shot verb's Ctrl+C): each ends as interrupted, its open
   * outputs removed; a file stays in work/processing and resumes at the next start.
   */
  interrupt(): void {
    this.controller.abort();
  }

  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await lease.stop({ processingEmpty: (await listClaimed(this.workspace.processing)).length === 0 });
    await this.journal?.close();
    await this.releaseLocks();
  }

  /** With a shared state: registers, renews the lease, adopts the work of agents that died. */
  private async startLease(): Promise<void> {
    const { coordination, config, log, connectors } = this.deps;
    if (!coordination?.shared) return;
    const lease = new AgentLease({
      coordination,
      name: config.agent.name,
      leaseSeconds: config.state.postgres.leaseSeconds,
      workRoot: config.agent.workRoot,
      workspace: this.workspace,
      journal: () => this.journalOf(),
      log,
      onHold: (reason) => {
        if (reason === undefined && !this.paused) void this.watcher?.sweep();
      },
      mayAdopt: () => !this.stopping,
      onFenced: () => {
        this.generation.abort();
        this.generation = new AbortController();
      },
      onAdopted: (files) => {
        for (const file of files) this.enqueue(file);
      },
      onLiveAgents: (count) => connectors.setRateShare?.(1 / count),
    });
    await lease.start();
    this.lease = lease;
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

  /**
   * How many more inbox files to claim now: enough to keep every worker busy (twice the concurrency,
   * counting the files queued and the claims under way), none while paused, stopping or with the lease
   * in doubt. The rest wait in the inbox, where another agent may take them.
   */
  private intakeRoom(): number {
    if (this.stopping || this.paused || this.lease?.problem !== undefined) return 0;
    return 2 * this.deps.config.watch.concurrency - this.limiter.active - this.limiter.waiting - this.claims.size;
  }

  private async claim(name: string): Promise<void> {
    // While paused (or the lease in doubt) the watcher keeps offering the file; it is taken at a sweep after.
    if (this.stopping || this.paused || this.lease?.problem !== undefined) return;
    const source = path.join(this.workspace.inbox, name);
    let claimed: ClaimedFile | undefined;
    try {
      claimed = await claimFile(source, this.workspace);
    } catch (err) {
      if (isDropwiseError(err, 'DW_FILE_NOT_REGULAR')) return this.refuse(source, name, err);
      throw err;
    }
    if (!claimed) return;
    try {
      await this.recordClaim(claimed);
    } catch (err) {
      // The file is ours now, in work/processing: tried again from there, not left until the next start.
      this.deps.log.error(`The claim of ${claimed.name} could not be recorded: ${String(err)}`);
      await this.scheduleRetry(claimed);
      return;
    }
    if (events.fileClaimed.hasSubscribers) events.fileClaimed.publish({ name: claimed.name });
    this.enqueue(claimed);
  }

  /** Makes the claim's rename durable (its folder fsynced), then journals it. */
  private async recordClaim(claimed: ClaimedFile): Promise<void> {
    await fsyncDir(this.workspace.processing);
    await this.journalOf().record({ event: 'claimed', id: claimed.id, name: claimed.name }, { durable: true });
  }

  /** An inbox entry that is not a regular file goes to outbox/fail as it is, unread, with its reason. */
  private async refuse(source: string, name: string, error: DropwiseError): Promise<void> {
    const refused = await disposeRefused(source, name, error, this.deps.config.folders);
    if (refused) this.deps.log.warn(`Refused ${name}: ${error.message}; it was moved, unread, to ${refused.path}, the reason to ${refused.errorPath}`);
  }

  private enqueue(file: ClaimedFile): void {
    if (this.stopping || this.inPipeline.has(file.id)) return;
    this.inPipeline.add(file.id);
    this.limiter.add(() => this.process(file));
  }

  private async process(file: ClaimedFile): Promise<void> {
    let result: FileResult;
    try {
      result = await processClaimed(file, this.pipelineDeps(), AbortSignal.any([this.controller.signal, this.generation.signal]));
    } catch (err) {
      // The pipeline reports its failures in the result; reaching here means work/ itself failed.
      this.deps.log.error(`Processing ${file.name} broke off: ${String(err)}; it stays in work/processing`);
      this.handedOver.get(file.id)?.reject(err);
      this.inPipeline.delete(file.id);
      await this.scheduleRetry(file);
      return;
    }
    this.inPipeline.delete(file.id);
    if (result.disposition === 'retry') await this.scheduleRetry(file);
    else this.retries.delete(file.id);
    this.handedOver.get(file.id)?.resolve(result);
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
