import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/index.js';
import { RUN_HISTORY_LIMIT } from '../../src/state/run-history.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dw-state-'));

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

  it('trims the run history to its limit', async () => {
    const store = openStateStore(tmp());
    for (let i = 0; i < RUN_HISTORY_LIMIT + 5; i++) await store.runs.start({ task: 't', trigger: 'cli', file: `f${i}` });
    const recent = await store.runs.recent(RUN_HISTORY_LIMIT + 100);
    expect(recent).toHaveLength(RUN_HISTORY_LIMIT);
    expect(recent[0]?.file).toBe(`f${RUN_HISTORY_LIMIT + 4}`);
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

  it('reports a corrupt state file clearly', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'watermarks.json'), '{ not json');
    const store = openStateStore(dir);
    await expect(store.watermarks.get('x')).rejects.toMatchObject({ code: 'DW_STATE_WRITE', message: expect.stringContaining('watermarks.json') });
  });
});
