// A real TaskContext for task tests: the agent's own outbox on temp folders, a real state store, and
// connectors named 'cw' and 'traede' wired to a sandbox, with fast retry settings.
import fs from 'node:fs';
import path from 'node:path';
import { RunOutbox } from '../../src/agent/pipeline/outbox.js';
import { workspaceOf } from '../../src/agent/workspace.js';
import { loadConfig, type AppConfig } from '../../src/config/load.js';
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { silentLogger, type Logger } from '../../src/log.js';
import type { Sandbox } from '../../src/simulator/index.js';
import { openStateStore, type StateStore } from '../../src/state/index.js';
import { taskContext } from '../../src/tasks/context.js';
import type { TaskContext, TaskDefinition, TaskInputFile, TaskOutcome, TaskProgress } from '../../src/tasks/types.js';
import { makeTempDirSync } from './temp-dir.js';

export interface TaskEnvOptions {
  /** Watermark key of the task (default 'test-task'). */
  taskKey?: string;
  /** The connection the task uses (default: the default connection of its kind). */
  connection?: string;
  /** Config values merged over the test defaults (e.g. { processing: { recordConcurrency: 1 } }). */
  config?: Record<string, unknown>;
  log?: Logger;
}

export interface TaskRunOptions {
  taskKey?: string;
  connection?: string;
  signal?: AbortSignal;
  /** The input's resume file (TaskInputFile.resumeFile), as the pipeline gives a claimed file. */
  resumeFile?: string;
}

export interface TaskEnv {
  dir: string;
  config: AppConfig;
  store: StateStore;
  connectors: Connectors;
  folders: { inbox: string; success: string; fail: string; work: string; state: string };
  /** Every progress update of every run, in order. */
  progress: TaskProgress[];
  /** A fresh context for one run, and its outbox (to see what was committed). */
  context(options?: TaskRunOptions): { ctx: TaskContext; outbox: RunOutbox };
  /** parseSettings + run, as the agent does; open outputs are dropped afterwards, as the agent does. */
  runTask<S>(definition: TaskDefinition<S>, rawSettings: Record<string, unknown>, input?: string, options?: TaskRunOptions): Promise<TaskOutcome>;
  /** Names of the files in outbox/success or outbox/fail. */
  outputs(folder: 'success' | 'fail'): string[];
  close(): Promise<void>;
}

export async function makeTaskEnv(sandbox: Sandbox, options: TaskEnvOptions = {}): Promise<TaskEnv> {
  const dir = makeTempDirSync('dw-task-');
  const c = sandbox.connectwise;
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      log: { console: false, file: '' },
      http: { timeoutMs: 10_000, connectTimeoutMs: 2000, maxAttempts: 5, retryBudgetMs: 20_000, baseDelayMs: 10, maxDelayMs: 200, connections: 8 },
      connections: {
        // The sandbox is uncapped unless a test caps it, so no request budget (it has its own tests).
        cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 },
        traede: { type: 'traede', url: sandbox.traede.url, token: sandbox.traede.token, appKey: sandbox.traede.appKey },
      },
      ...options.config,
    },
  });
  const ws = workspaceOf(config.folders);
  for (const d of [ws.inbox, ws.success, ws.fail, ws.processing, ws.tmp, config.folders.state]) fs.mkdirSync(d, { recursive: true });
  const log = options.log ?? silentLogger();
  const store = openStateStore(config.folders.state);
  const connectors = createConnectors(config, log);
  const progress: TaskProgress[] = [];
  let runs = 0;

  const context = (run: TaskRunOptions = {}) => {
    const runId = `test-run-${++runs}`;
    const outbox = new RunOutbox({ tmp: ws.tmp, success: ws.success, fail: ws.fail }, runId);
    const ctx: TaskContext = taskContext({
      runId,
      taskKey: run.taskKey ?? options.taskKey ?? 'test-task',
      connection: run.connection ?? options.connection,
      config,
      log,
      store,
      connectors,
      outbox,
      signal: run.signal ?? new AbortController().signal,
      progress: (p) => progress.push(p),
    });
    return { ctx, outbox };
  };

  return {
    dir,
    config,
    store,
    connectors,
    folders: { inbox: ws.inbox, success: ws.success, fail: ws.fail, work: ws.work, state: config.folders.state },
    progress,
    context,
    async runTask(definition, rawSettings, input, run) {
      const inputFile: TaskInputFile | undefined =
        input === undefined ? undefined : { path: input, name: path.basename(input), ...(run?.resumeFile !== undefined ? { resumeFile: run.resumeFile } : {}) };
      const settings = definition.parseSettings(rawSettings, inputFile);
      const { ctx, outbox } = context(run);
      try {
        return await definition.run(inputFile ? { settings, input: inputFile } : { settings }, ctx);
      } finally {
        await outbox.abortOpen();
      }
    },
    outputs: (folder) => fs.readdirSync(folder === 'success' ? ws.success : ws.fail).sort(),
    async close() {
      await connectors.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
