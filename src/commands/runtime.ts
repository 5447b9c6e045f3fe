// What every verb needs: the config (--config or DROPWISE_CONFIG), a logger with the secrets registered,
// the state store, the connectors, the task registry, and for verbs that call an API the embedded
// sandbox when no real connection is configured. Also the error handling shared by every verb.
// Every verb's file imports this one when the program is built, also for --help and --version: the
// core (config, logger, state, connectors, agent) is imported only once a verb runs.
import type { Command } from 'commander';
import type { Agent } from '../agent/agent.js';
import type { AppConfig, Connection } from '../config/load.js';
import type { Connectors } from '../connectors/index.js';
import { isDropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactor } from '../secrets.js';
import type { StateStore } from '../state/index.js';
import type { TaskRegistry } from '../tasks/registry.js';

/** Exit codes of `run`, `task` and `validate` (ARCHITECTURE §4); any other failure exits 2 too. */
export const EXIT = { ok: 0, someRecordsFailed: 1, failed: 2 } as const;

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
  const [{ loadConfig }, { createLogger }, { openStateStore }, { createConnectors }, { TaskRegistry }] = await Promise.all([
    import('../config/load.js'),
    import('../log.js'),
    import('../state/index.js'),
    import('../connectors/index.js'),
    import('../tasks/registry.js'),
  ]);
  let config = loadConfig(options.config !== undefined ? { file: options.config } : {});
  redactor.add(...config.secrets);
  const log = createLogger(runtimeOptions.quiet ? { ...config.log, level: 'warn' } : config.log);
  let stopSandbox: (() => Promise<void>) | undefined;
  if (runtimeOptions.sandbox && wantsSandbox(config)) {
    const sandbox = await startEmbeddedSandbox(config);
    config = sandbox.config;
    stopSandbox = sandbox.close;
  }
  const store = openStateStore(config.folders.state);
  const connectors = createConnectors(config, log);
  return {
    config,
    log,
    store,
    connectors,
    registry: new TaskRegistry(),
    close: async () => {
      await connectors.close();
      await store.close();
      await stopSandbox?.();
      await closeLogger(log);
    },
  };
}

export function wantsSandbox(config: Pick<AppConfig, 'sandbox' | 'connections'>): boolean {
  return config.sandbox.mode === 'on' || (config.sandbox.mode === 'auto' && Object.keys(config.connections).length === 0);
}

/** Starts the ConnectWise + Traede sandbox in this process and adds connections `sandbox` and `sandbox-traede`. */
async function startEmbeddedSandbox(config: AppConfig): Promise<{ config: AppConfig; close: () => Promise<void> }> {
  const { startSandbox } = await import('../simulator/index.js');
  const sandbox = await startSandbox({ port: config.sandbox.port, seed: config.sandbox.seed });
  const cw = sandbox.connectwise;
  const traede = sandbox.traede;
  const connections: Record<string, Connection> = {
    ...config.connections,
    sandbox: { type: 'connectwise', url: cw.url, companyId: cw.companyId, publicKey: cw.publicKey, privateKey: cw.privateKey, clientId: cw.clientId, apiVersion: '2022.1', default: true },
    'sandbox-traede': { type: 'traede', url: traede.url, token: traede.token, appKey: traede.appKey, default: true },
  };
  const secrets = [cw.publicKey, cw.privateKey, `${cw.companyId}+${cw.publicKey}:${cw.privateKey}`, traede.token, traede.appKey];
  redactor.add(...secrets);
  // On stderr with the log lines: stdout carries the verbs' summaries, which scripts may read.
  console.error(`Sandbox: ConnectWise at ${cw.url}, Traede at ${traede.url} (made-up data, seed ${config.sandbox.seed}).`);
  const why = config.sandbox.mode === 'on' ? 'sandbox.mode is "on"' : 'no connection is configured and sandbox.mode is "auto"';
  console.error(`  It stands in for the real systems because ${why}; set sandbox.mode to "off" to turn it off.`);
  console.error(`  Try it: copy examples/payments.xml or examples/export-invoices.xml into ${config.folders.inbox}`);
  return { config: { ...config, connections, secrets: [...config.secrets, ...secrets] }, close: () => sandbox.close() };
}

/** Waits until every log line is written (the file transport writes asynchronously). */
export async function closeLogger(log: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    log.on('finish', () => resolve());
    log.end();
  });
}

/** Prints an error for a person: a DropwiseError as its code and message with the hint, never a stack. */
export function reportError(err: unknown): void {
  if (isDropwiseError(err)) console.error(`dropwise: ${err.code}: ${err.fullMessage}`);
  else console.error(`dropwise: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}

/** Wraps a verb's action: its result is the exit code, and whatever it throws is reported and exits 2. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      reportError(err);
      process.exitCode = EXIT.failed;
    }
  };
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
  const [{ Agent }, { logProgress, terminalProgress }] = await Promise.all([import('../agent/agent.js'), import('../agent/progress.js')]);
  const agent = new Agent({ ...rt, progress: process.stderr.isTTY ? terminalProgress(process.stderr) : logProgress(rt.log) });
  await agent.open({ purpose });
  return agent;
}
