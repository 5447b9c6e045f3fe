// One process at a time changes a work and state folder: a second agent, or `run`/`task` next to a
// running agent, is refused; `status` takes no lock and writes nothing.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { collectStatus } from '../../src/agent/status.js';
import { loadConfig } from '../../src/config/load.js';
import { openConfiguredStateStore, openStateStore } from '../../src/state/index.js';
import { LOCK_FILE_NAME } from '../../src/state/lock-file.js';
import { runFile } from '../../src/commands/run.js';
import { runConfiguredTask } from '../../src/commands/task.js';
import { TaskRegistry } from '../../src/tasks/registry.js';
import { captureLogger } from '../support/capture-log.js';
import { testSchema } from '../support/postgres.js';
import { testTasks } from '../support/tasks.js';
import { createTestAgent, echoDocument, makeTempDir, stubConnectors, testRuntime } from '../support/workspace.js';

/** Every file under `dir` with its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Object.fromEntries(await Promise.all(files.map(async (f) => [path.relative(dir, f), (await fs.readFile(f)).toString('base64')] as const)));
}

describe('agent: folder locks', () => {
  it('refuses a second agent and run/task next to a running agent, and frees the folders when stopped', async () => {
    const dir = await makeTempDir();
    const config = { tasks: { small: { type: 'test.export', settings: { outputFile: 's.xml', count: 1 } } } };
    const first = createTestAgent(dir, { config });
    await first.agent.start();
    try {
      const second = createTestAgent(dir, { config });
      await expect(second.agent.start()).rejects.toMatchObject({ code: 'DW_LOCKED', message: expect.stringContaining('in use by dropwise start') });
      const file = path.join(dir, 'one.xml');
      await fs.writeFile(file, echoDocument('x', 1));
      await expect(runFile(second.runtime, file)).rejects.toMatchObject({ code: 'DW_LOCKED', fullMessage: expect.stringContaining('Drop the file into the inbox instead, or stop the agent') });
      await expect(runConfiguredTask(second.runtime, 'small')).rejects.toMatchObject({ code: 'DW_LOCKED' });
      await fs.access(file);
    } finally {
      await first.agent.stop({ graceMs: 2000 });
    }
    const after = testRuntime(first.config);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await runConfiguredTask(after, 'small')).toBe(0);
    vi.restoreAllMocks();
    await after.close();
    expect(await fs.readdir(path.join(dir, 'state'))).not.toContain('dropwise.lock');
    expect(await fs.readdir(path.join(dir, 'work'))).not.toContain('dropwise.lock');
  });

  it('with a PostgreSQL state, takes over the work folder lock another host left (the agent restarted elsewhere after its host died)', async () => {
    const schema = await testSchema('agent_lock');
    const dir = await makeTempDir();
    const config = loadConfig({
      cwd: dir,
      env: { DW_TEST_STATE_URL: schema.url },
      overrides: {
        log: { file: '', console: false },
        sandbox: { mode: 'off' },
        agent: { name: 'agent-1' },
        state: { backend: 'postgres', postgres: { url: 'env:DW_TEST_STATE_URL', schema: schema.schema } },
        tasks: { small: { type: 'test.export', settings: { outputFile: 's.xml', count: 1 } } },
      },
    });
    const lockFile = path.join(config.folders.work, LOCK_FILE_NAME);
    const orphan = { pid: 4242, hostname: 'host-that-died', startedAt: '2026-01-01T00:00:00Z', purpose: 'start', token: 'old' };
    const runtimeOf = async (log = captureLogger()) => {
      const store = await openConfiguredStateStore(config);
      return { runtime: { config, log: log.log, store, connectors: stubConnectors(), registry: new TaskRegistry(testTasks), close: () => store.close() }, lines: log.lines };
    };
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await fs.mkdir(config.folders.work, { recursive: true });
      await fs.writeFile(lockFile, JSON.stringify(orphan));
      const { runtime, lines } = await runtimeOf();
      expect(await runConfiguredTask(runtime, 'small')).toBe(0);
      await runtime.close();
      expect(lines.map((l) => l.message)).toContainEqual(expect.stringContaining(`Took over the lock of ${config.folders.work} from dropwise start (pid 4242 on host-that-died`));
      await expect(fs.access(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });

      // While a process of the agent holds the state's lock, the other host's lock stands: that one may be alive.
      const holder = await openConfiguredStateStore(config);
      await holder.lock('start');
      await fs.writeFile(lockFile, JSON.stringify(orphan));
      const second = await runtimeOf();
      await expect(runConfiguredTask(second.runtime, 'small')).rejects.toMatchObject({ code: 'DW_LOCKED', message: expect.stringContaining('agent-1') });
      await second.runtime.close();
      await holder.close();
      expect(JSON.parse(await fs.readFile(lockFile, 'utf8'))).toMatchObject({ hostname: 'host-that-died' });
    } finally {
      vi.restoreAllMocks();
      await schema.drop();
    }
  });

  it('status next to a running agent leaves every state and work file byte-identical', async () => {
    const t = createTestAgent(await makeTempDir());
    await t.agent.start();
    try {
      await fs.writeFile(path.join(t.dir, 'inbox', 'a.xml'), echoDocument('a', 2));
      await t.processed(1);
      await t.runtime.store.watermarks.set('k', { dateModified: '2026-01-01T00:00:00Z' });
      await t.runtime.store.truth.putMany([{ connection: 'cw', entity: 'e', externalId: 'x', id: 1, hash: 'h', created: 'a', modified: 'a' }]);
      const statusStore = openStateStore(t.config.folders.state);
      const status = await collectStatus(t.config, statusStore);
      expect(status.watermarks).toEqual({ k: { dateModified: '2026-01-01T00:00:00Z' } });
      // The agent moves on before status exits.
      await t.runtime.store.watermarks.set('k', { dateModified: '2026-02-01T00:00:00Z' });
      const before = { state: await snapshot(t.config.folders.state), work: await snapshot(t.config.folders.work) };
      await statusStore.close();
      expect({ state: await snapshot(t.config.folders.state), work: await snapshot(t.config.folders.work) }).toEqual(before);
    } finally {
      await t.agent.stop({ graceMs: 2000 });
    }
  });
});
