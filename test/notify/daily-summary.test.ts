// The daily summary is computed from the real run history on disk: runs of the last 24 hours per task.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { dailyCron, lastDaySummary, summarizeRuns } from '../../src/notify/daily-summary.js';
import { Notifier } from '../../src/notify/notifier.js';
import { webhookSender } from '../../src/notify/webhook.js';
import { DailyRunHistory } from '../../src/state/run-history.js';
import type { RunRecord } from '../../src/state/index.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notify-receivers.js';
import { makeTempDir, waitFor } from '../support/workspace.js';

let web: HttpReceiver | undefined;
afterEach(async () => {
  await web?.close();
});

async function history(): Promise<DailyRunHistory> {
  const runs = new DailyRunHistory(await makeTempDir());
  const add = async (task: string, result: 'success' | 'partial' | 'failed' | 'empty', ok: number, failed: number, taskName?: string) => {
    const run = await runs.start({ task, trigger: 'file', ...(taskName ? { taskName } : {}) });
    await runs.finish(run.id, { result, recordsOk: ok, recordsFailed: failed });
  };
  await add('connectwise.import-invoice-payments', 'success', 10, 0);
  await add('connectwise.import-invoice-payments', 'partial', 8, 2);
  await add('connectwise.import-invoice-payments', 'failed', 0, 0);
  await add('connectwise.export-invoices', 'success', 120, 0, 'nightly-invoices');
  await add('connectwise.export-invoices', 'empty', 0, 0, 'nightly-invoices');
  await runs.flush();
  return runs;
}

describe('the daily summary', () => {
  it('counts runs, results and records per task over the last 24 hours', async () => {
    const runs = await history();
    const { since, tasks } = await lastDaySummary(runs, new Date());
    expect(Date.now() - since.getTime()).toBeGreaterThanOrEqual(24 * 60 * 60_000 - 1000);
    expect(tasks).toEqual([
      { task: 'connectwise.import-invoice-payments', runs: 3, success: 1, partial: 1, failed: 1, recordsOk: 18, recordsFailed: 2 },
      { task: 'nightly-invoices', runs: 2, success: 2, partial: 0, failed: 0, recordsOk: 120, recordsFailed: 0 },
    ]);
    // A day later, none of these runs is in the window.
    expect((await lastDaySummary(runs, new Date(Date.now() + 25 * 60 * 60_000))).tasks).toEqual([]);
  });

  it('leaves out runs older than the window', () => {
    const run = (startedAt: string): RunRecord => ({ id: startedAt, task: 't', trigger: 'schedule', startedAt, recordsIn: 1, recordsOk: 1, recordsFailed: 0, result: 'success', outputs: [] });
    expect(summarizeRuns([run('2026-01-01T00:00:00Z'), run('2026-01-02T06:00:00Z')], new Date('2026-01-01T12:00:00Z'))).toEqual([
      { task: 't', runs: 1, success: 1, partial: 0, failed: 0, recordsOk: 1, recordsFailed: 0 },
    ]);
  });

  it('is sent to every destination that takes it, never throttled', async () => {
    web = await startHttpReceiver();
    const n = new Notifier([webhookSender({ url: web.url, format: 'json', events: ['daily-summary'], headers: {} })], { log: silentLogger(), throttleMs: 60_000, host: 'agent-1' });
    const runs = await history();
    await n.sendDailySummary(runs);
    await n.sendDailySummary(runs);
    await waitFor(() => web!.requests.length === 2, 5_000);
    const body = JSON.parse(web.requests[0]!.body) as { title: string; severity: string; facts: { label: string; value: string }[] };
    expect(body.title).toBe('Daily summary: 5 runs, 1 failed, 1 partial');
    expect(body.severity).toBe('error');
    expect(body.facts).toContainEqual({ label: 'connectwise.import-invoice-payments', value: '3 runs (1 ok, 1 partial, 1 failed); records 18 ok, 2 failed' });
    await n.close(1_000);
  });

  it('fires at the configured time of day', () => {
    expect(dailyCron('07:00')).toBe('0 7 * * *');
    expect(dailyCron('23:05')).toBe('5 23 * * *');
  });
});
