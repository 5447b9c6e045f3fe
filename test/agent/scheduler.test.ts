import { Cron } from 'croner';
import { describe, expect, it, vi } from 'vitest';
import { Scheduler, missedFireTime } from '../../src/agent/scheduler.js';
import { nextFireTimes } from '../../src/api/schedules.js';
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

  it('reads a schedule in its time zone: 02:00 in Copenhagen is 01:00 UTC in winter and 00:00 UTC in summer', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-02T00:59:59.500Z') });
    try {
      const { log, lines } = captureLogger();
      const fired: string[] = [];
      const scheduler = new Scheduler({ nightly: { type: 'x', schedule: '0 2 * * *', timezone: 'Europe/Copenhagen', settings: {} } }, log, async () => {
        fired.push(new Date().toISOString());
      });
      scheduler.start();
      expect(lines.map((l) => l.message)).toContain('Task nightly is scheduled (0 2 * * * in Europe/Copenhagen); next run 2026-01-02T02:00:00+01:00 (Europe/Copenhagen)');
      await vi.advanceTimersByTimeAsync(400);
      expect(fired).toEqual([]);
      await vi.advanceTimersByTimeAsync(200);
      expect(fired).toEqual(['2026-01-02T01:00:00.000Z']);
      scheduler.stop();
    } finally {
      vi.useRealTimers();
    }
    const [summer] = nextFireTimes({ nightly: { type: 'x', schedule: '0 2 * * *', timezone: 'Europe/Copenhagen', catchUp: true, settings: {} } }, new Date('2026-07-01T12:00:00Z'));
    expect(summer).toEqual({ task: 'nightly', schedule: '0 2 * * *', timezone: 'Europe/Copenhagen', catchUp: true, nextRun: '2026-07-02T00:00:00.000Z', nextRunLocal: '2026-07-02T02:00:00+02:00' });
  });

  it('counts a scheduled time as missed only when it passed after the last finished run', () => {
    const job = new Cron('0 2 * * *', { paused: true, timezone: 'Europe/Copenhagen' });
    const lastRun = new Date('2026-01-01T01:00:04Z'); // the run of 1 January, 02:00 Copenhagen
    expect(missedFireTime(job, lastRun, new Date('2026-01-02T00:59:59Z'))).toBeUndefined();
    expect(missedFireTime(job, lastRun, new Date('2026-01-02T01:00:00Z'))).toEqual(new Date('2026-01-02T01:00:00Z'));
    // Three nights down: the first missed time is named, and one run catches up.
    expect(missedFireTime(job, lastRun, new Date('2026-01-04T09:00:00Z'))).toEqual(new Date('2026-01-02T01:00:00Z'));
    // No earlier run: nothing was missed (a new task does not fire on its first start).
    expect(missedFireTime(job, undefined, new Date('2026-01-04T09:00:00Z'))).toBeUndefined();
    job.stop();
  });

  it('catches up once at start only the tasks with catchUp whose last time was missed, and never overlaps with the schedule', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-03T07:30:00.000Z') });
    try {
      const { log, lines } = captureLogger();
      const started: string[] = [];
      let finish = (): void => undefined;
      const lastRuns: Record<string, Date | undefined> = {
        missed: new Date('2026-01-01T01:00:00Z'),
        uptodate: new Date('2026-01-03T07:00:01Z'),
        plain: new Date('2026-01-01T01:00:00Z'),
        fresh: undefined,
      };
      const every = (catchUp: boolean) => ({ type: 'x', schedule: '0 * * * *', settings: {}, ...(catchUp ? { catchUp } : {}) });
      const scheduler = new Scheduler(
        { missed: every(true), uptodate: every(true), plain: every(false), fresh: every(true) },
        log,
        async (name) => {
          started.push(name);
          await new Promise<void>((resolve) => (finish = resolve));
        },
        { lastRunOf: async (name) => lastRuns[name] },
      );
      scheduler.start();
      expect(await scheduler.catchUp()).toEqual(['missed']);
      expect(started).toEqual(['missed']);
      expect(lines.map((l) => l.message)).toContain('Task missed missed its scheduled run at 2026-01-01T02:00:00.000Z (last run started 2026-01-01T01:00:00.000Z); running it now (catchUp)');
      // The catch-up run is still going at 08:00: the hourly time is skipped for it, not run beside it.
      await vi.advanceTimersByTimeAsync(60 * 60_000);
      expect(started.filter((n) => n === 'missed')).toHaveLength(1);
      expect(lines.some((l) => l.message === 'Task missed is still running from its last scheduled time; this run is skipped')).toBe(true);
      scheduler.stop();
      finish();
    } finally {
      vi.useRealTimers();
    }
  });

  it('the agent runs a task with catchUp at start when its scheduled time passed while it was down', async () => {
    const t = createTestAgent(await makeTempDir(), {
      config: { tasks: { nightly: { type: 'test.export', schedule: '0 2 * * *', catchUp: true, settings: { outputFile: 'nightly.xml', count: 1 } } } },
    });
    // The history of an agent that last ran the task two days ago.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 2 * 86_400_000 });
    try {
      const earlier = await t.runtime.store.runs.start({ task: 'test.export', taskName: 'nightly', trigger: 'schedule' });
      await t.runtime.store.runs.finish(earlier.id, { result: 'success', recordsIn: 1, recordsOk: 1 });
    } finally {
      vi.useRealTimers();
    }
    await t.agent.start();
    try {
      await waitFor(async () => (await filesUnder(path.join(t.dir, 'outbox', 'success'))).length > 0, 5000);
      await waitFor(async () => (await t.runtime.store.runs.recent(1))[0]?.result === 'success', 5000);
      const [run] = await t.runtime.store.runs.recent(1);
      expect(run).toMatchObject({ taskName: 'nightly', trigger: 'schedule', result: 'success' });
      expect(await t.runtime.store.runs.recent(10)).toHaveLength(2);
    } finally {
      await t.agent.stop();
    }
  });
});
