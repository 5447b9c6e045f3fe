import { Cron } from 'croner';
import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, missedFireTime } from '../../src/agent/scheduler.js';
import { nextFireTimes } from '../../src/api/schedules.js';
import { events } from '../../src/events.js';
import { PgCoordination } from '../../src/state/postgres/coordination.js';
import { migrate } from '../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../src/state/postgres/migrations.js';
import { openPool } from '../../src/state/postgres/pool.js';
import { captureLogger } from '../support/capture-log.js';
import { testSchema, type TestSchema } from '../support/postgres.js';
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

  it('skips a fire time while another agent still runs the task, and says so (logged, counted)', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.500Z') });
    const skipped: string[] = [];
    const unsubscribe = events.scheduleSkipped.subscribe((e) => skipped.push(e.task));
    try {
      const { log, lines } = captureLogger();
      let runs = 0;
      let claims = 0;
      const scheduler = new Scheduler({ every: { type: 'x', schedule: '* * * * * *', settings: {} } }, log, async () => void runs++, {
        claimFire: async () => (++claims === 1 ? { run: false, runningOn: 'agent-2' } : { run: true }),
      });
      scheduler.start();
      await vi.advanceTimersByTimeAsync(600);
      expect(runs).toBe(0);
      expect(lines.map((l) => l.message)).toContain('Task every is still running on agent-2; this run is skipped');
      expect(skipped).toEqual(['every']);
      await vi.advanceTimersByTimeAsync(1000);
      expect(runs).toBe(1);
      scheduler.stop();
    } finally {
      unsubscribe();
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

describe('Scheduler among agents sharing a PostgreSQL state', () => {
  const opened: { schema: TestSchema; pool: pg.Pool }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.pool.end();
      await o.schema.drop();
    }
  });
  async function agents(count: number): Promise<{ schema: TestSchema; coordinations: PgCoordination[] }> {
    const schema = await testSchema('sched');
    const pool = openPool({ url: schema.url, poolSize: 6, schema: schema.schema }, { applicationName: 'test' });
    opened.push({ schema, pool });
    await migrate(pool, schema.schema, MIGRATIONS);
    const coordinations = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const c = new PgCoordination(pool, 30);
        await c.register({ name: `agent-${i + 1}`, host: 'h', pid: i + 1, version: '2', workDir: `/w/agent-${i + 1}` });
        return c;
      }),
    );
    return { schema, coordinations };
  }

  it('runs each fire time on exactly one of three agents', async () => {
    const { schema, coordinations } = await agents(3);
    const runs: string[] = [];
    const schedulers = coordinations.map(
      (c, i) =>
        new Scheduler({ every: { type: 'x', schedule: '* * * * * *', settings: {} } }, captureLogger().log, async () => void runs.push(`agent-${i + 1}`), {
          claimFire: (name, at) => c.claimFire(name, at),
        }),
    );
    for (const s of schedulers) s.start();
    await new Promise((r) => setTimeout(r, 3500));
    for (const s of schedulers) s.stop();
    const fires = await schema.query<{ fire_at: Date; agent: string }>(`SELECT fire_at, agent FROM ${schema.schema}.schedule_fires WHERE task = 'every' ORDER BY fire_at`);
    expect(fires.rows.length).toBeGreaterThanOrEqual(3);
    // One run per fire time, by the agent that claimed it; the times a second apart, on the second.
    expect(runs.sort()).toEqual(fires.rows.map((r) => r.agent).sort());
    for (const [i, row] of fires.rows.entries()) {
      expect(row.fire_at.getMilliseconds()).toBe(0);
      if (i > 0) expect(row.fire_at.getTime() - fires.rows[i - 1]!.fire_at.getTime()).toBe(1000);
    }
  });

  it('catches a missed run up once when three agents start together', async () => {
    const { schema, coordinations } = await agents(3);
    const runs: string[] = [];
    const lastRun = new Date(Date.now() - 3 * 3_600_000);
    const schedulers = coordinations.map(
      (c, i) =>
        new Scheduler({ hourly: { type: 'x', schedule: '0 * * * *', settings: {}, catchUp: true } }, captureLogger().log, async () => void runs.push(`agent-${i + 1}`), {
          lastRunOf: async () => lastRun,
          claimFire: (name, at) => c.claimFire(name, at),
        }),
    );
    for (const s of schedulers) s.start();
    const started = await Promise.all(schedulers.map((s) => s.catchUp()));
    await waitFor(() => runs.length > 0, 5000);
    for (const s of schedulers) s.stop();
    expect(started.flat()).toEqual(['hourly']);
    expect(runs).toHaveLength(1);
    const fires = await schema.query<{ fire_at: Date }>(`SELECT fire_at FROM ${schema.schema}.schedule_fires`);
    const firstMissed = new Date(lastRun);
    firstMissed.setMinutes(0, 0, 0);
    firstMissed.setHours(firstMissed.getHours() + 1);
    expect(fires.rows.map((r) => r.fire_at.toISOString())).toEqual([firstMissed.toISOString()]);
  });
});
