import { describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../src/agent/scheduler.js';
import { captureLogger } from '../support/capture-log.js';
import { createTestAgent, makeTempDir, filesUnder, waitFor } from '../support/workspace.js';
import path from 'node:path';

describe('Scheduler', () => {
  it('runs scheduled tasks and never overlaps a run with itself', async () => {
    // Fake timers and clock: croner's ticks come exactly when the test advances time, never at the
    // mercy of wall-clock second boundaries.
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.500Z') });
    try {
      const { log, lines } = captureLogger();
      let active = 0;
      let maxActive = 0;
      let runs = 0;
      let finishRun = (): void => undefined;
      const scheduler = new Scheduler(
        { every: { type: 'x', schedule: '* * * * * *', settings: {} }, manual: { type: 'x', settings: {} } },
        log,
        async (name) => {
          expect(name).toBe('every');
          runs++;
          maxActive = Math.max(maxActive, ++active);
          await new Promise<void>((resolve) => (finishRun = resolve));
          active--;
        },
      );
      scheduler.start();
      expect(lines.some((l) => l.message === 'Task every is scheduled (* * * * * *); next run 2026-01-01T00:00:01.000Z')).toBe(true);
      await vi.advanceTimersByTimeAsync(600);
      expect(runs).toBe(1);
      await vi.advanceTimersByTimeAsync(2000);
      expect(runs).toBe(1);
      expect(lines.filter((l) => l.message.includes('still running from its last scheduled time'))).toHaveLength(2);
      finishRun();
      await vi.advanceTimersByTimeAsync(1000);
      expect(runs).toBe(2);
      expect(maxActive).toBe(1);
      scheduler.stop();
      finishRun();
    } finally {
      vi.useRealTimers();
    }
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
