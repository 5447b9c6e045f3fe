// A stop waits, within its grace period, for configured-task runs (schedules, `dropwise task`) as it
// does for files: connectors and the state store are closed only after them.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DropwiseError } from '../../src/errors.js';
import { LOCK_FILE_NAME, acquireLock } from '../../src/state/lock-file.js';
import type { TaskDefinition } from '../../src/tasks/types.js';
import { testTasks } from '../support/tasks.js';
import { createTestAgent, makeTempDir, waitFor } from '../support/workspace.js';

/** An export that runs until the agent stops, then needs a moment to wind down (as a real export closing its output). */
function windingDownTask(events: string[]): TaskDefinition {
  return {
    type: 'test.wind-down',
    connector: 'traede',
    summary: 'Runs until stopped',
    parseSettings: () => ({}),
    async run(_, ctx) {
      events.push('started');
      while (!ctx.signal.aborted) await sleep(20);
      await sleep(300);
      events.push('wound down');
      throw new DropwiseError('DW_SHUTDOWN', 'Stopped by the agent', { retryable: true });
    },
  };
}

describe('agent: stop with configured tasks running', () => {
  it.each(['cli', 'schedule'] as const)('waits for a %s run before it returns', async (trigger) => {
    const events: string[] = [];
    const schedule = trigger === 'schedule' ? { schedule: '* * * * * *' } : {};
    const t = createTestAgent(await makeTempDir(), {
      config: { tasks: { long: { type: 'test.wind-down', settings: {}, ...schedule } } },
      tasks: [...testTasks, windingDownTask(events)],
    });
    await t.agent.start();
    const direct = trigger === 'cli' ? t.agent.runConfiguredTask('long', 'cli') : undefined;
    await waitFor(() => events.includes('started'), 5000);
    await t.agent.stop({ graceMs: 5000 });
    events.push('stopped');
    expect(events).toEqual(['started', 'wound down', 'stopped']);
    expect((await direct)?.outcome.error?.code ?? 'DW_SHUTDOWN').toBe('DW_SHUTDOWN');
    const [run] = await t.runtime.store.runs.recent(1);
    expect(run).toMatchObject({ taskName: 'long', trigger, result: 'interrupted' });
  });
});

describe('agent: stop when the grace period runs out', () => {
  it('keeps the work and state folders locked until the last task has ended', async () => {
    const events: string[] = [];
    const stubborn: TaskDefinition = {
      type: 'test.stubborn',
      connector: 'traede',
      summary: 'Ignores a stop for a while',
      parseSettings: () => ({}),
      async run() {
        events.push('started');
        await sleep(1500);
        events.push('ended');
        return { status: 'success', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [] };
      },
    };
    const t = createTestAgent(await makeTempDir(), { config: { tasks: { slow: { type: 'test.stubborn', settings: {} } } }, tasks: [...testTasks, stubborn] });
    await t.agent.start();
    const run = t.agent.runConfiguredTask('slow', 'cli');
    await waitFor(() => events.includes('started'), 5000);
    await t.agent.stop({ graceMs: 100 });
    const locks = [path.join(t.dir, 'work', LOCK_FILE_NAME), path.join(t.dir, 'state', LOCK_FILE_NAME)];
    expect(events).toEqual(['started']);
    expect(locks.map((f) => fs.existsSync(f))).toEqual([true, true]);
    await expect(acquireLock(path.join(t.dir, 'state'), 'run')).rejects.toMatchObject({ code: 'DW_LOCKED' });
    await run;
    await waitFor(() => locks.every((f) => !fs.existsSync(f)), 5000, () => 'the locks to be given back');
    expect(events).toEqual(['started', 'ended']);
    const [recorded] = await t.runtime.store.runs.recent(1);
    expect(recorded).toMatchObject({ taskName: 'slow', result: 'success' });
  });
});
