// A throw-away dropwise installation in a temp folder: config with short timings, a silent logger, a
// state store, stub connectors, and an agent wired to test task definitions.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type AgentDeps } from '../../src/agent/agent.js';
import type { FileResult } from '../../src/agent/pipeline/process-file.js';
import type { Runtime } from '../../src/commands/runtime.js';
import { loadConfig, type AppConfig } from '../../src/config/load.js';
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { DropwiseError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { openStateStore } from '../../src/state/index.js';
import type { Sandbox } from '../../src/simulator/index.js';
import { TaskRegistry, builtInTasks } from '../../src/tasks/registry.js';
import type { TaskDefinition } from '../../src/tasks/types.js';
import { testTasks } from './tasks.js';

// Temp folders are made (and removed after the test file) by temp-dir.ts.
export { makeTempDir } from './temp-dir.js';

/** Timings short enough for a fast suite, long enough to be meaningful on a busy 2-core machine. */
export const TEST_WATCH = { stabilityMs: 300, sweepMs: 500, concurrency: 4 };

export function testConfig(dir: string, overrides: Record<string, unknown> = {}): AppConfig {
  return loadConfig({
    cwd: dir,
    env: {},
    overrides: { watch: TEST_WATCH, log: { file: '', console: false }, sandbox: { mode: 'off' }, ...overrides },
  });
}

/** Connectors for tasks that never call an API. */
export function stubConnectors(): Connectors {
  const none = (): never => {
    throw new DropwiseError('DW_CONNECTION_UNKNOWN', 'The tests configure no connections');
  };
  return { connectwise: none, traede: none, resolve: none, close: async () => undefined };
}

export function testRuntime(config: AppConfig, tasks: TaskDefinition[] = testTasks): Runtime {
  const store = openStateStore(config.folders.state);
  return { config, log: silentLogger(), store, connectors: stubConnectors(), registry: new TaskRegistry(tasks), close: () => store.close() };
}

export interface TestAgent {
  dir: string;
  config: AppConfig;
  agent: Agent;
  runtime: Runtime;
  results: FileResult[];
  /** Resolves once `count` files have been processed (any disposition). */
  processed(count: number, timeoutMs?: number): Promise<FileResult[]>;
}

export function createTestAgent(dir: string, options: { config?: Record<string, unknown>; tasks?: TaskDefinition[]; deps?: Partial<AgentDeps> } = {}): TestAgent {
  const config = testConfig(dir, options.config);
  const runtime = testRuntime(config, options.tasks);
  const agent = new Agent({ ...runtime, ...options.deps });
  const results: FileResult[] = [];
  agent.on('processed', (r) => results.push(r));
  return {
    dir,
    config,
    agent,
    runtime,
    results,
    processed: async (count, timeoutMs = 30_000) => {
      await waitFor(() => results.length >= count, timeoutMs, () => `${results.length} of ${count} files processed`);
      return results;
    },
  };
}

/**
 * An agent with the built-in tasks whose connection `cw` is the sandbox's ConnectWise, with short HTTP
 * retries; close `connectors` after the agent (the runtime's own are stubs).
 */
export function createSandboxAgent(sb: Sandbox, dir: string, retryDelayMs: number): { harness: TestAgent; connectors: Connectors } {
  const c = sb.connectwise;
  const connections = {
    cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1' },
  };
  const config = { connections, http: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, retryBudgetMs: 2000, timeoutMs: 5000, connectTimeoutMs: 2000, connections: 4 } };
  const connectors = createConnectors({ connections: connections as never, http: config.http as never }, silentLogger());
  return { harness: createTestAgent(dir, { config, tasks: builtInTasks, deps: { connectors, retryDelayMs } }), connectors };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, describe: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${describe()}`);
    await sleep(50);
  }
}

/** The plain files under `dir`, as paths relative to it, sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

/** An <Echo> document with `count` records, each carrying `tag` so that outputs can be matched to inputs. */
export function echoDocument(tag: string, count: number): string {
  const records = Array.from({ length: count }, (_, i) => `  <item><tag>${tag}</tag><n>${i + 1}</n><pad>${'x'.repeat(40)}</pad></item>\n`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<Echo>\n${records.join('')}</Echo>\n`;
}

/** Writes `content` in `chunks` pieces spread over `durationMs`, as a slow copy over a network would. */
export async function writeSlowly(file: string, content: string, chunks: number, durationMs: number): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    const size = Math.ceil(content.length / chunks);
    for (let i = 0; i < content.length; i += size) {
      await handle.write(content.slice(i, i + size));
      await sleep(durationMs / chunks);
    }
  } finally {
    await handle.close();
  }
}
