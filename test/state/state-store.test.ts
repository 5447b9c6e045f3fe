import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openStateStore } from '../../src/state/index.js';
import { makeTempDirSync } from '../support/temp-dir.js';

const truthEntry = (externalId: string, id: number) => ({ connection: 'cw', entity: 'invoicePayment', externalId, id, hash: 'h', created: 'a', modified: 'a' });

/** Every file under `dir` with its bytes. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name), 'base64')]),
  );

const tmp = () => makeTempDirSync('dw-state-');

describe('state store', () => {
  it('keeps the run history across a reopen, newest first', async () => {
    const dir = tmp();
    const store = openStateStore(dir);
    const run = await store.runs.start({ task: 'connectwise.export-invoices', trigger: 'cli', taskName: 'nightly' });
    expect(run.result).toBe('running');
    await store.runs.finish(run.id, { result: 'success', recordsIn: 5, recordsOk: 5, outputs: ['/x/invoices.xml'] });
    const second = await store.runs.start({ task: 'connectwise.import-invoice-payments', trigger: 'file', file: 'p.xml' });
    await store.close();

    const reopened = openStateStore(dir);
    const recent = await reopened.runs.recent(10);
    expect(recent.map((r) => r.id)).toEqual([second.id, run.id]);
    expect(recent[1]).toMatchObject({ result: 'success', recordsIn: 5, recordsOk: 5, taskName: 'nightly' });
    expect(recent[1]?.endedAt).toBeDefined();
  });

  it('finds runs by id and by filter (task or name, result, dates, part of the file name), newest first, a page at a time', async () => {
    const store = openStateStore(tmp());
    const made = [];
    // One run a minute, so the date filters have distinct start times to cut between.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < 7; i++) {
      vi.setSystemTime(Date.UTC(2026, 10, 1, 8, i));
      const run = await store.runs.start({ task: i % 2 ? 'connectwise.import-invoice-payments' : 'connectwise.export-invoices', trigger: i % 2 ? 'file' : 'schedule', ...(i % 2 ? { file: `Receipts-${i}.xml` } : { taskName: 'nightly' }) });
      await store.runs.finish(run.id, { result: i === 3 ? 'failed' : 'success' });
      made.push(run);
    }
    vi.useRealTimers();
    expect((await store.runs.get(made[2]!.id))?.id).toBe(made[2]!.id);
    expect(await store.runs.get('no-such-run')).toBeUndefined();

    const imports = await store.runs.query({ task: 'connectwise.import-invoice-payments', limit: 2 });
    expect(imports.total).toBe(3);
    expect(imports.runs.map((r) => r.file)).toEqual(['Receipts-5.xml', 'Receipts-3.xml']);
    const next = await store.runs.query({ task: 'connectwise.import-invoice-payments', limit: 2, offset: 2 });
    expect(next.runs.map((r) => r.file)).toEqual(['Receipts-1.xml']);

    expect((await store.runs.query({ task: 'nightly' })).total).toBe(4);
    expect((await store.runs.query({ result: 'failed' })).runs.map((r) => r.id)).toEqual([made[3]!.id]);
    expect((await store.runs.query({ result: ['failed', 'running'] })).total).toBe(1);
    expect((await store.runs.query({ file: 'receipts-3' })).runs.map((r) => r.id)).toEqual([made[3]!.id]);
    expect((await store.runs.query({ since: made[4]!.startedAt })).runs.map((r) => r.id)).toEqual([made[6]!.id, made[5]!.id, made[4]!.id]);
    expect((await store.runs.query({ until: made[1]!.startedAt })).runs.map((r) => r.id)).toEqual([made[0]!.id]);
    await store.close();
  });

  it('keeps the run history by age (history.keepDays): older days are deleted when a run of a new day starts', async () => {
    const dir = tmp();
    const store = openStateStore(dir, { historyKeepDays: 90 });
    const days = () => fs.readdirSync(path.join(dir, 'runs')).sort();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [month, day] of [[7, 31], [8, 1], [8, 3]] as const) {
        vi.setSystemTime(Date.UTC(2026, month, day, 12));
        const run = await store.runs.start({ task: 't', trigger: 'cli', file: `${month + 1}-${day}` });
        await store.runs.finish(run.id, { result: 'success' });
      }
      expect(days()).toEqual(['2026-08-31.jsonl', '2026-09-01.jsonl', '2026-09-03.jsonl']);
      // 2026-11-30 minus 90 days is 2026-09-01: the oldest day kept.
      vi.setSystemTime(Date.UTC(2026, 10, 30, 8));
      await store.runs.start({ task: 't', trigger: 'cli', file: '11-30' });
    } finally {
      vi.useRealTimers();
    }
    expect(days()).toEqual(['2026-09-01.jsonl', '2026-09-03.jsonl', '2026-11-30.jsonl']);
    expect((await store.runs.recent(10)).map((r) => r.file)).toEqual(['11-30', '9-3', '9-1']);
    await store.close();
    expect((await openStateStore(dir).runs.query({})).runs.map((r) => r.file)).toEqual(['11-30', '9-3', '9-1']);
  });

  it('writes watermarks through at once', async () => {
    const dir = tmp();
    const store = openStateStore(dir);
    await store.watermarks.set('nightly', { dateModified: '2024-01-01T00:00:00Z' });
    await store.watermarks.set('nightly', { dateCreated: '2024-02-01T00:00:00Z' });
    // No close(): a crash right after set() must not lose it.
    const other = openStateStore(dir);
    expect(await other.watermarks.get('nightly')).toEqual({ dateModified: '2024-01-01T00:00:00Z', dateCreated: '2024-02-01T00:00:00Z' });
    expect(await other.watermarks.get('unknown')).toEqual({});
    expect(Object.keys(await other.watermarks.all())).toEqual(['nightly']);
  });

  it('reports a corrupt state file clearly, as a read error that is not retried', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'watermarks.json'), '{ not json');
    const store = openStateStore(dir);
    await expect(store.watermarks.get('x')).rejects.toMatchObject({ code: 'DW_STATE_READ', retryable: false, message: expect.stringContaining('watermarks.json') });
  });

  it('a process that only read the state writes nothing, even while another one writes', async () => {
    const dir = tmp();
    const agent = openStateStore(dir);
    await agent.lock('start');
    await agent.watermarks.set('nightly', { dateModified: '2024-01-01T00:00:00Z' });
    await agent.runs.start({ task: 't', trigger: 'cli' });
    await agent.truth.putMany([truthEntry('x1', 1)]);
    await agent.flush();

    const status = openStateStore(dir);
    await status.watermarks.all();
    await status.runs.recent(5);
    await status.truth.get('cw', 'invoicePayment', 'x1');

    await agent.watermarks.set('nightly', { dateModified: '2024-06-01T00:00:00Z' });
    await agent.truth.putMany([truthEntry('x2', 2)]);
    const before = snapshot(dir);
    await status.close();
    expect(snapshot(dir)).toEqual(before);

    const fresh = openStateStore(dir);
    expect(await fresh.watermarks.get('nightly')).toEqual({ dateModified: '2024-06-01T00:00:00Z' });
    expect((await fresh.truth.get('cw', 'invoicePayment', 'x2'))?.id).toBe(2);
    await agent.close();
    expect(fs.existsSync(path.join(dir, 'dropwise.lock'))).toBe(false);
  });

  it('lets one process at a time lock the state folder', async () => {
    const dir = tmp();
    const first = openStateStore(dir);
    await first.lock('start');
    await expect(openStateStore(dir).lock('run')).rejects.toMatchObject({ code: 'DW_LOCKED', message: expect.stringContaining(`dropwise start (pid ${process.pid}`) });
    await first.unlock();
    const second = openStateStore(dir);
    await second.lock('run');
    await second.close();
  });
});
