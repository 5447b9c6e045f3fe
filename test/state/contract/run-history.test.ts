// The run history's contract, on both backends: kept across a reopen, found by id and by filter, a
// page at a time with the total, newest first, with the agent that ran it.
import { describe, expect, it, vi } from 'vitest';
import { BACKENDS } from './backends.js';

describe.each(BACKENDS)('run history ($name)', (backend) => {
  it('keeps runs across a reopen, newest first, with their outcome', async () => {
    const state = await backend.fresh();
    const store = state.open();
    const run = await store.runs.start({ task: 'connectwise.export-invoices', trigger: 'cli', taskName: 'nightly' });
    expect(run).toMatchObject({ result: 'running', recordsIn: 0, outputs: [] });
    await store.runs.finish(run.id, { result: 'success', recordsIn: 5, recordsOk: 5, outputs: ['/x/invoices.xml'], details: { counts: { invoices: 5 } } });
    const second = await store.runs.start({ task: 'connectwise.import-invoice-payments', trigger: 'file', file: 'p.xml' });
    await store.close();

    const reopened = state.open();
    const recent = await reopened.runs.recent(10);
    expect(recent.map((r) => r.id)).toEqual([second.id, run.id]);
    expect(recent[1]).toMatchObject({ result: 'success', recordsIn: 5, recordsOk: 5, taskName: 'nightly', outputs: ['/x/invoices.xml'], details: { counts: { invoices: 5 } } });
    expect(recent[1]?.endedAt).toEqual(expect.any(String));
    expect(await reopened.runs.get(second.id)).toEqual(second);
    expect(await reopened.runs.recent(1)).toHaveLength(1);
    expect(await reopened.runs.recent(Infinity)).toHaveLength(2);
    expect((await reopened.runs.query({ limit: Infinity, offset: 1 })).runs.map((r) => r.id)).toEqual([run.id]);
  });

  it('finds runs by id and by filter (task or name, result, dates, part of the file name), newest first, a page at a time', async () => {
    const store = (await backend.fresh()).open();
    const made = [];
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (let i = 0; i < 7; i++) {
        vi.setSystemTime(Date.UTC(2026, 10, 1, 8, i));
        const run = await store.runs.start({ task: i % 2 ? 'connectwise.import-invoice-payments' : 'connectwise.export-invoices', trigger: i % 2 ? 'file' : 'schedule', ...(i % 2 ? { file: `Receipts-${i}.xml` } : { taskName: 'nightly' }) });
        await store.runs.finish(run.id, { result: i === 3 ? 'failed' : 'success' });
        made.push(run);
      }
    } finally {
      vi.useRealTimers();
    }
    expect((await store.runs.get(made[2]!.id))?.id).toBe(made[2]!.id);
    expect(await store.runs.get('no-such-run')).toBeUndefined();

    const imports = await store.runs.query({ task: 'connectwise.import-invoice-payments', limit: 2 });
    expect(imports.total).toBe(3);
    expect(imports.runs.map((r) => r.file)).toEqual(['Receipts-5.xml', 'Receipts-3.xml']);
    const next = await store.runs.query({ task: 'connectwise.import-invoice-payments', limit: 2, offset: 2 });
    expect(next).toMatchObject({ total: 3, runs: [{ file: 'Receipts-1.xml' }] });

    expect((await store.runs.query({ task: 'nightly' })).total).toBe(4);
    expect((await store.runs.query({ result: 'failed' })).runs.map((r) => r.id)).toEqual([made[3]!.id]);
    expect((await store.runs.query({ result: ['failed', 'running'] })).total).toBe(1);
    expect((await store.runs.query({ file: 'RECEIPTS-3' })).runs.map((r) => r.id)).toEqual([made[3]!.id]);
    expect((await store.runs.query({ since: made[4]!.startedAt })).runs.map((r) => r.id)).toEqual([made[6]!.id, made[5]!.id, made[4]!.id]);
    expect((await store.runs.query({ until: made[1]!.startedAt })).runs.map((r) => r.id)).toEqual([made[0]!.id]);
    expect(await store.runs.query({ limit: 0 })).toEqual({ runs: [], total: 7 });
    expect((await store.runs.query({ task: 'nightly', result: 'success', since: made[2]!.startedAt })).runs.map((r) => r.id)).toEqual([made[6]!.id, made[4]!.id, made[2]!.id]);
  });

  it('keeps runs started in the same millisecond in the order they started', async () => {
    const store = (await backend.fresh()).open();
    vi.useFakeTimers({ toFake: ['Date'] });
    const ids: string[] = [];
    try {
      vi.setSystemTime(Date.UTC(2026, 10, 2, 9));
      for (let i = 0; i < 5; i++) ids.push((await store.runs.start({ task: 't', trigger: 'cli' })).id);
    } finally {
      vi.useRealTimers();
    }
    expect((await store.runs.recent(10)).map((r) => r.id)).toEqual(ids.reverse());
  });

  it('keeps the run history by age (history.keepDays) when a run of a new day starts', async () => {
    const store = (await backend.fresh()).open({ historyKeepDays: 90 });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [month, day] of [[7, 31], [8, 1], [8, 3]] as const) {
        vi.setSystemTime(Date.UTC(2026, month, day, 12));
        await store.runs.start({ task: 't', trigger: 'cli', file: `${month + 1}-${day}` });
      }
      vi.setSystemTime(Date.UTC(2026, 10, 30, 8));
      await store.runs.start({ task: 't', trigger: 'cli', file: '11-30' });
    } finally {
      vi.useRealTimers();
    }
    expect((await store.runs.query({})).runs.map((r) => r.file)).toEqual(['11-30', '9-3', '9-1']);
  });
});

describe('run history (postgres): shared by agents', () => {
  it('records the agent that ran each run, shows every agent\'s runs, and filters by agent', async () => {
    const state = await BACKENDS[1]!.fresh();
    const one = state.open({ agent: 'agent-1' });
    const two = state.open({ agent: 'agent-2' });
    const a = await one.runs.start({ task: 't', trigger: 'cli' });
    const b = await two.runs.start({ task: 't', trigger: 'cli' });
    expect(a.agent).toBe('agent-1');
    expect((await one.runs.recent(10)).map((r) => [r.id, r.agent])).toEqual([[b.id, 'agent-2'], [a.id, 'agent-1']]);
    expect((await two.runs.query({ agent: 'agent-1' })).runs.map((r) => r.id)).toEqual([a.id]);
  });
});
