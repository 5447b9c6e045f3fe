// One process at a time changes a work and state folder: a second agent, or `run`/`task` next to a
// running agent, is refused; `status` takes no lock and writes nothing.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { collectStatus } from '../../src/agent/status.js';
import { openStateStore } from '../../src/state/index.js';
import { runFile } from '../../src/commands/run.js';
import { runConfiguredTask } from '../../src/commands/task.js';
import { createTestAgent, echoDocument, makeTempDir, testRuntime } from '../support/workspace.js';

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
