// `dropwise status` as a person runs it: it needs no connection secret, creates no folder, and tells
// whether an agent runs on the folders (from work/agent.json) and what it is doing (from its API).
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseSince } from '../../src/commands/status.js';
import { openPostgresStateStore } from '../../src/state/postgres/index.js';
import { DailyRunHistory } from '../../src/state/run-history.js';
import type { RunRecord } from '../../src/state/store.js';
import { runCli } from '../support/cli.js';
import { postgresConfig } from '../support/postgres-config.js';
import { filesUnder, makeTempDir } from '../support/workspace.js';

const traede = { type: 'traede', url: 'https://api.traede.com', token: 'env:STATUS_TEST_TRAEDE_TOKEN', appKey: 'env:STATUS_TEST_TRAEDE_KEY' };

describe('dropwise status', () => {
  it('shows the runs of every agent sharing a PostgreSQL state, each with its agent', async () => {
    const { schema, config, env } = await postgresConfig();
    expect((await runCli(['state', 'migrate', '--config', config], { env })).code).toBe(0);
    for (const agent of ['agent-1', 'agent-2']) {
      const store = openPostgresStateStore({ postgres: { url: schema.url, poolSize: 2, schema: schema.schema }, agent });
      const run = await store.runs.start({ task: 'connectwise.import-invoice-payments', trigger: 'file', file: `${agent}.xml` });
      await store.runs.finish(run.id, { result: 'success', recordsIn: 1, recordsOk: 1 });
      await store.close();
    }
    const r = await runCli(['status', '--config', config], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/started +agent +task +file/);
    expect(r.stdout).toMatch(/agent-2 +connectwise\.import-invoice-payments +agent-2\.xml +success/);
    expect(r.stdout).toMatch(/agent-1 +connectwise\.import-invoice-payments +agent-1\.xml +success/);
  });

  it('on a PostgreSQL schema nobody has migrated yet, says so and what to run (DW_STATE_SCHEMA)', async () => {
    const { config, env } = await postgresConfig();
    const r = await runCli(['status', '--config', config], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DW_STATE_SCHEMA');
    expect(r.stderr).toContain('has no dropwise tables yet');
    expect(r.stderr).toContain('dropwise state migrate');
  });

  it('needs no connection secret and creates no folder', async () => {
    const dir = await makeTempDir();
    const config = path.join(dir, 'dropwise.json');
    const tasks = { nightly: { type: 'traede.export-invoices', connection: 'shop', schedule: '0 2 * * *', settings: {} } };
    await fs.writeFile(config, JSON.stringify({ connections: { shop: traede }, tasks, api: { token: 'env:STATUS_TEST_API_TOKEN' } }));
    const r = await runCli(['status', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Agent: not running');
    expect(r.stdout).toMatch(/Schedules \(1\):\n {2}nightly {2}0 2 \* \* \* {2}next \d{4}-\d\d-\d\dT\d\d:00:00\.000Z/);
    expect(await fs.readdir(dir)).toEqual(['dropwise.json']);
    expect(await filesUnder(dir)).toEqual(['dropwise.json']);
  });

  it('says an agent.json left by a process that is gone is not a running agent', async () => {
    const dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'work'));
    const os = await import('node:os');
    // A pid far above any real one on this host.
    const gone = { pid: 2 ** 22 + 17, hostname: os.hostname(), version: '0.0.1', startedAt: '2026-01-01T00:00:00.000Z', api: 'http://127.0.0.1:9' };
    await fs.writeFile(path.join(dir, 'work', 'agent.json'), JSON.stringify(gone));
    await fs.writeFile(path.join(dir, 'dropwise.json'), '{}');
    const r = await runCli(['status', '--json', '--config', path.join(dir, 'dropwise.json')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ agent: { running: false, stalePid: gone.pid } });
  });

  it('picks runs with --limit, --task, --since and --failed, and shows a run kept for a retry as waiting', async () => {
    const dir = await makeTempDir();
    await fs.writeFile(path.join(dir, 'dropwise.json'), '{}');
    const history = new DailyRunHistory(path.join(dir, 'state'));
    const hour = 3_600_000;
    const now = Date.now();
    const made: [string, string, RunRecord['result'], number][] = [
      ['nightly', 'a', 'success', 50],
      ['nightly', 'b', 'failed', 30],
      ['payments', 'c', 'partial', 20],
      ['payments', 'd', 'waiting', 3],
      ['nightly', 'e', 'success', 1],
    ];
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [taskName, file, result, hoursAgo] of made) {
        vi.setSystemTime(now - hoursAgo * hour);
        const run = await history.start({ task: 'connectwise.export-invoices', taskName, trigger: 'file', file });
        await history.finish(run.id, { result, ...(result === 'waiting' ? { error: { code: 'DW_CW_UNAVAILABLE', message: 'down' } } : {}) });
      }
    } finally {
      vi.useRealTimers();
    }
    const config = path.join(dir, 'dropwise.json');
    const files = async (...args: string[]) => {
      const r = await runCli(['status', '--json', '--config', config, ...args]);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { runs: RunRecord[]; runsMatching: number };
      return [out.runs.map((run) => run.file).join(''), out.runsMatching];
    };
    expect(await files()).toEqual(['edcba', 5]);
    expect(await files('--limit', '2')).toEqual(['ed', 5]);
    expect(await files('--task', 'payments')).toEqual(['dc', 2]);
    expect(await files('--since', '24h')).toEqual(['edc', 3]);
    expect(await files('--failed')).toEqual(['cb', 2]);
    expect(await files('--failed', '--since', '2d', '--task', 'nightly')).toEqual(['b', 1]);

    const table = await runCli(['status', '--config', config, '--since', '4h']);
    expect(table.stdout).toContain('Recent runs (2 of 2; since ');
    expect(table.stdout).toMatch(/nightly +e +success/);
    expect(table.stdout).toMatch(/payments +d +waiting for a retry DW_CW_UNAVAILABLE/);

    const bad = await runCli(['status', '--config', config, '--since', 'last week']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected a date (2026-11-01, 2026-11-01T08:00Z) or a duration back from now');
    expect((await runCli(['status', '--config', config, '--limit', '0'])).stderr).toContain('expected a whole number of 1 or more');
  });

  it('reads --since as an ISO date (UTC, as the history) or a duration back from now', () => {
    const now = Date.UTC(2026, 10, 15, 12);
    expect(parseSince('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('2026-11-01T08:30+01:00', now)).toBe('2026-11-01T07:30:00.000Z');
    expect(parseSince('24h', now)).toBe('2026-11-14T12:00:00.000Z');
    expect(parseSince('7d', now)).toBe('2026-11-08T12:00:00.000Z');
    expect(parseSince('30m', now)).toBe('2026-11-15T11:30:00.000Z');
    expect(() => parseSince('2026-02-30', now)).toThrow(/expected a date/);
  });
});
