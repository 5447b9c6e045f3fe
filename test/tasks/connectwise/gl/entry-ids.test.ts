import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GlEntryIdSink, glEntryIdsOf } from '../../../../src/tasks/connectwise/gl/entry-ids.js';

const dirs: string[] = [];
function sidecar(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-glids-'));
  dirs.push(dir);
  return path.join(dir, 'gl-entry-ids', 'run-1.txt');
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('glEntryIdsOf', () => {
  it('reads the ids each kind of record carries, and none from the others', () => {
    expect(glEntryIdsOf('transactions', { glEntryIds: '1010, 1011,1012' })).toEqual(['1010', '1011', '1012']);
    expect(glEntryIdsOf('expenses', { id: 500000007, offset: { id: 500000007 } })).toEqual(['500000007']);
    expect(glEntryIdsOf('purchaseTransactions', { id: 'PO #1', purchaseDetail: [{ id: 1299 }, { id: 1300 }, {}] })).toEqual(['1299', '1300']);
    expect(glEntryIdsOf('expenseBills', { id: 500000007, detail: [{ id: [500000007] }] })).toEqual([]);
    expect(glEntryIdsOf('customers', { id: 8 })).toEqual([]);
    expect(glEntryIdsOf('transactions', { glEntryIds: null })).toEqual([]);
  });
});

describe('GlEntryIdSink', () => {
  it('keeps a short list inline', async () => {
    const file = sidecar();
    const sink = new GlEntryIdSink(file, 5);
    await sink.add('transactions', { glEntryIds: '1,2,3' });
    await sink.add('expenses', { id: 9 });
    expect(await sink.finish()).toEqual({ glEntryIds: ['1', '2', '3', '9'], glEntryIdCount: 4 });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('moves a long list to the sidecar file, in order, and keeps a count and the path', async () => {
    const file = sidecar();
    const sink = new GlEntryIdSink(file, 5);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      await sink.add('transactions', { glEntryIds: `${i * 2},${i * 2 + 1}` });
      expected.push(String(i * 2), String(i * 2 + 1));
    }
    expect(await sink.finish()).toEqual({ glEntryIdCount: 10_000, glEntryIdsFile: file });
    expect(fs.readFileSync(file, 'utf8')).toBe(`${expected.join('\n')}\n`);
  });

  it('drops what a failed attempt collected, sidecar included', async () => {
    const file = sidecar();
    const sink = new GlEntryIdSink(file, 1);
    await sink.add('transactions', { glEntryIds: '1,2,3' });
    await sink.discard();
    expect(fs.existsSync(file)).toBe(false);
    await sink.add('expenses', { id: 7 });
    expect(await sink.finish()).toEqual({ glEntryIds: ['7'], glEntryIdCount: 1 });
  });
});
