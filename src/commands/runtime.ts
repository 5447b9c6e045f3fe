// What every verb needs, assembled: the config (--config or DROPWISE_CONFIG) with every configured task
// and route planned (a typo stops here), a logger with the secrets registered, the state store, the
// connectors, the task registry, and for verbs that call an API the embedded sandbox when no real
// connection is configured (./embedded-sandbox.ts).
// Every verb's file imports this one when the program is built, also for --help and --version: the
// core (config, logger, state, connectors, tasks, agent) is imported only once a verb runs.
import type { Command } from 'commander';
import type { Agent } from '../agent/agent.js';
import type { AgentApiClient } from '../api/client.js';
import type { AppConfig } from '../config/load.js';
import type { Connectors } from '../connectors/index.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/index.js';
import type { TaskRegistry } from '../tasks/registry.js';

export interface Runtime {
  config: AppConfig;
  log: Logger;
  store: StateStore;
  connectors: Connectors;
  registry: TaskRegistry;
  close(): Promise<void>;
}

export interface CommonOptions {
  config?: string;
}

export interface RuntimeOptions {
  /** Start the embedded sandbox when the config asks for it (verbs that call an API). */
  sandbox?: boolean;
  /** Lowest log level shown, for verbs whose own output matters more than the log. */
  quiet?: boolean;
}

/** Adds the --config option every verb takes. */
export function withConfigOption(cmd: Command): Command {
  return cmd.option('-c, --config <file>', 'the config file (default: $DROPWISE_CONFIG, else built-in defaults)');
}

export async function openRuntime(options: CommonOptions, runtimeOptions: RuntimeOptions = {}): Promise<Runtime> {
  const [{ loadConfig }, { createLogger }, { openConfiguredStateStore }, { openConnectors }, { TaskRegistry }, { checkConfiguredRuns }, { deepFreeze }, { redactor }] = await Promise.all([
    import('../config/load.js'),
    import('../log.js'),
    import('../state/index.js'),
    import('../connectors/index.js'),
    import('../tasks/registry.js'),
    import('../tasks/run-plan.js'),
    import('../config/deep-freeze.js'),
    import('../secrets.js'),
  ]);
  let config = loadConfig(options.config !== undefined ? { file: options.config } : {});
  redactor.add(...config.secrets);
  const log = createLogger(runtimeOptions.quiet ? { ...config.log, level: 'warn' } : config.log);
  let stopSandbox: (() => Promise<void>) | undefined;
  const { startEmbeddedSandbox, wantsSandbox } = await import('./embedded-sandbox.js');
  if (runtimeOptions.sandbox && wantsSandbox(config)) {
    const sandbox = await startEmbeddedSandbox(config);
    config = deepFreeze(sandbox.config);
    stopSandbox = sandbox.close;
  }
  const registry = new TaskRegistry();
  try {
    checkConfiguredRuns(config, registry);
  } catch (err) {
    await stopSandbox?.();
    await closeLogger(log);
    throw err;
  }
  let store: StateStore;
  try {
    store = await openConfiguredStateStore(config, {
      onIdleError: (err) => log.warn(`A connection to the PostgreSQL state store broke while idle: ${err.message}`),
    });
  } catch (err) {
    await stopSandbox?.();
    await closeLogger(log);
    throw err;
  }
  let connectors: Connectors;
  try {
    connectors = await openConnectors(config, log);
  } catch (err) {
    await store.close();
    await stopSandbox?.();
    await closeLogger(log);
    throw err;
  }
  return {
    config,
    log,
    store,
    connectors,
    registry,
    close: async () => {
      await connectors.close();
      await store.close();
      await stopSandbox?.();
      await closeLogger(log);
    },
  };
}

/** Waits until every log line is written (the file transport writes asynchronously). */
export async function closeLogger(log: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    log.on('finish', () => resolve());
    log.end();
  });
}

/** Opens the runtime, runs `fn` with it, and closes it whatever happens. */
export async function withRuntime(options: CommonOptions, runtimeOptions: RuntimeOptions, fn: (rt: Runtime) => Promise<number>): Promise<number> {
  const rt = await openRuntime(options, runtimeOptions);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/**
 * An opened agent for a one-shot verb (`run`, `task`): progress on the terminal when there is one.
 * Refused (DW_LOCKED) while an agent or another one-shot verb uses the same work or state folder.
 */
export async function openOneShotAgent(rt: Runtime, purpose: 'run' | 'task'): Promise<Agent> {
  const [{ Agent }, { logProgress, terminalProgress }] = await Promise.all([import('../agent/agent.js'), import('../agent/pipeline/progress.js')]);
  const agent = new Agent({ ...rt, progress: process.stderr.isTTY ? terminalProgress(process.stderr) : logProgress(rt.log) });
  await agent.open({ purpose });
  return agent;
}

/**
 * A client of the agent running on these folders (work/agent.json), for verbs that ask it to do
 * something. The connections' secrets are not needed to reach the agent; only api.token is.
 */
export async function connectRunningAgent(options: CommonOptions): Promise<AgentApiClient> {
  const [{ AgentApiClient }, { loadConfig }] = await Promise.all([import('../api/client.js'), import('../config/load.js')]);
  const config = loadConfig({ ...(options.config !== undefined ? { file: options.config } : {}), resolveSecrets: false });
  return AgentApiClient.connect(config);
}
