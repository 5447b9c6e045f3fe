import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { closeInterruptedRuns } from '../../src/state/interrupted-runs.js';
import { openStateStore } from '../../src/state/index.js';
import { observeProcess, thisProcess } from '../../src/state/process-identity.js';
import { makeTempDir } from '../support/workspace.js';

describe('closeInterruptedRuns', () => {
  it('closes the runs of processes that are gone (or unknown), never one of this or another live process', async () => {
    const store = openStateStore(await makeTempDir());
    await store.lock('start');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      const seen = await observeProcess(child.pid as number);
      const liveOther = { pid: child.pid as number, hostname: os.hostname(), ...(seen.bootId ? { bootId: seen.bootId } : {}), ...(seen.startTicks ? { startTicks: seen.startTicks } : {}) };
      const dead = { pid: spawnSync(process.execPath, ['-e', '']).pid, hostname: os.hostname() };
      const runs = {
        gone: await store.runs.start({ task: 't', trigger: 'cli', owner: dead }),
        noOwner: await store.runs.start({ task: 't', trigger: 'cli' }),
        mine: await store.runs.start({ task: 't', trigger: 'cli', owner: await thisProcess() }),
        liveOther: await store.runs.start({ task: 't', trigger: 'cli', owner: liveOther }),
        finished: await store.runs.start({ task: 't', trigger: 'cli', owner: dead }),
      };
      await store.runs.finish(runs.finished.id, { result: 'success' });
      const closed = await closeInterruptedRuns(store.runs);
      expect(closed.map((r) => r.id).sort()).toEqual([runs.gone.id, runs.noOwner.id].sort());
      const result = async (id: string) => (await store.runs.get(id))?.result;
      expect(await result(runs.gone.id)).toBe('interrupted');
      expect(await store.runs.get(runs.gone.id)).toMatchObject({ endedAt: expect.any(String), error: { code: 'DW_SHUTDOWN', message: expect.stringContaining(`pid ${dead.pid}`) } });
      expect(await result(runs.noOwner.id)).toBe('interrupted');
      expect(await result(runs.mine.id)).toBe('running');
      expect(await result(runs.liveOther.id)).toBe('running');
      expect(await result(runs.finished.id)).toBe('success');
    } finally {
      child.kill('SIGKILL');
      await store.close();
    }
  });
});
