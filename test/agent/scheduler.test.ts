import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/agent/scheduler.js';
import { captureLogger } from '../support/capture-log.js';
import { createTestAgent, makeTempDir, filesUnder, waitFor } from '../support/workspace.js';
import path from 'node:path';

describe('Scheduler', () => {
  it('runs scheduled tasks and never overlaps a run with itself', async () => {
    const { log, lines } = captureLogger();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const scheduler = new Scheduler(
      { every: { type: 'x', schedule: '* * * * * *', settings: {} }, manual: { type: 'x', settings: {} } },
      log,
      async (name) => {
        expect(name).toBe('every');
        runs++;
        maxActive = Math.max(maxActive, ++active);
        await sleep(1500);
        active--;
      },
    );
    scheduler.start();
    await sleep(3200);
    scheduler.stop();
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(maxActive).toBe(1);
    expect(lines.some((l) => l.message.includes('still running from its last scheduled time'))).toBe(true);
    expect(lines.some((l) => l.message.startsWith('Task every is scheduled (* * * * * *)'))).toBe(true);
  });

  it('the agent runs a scheduled task and writes its output', async () => {
    const t = createTestAgent(await makeTempDir(), {
      config: { tasks: { tick: { type: 'test.export', schedule: '* * * * * *', settings: { outputFile: 'tick.xml', count: 1 } } } },
    });
    await t.agent.start();
    try {
      await waitFor(async () => (await filesUnder(path.join(t.dir, 'outbox', 'success'))).length > 0, 5000);
      const [run] = await t.runtime.store.runs.recent(1);
      expect(run).toMatchObject({ task: 'test.export', taskName: 'tick', trigger: 'schedule' });
    } finally {
      await t.agent.stop();
    }
  });
});
