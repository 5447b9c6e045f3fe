import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TruthEntry } from '../../src/state/store.js';
import { ShardedTruthTable, TRUTH_SHARDS } from '../../src/state/truth-table.js';
import { makeTempDirSync } from '../support/temp-dir.js';

const tmp = () => makeTempDirSync('dw-truth-');

const entry = (externalId: string, id: number, at = '2024-01-01T00:00:00Z', extra: Partial<TruthEntry> = {}): TruthEntry => ({
  connection: 'cw',
  entity: 'invoicePayment',
  externalId,
  id,
  hash: `h${id}`,
  created: at,
  modified: at,
  ...extra,
});

const shardFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('truth-'));
const logLines = (dir: string) => fs.readFileSync(path.join(dir, 'truth.log'), 'utf8').split('\n').filter(Boolean);

describe('ShardedTruthTable', () => {
  it('upserts, keeping the first created date and the source', async () => {
    const table = new ShardedTruthTable(tmp());
    await table.putMany([entry('A', 1, '2024-01-01T00:00:00Z')]);
    await table.putMany([entry('A', 2, '2024-02-01T00:00:00Z', { source: { file: 'x__p.xml', record: 4, action: 'updated' } })]);
    expect(await table.get('cw', 'invoicePayment', 'A')).toEqual(
      entry('A', 2, '2024-02-01T00:00:00Z', { created: '2024-01-01T00:00:00Z', source: { file: 'x__p.xml', record: 4, action: 'updated' } }),
    );
    expect(await table.get('cw', 'invoicePayment', 'B')).toBeUndefined();
    expect(await table.get('other', 'invoicePayment', 'A')).toBeUndefined();
    expect(await table.count()).toBe(1);
  });

  it('is durable when putMany returns: a new process (no flush, no close) sees the entries', async () => {
    const dir = tmp();
    const table = new ShardedTruthTable(dir);
    await table.putMany([entry('A', 1), entry('B', 2)]);
    const afterCrash = new ShardedTruthTable(dir);
    expect((await afterCrash.get('cw', 'invoicePayment', 'B'))?.id).toBe(2);
    expect(await afterCrash.count()).toBe(2);
  });

  it('appends small batches to the log without rewriting any shard', async () => {
    const dir = tmp();
    const table = new ShardedTruthTable(dir, { foldAt: 1000, mayFold: () => true });
    await table.putMany(Array.from({ length: 300 }, (_, i) => entry(`E${i}`, i)));
    await table.flush();
    const before = Object.fromEntries(shardFiles(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    expect(Object.keys(before).length).toBeGreaterThan(TRUTH_SHARDS / 2);

    await table.putMany(Array.from({ length: 100 }, (_, i) => entry(`N${i}`, 1000 + i)));
    const after = Object.fromEntries(shardFiles(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    expect(after).toEqual(before);
    expect(logLines(dir)).toHaveLength(100);
    expect(await table.count()).toBe(400);
  });

  it('folds the log into the shards once it is full, and empties it', async () => {
    const dir = tmp();
    const table = new ShardedTruthTable(dir, { foldAt: 50, mayFold: () => true });
    await table.putMany(Array.from({ length: 30 }, (_, i) => entry(`E${i}`, i)));
    expect(logLines(dir)).toHaveLength(30);
    await table.putMany(Array.from({ length: 30 }, (_, i) => entry(`E${i + 20}`, 100 + i)));
    expect(logLines(dir)).toHaveLength(0);

    const reopened = new ShardedTruthTable(dir, { foldAt: 50 });
    expect(await reopened.count()).toBe(50);
    expect((await reopened.get('cw', 'invoicePayment', 'E25'))?.id).toBe(105);
    expect((await reopened.get('cw', 'invoicePayment', 'E5'))?.id).toBe(5);
  });

  it('counts a key that is both in a shard and in the log once', async () => {
    const dir = tmp();
    const table = new ShardedTruthTable(dir, { mayFold: () => true });
    await table.putMany([entry('A', 1)]);
    await table.flush();
    await table.putMany([entry('A', 2), entry('B', 3)]);
    expect(await new ShardedTruthTable(dir).count()).toBe(2);
  });

  it('drops a line torn by a crash mid-append and keeps appending after the last whole line', async () => {
    const dir = tmp();
    await new ShardedTruthTable(dir).putMany([entry('A', 1)]);
    fs.appendFileSync(path.join(dir, 'truth.log'), '{"connection":"cw","entity":"invoicePay');

    const restarted = new ShardedTruthTable(dir);
    expect((await restarted.get('cw', 'invoicePayment', 'A'))?.id).toBe(1);
    await restarted.putMany([entry('B', 2)]);

    const again = new ShardedTruthTable(dir);
    expect((await again.get('cw', 'invoicePayment', 'B'))?.id).toBe(2);
    expect(await again.count()).toBe(2);
  });

  it('never folds or empties the log without the lock, nor in a process that only read it', async () => {
    const dir = tmp();
    const writer = new ShardedTruthTable(dir, { foldAt: 5, mayFold: () => true });
    await writer.putMany([entry('A', 1)]);
    const reader = new ShardedTruthTable(dir, { mayFold: () => true });
    expect((await reader.get('cw', 'invoicePayment', 'A'))?.id).toBe(1);
    await writer.putMany([entry('B', 2)]);
    await reader.flush();
    expect(logLines(dir)).toHaveLength(2);
    expect(shardFiles(dir)).toEqual([]);

    const unlocked = new ShardedTruthTable(dir, { foldAt: 2 });
    await unlocked.putMany([entry('C', 3), entry('D', 4)]);
    await unlocked.flush();
    expect(logLines(dir)).toHaveLength(4);
    expect(shardFiles(dir)).toEqual([]);

    const fresh = new ShardedTruthTable(dir);
    expect((await fresh.get('cw', 'invoicePayment', 'B'))?.id).toBe(2);
    expect((await fresh.get('cw', 'invoicePayment', 'D'))?.id).toBe(4);
  });

  it('a reader leaves a line being appended alone', async () => {
    const dir = tmp();
    await new ShardedTruthTable(dir).putMany([entry('A', 1)]);
    fs.appendFileSync(path.join(dir, 'truth.log'), '{"connection":"cw","entity":"invoicePay');
    const before = fs.readFileSync(path.join(dir, 'truth.log'));
    const reader = new ShardedTruthTable(dir, { mayFold: () => true });
    expect(await reader.count()).toBe(1);
    await reader.flush();
    expect(fs.readFileSync(path.join(dir, 'truth.log'))).toEqual(before);
  });

  it('reports a log it cannot write as DW_STATE_WRITE, and one it cannot read as DW_STATE_READ', async () => {
    const dir = tmp();
    fs.symlinkSync(path.join(dir, 'missing', 'truth.log'), path.join(dir, 'truth.log'));
    await expect(new ShardedTruthTable(dir).putMany([entry('A', 1)])).rejects.toMatchObject({ code: 'DW_STATE_WRITE' });

    const unreadable = tmp();
    fs.mkdirSync(path.join(unreadable, 'truth.log'));
    await expect(new ShardedTruthTable(unreadable).get('cw', 'invoicePayment', 'A')).rejects.toMatchObject({ code: 'DW_STATE_READ' });
    const damaged = tmp();
    fs.writeFileSync(path.join(damaged, 'truth.log'), 'not json\n');
    await expect(new ShardedTruthTable(damaged).get('cw', 'invoicePayment', 'A')).rejects.toMatchObject({ code: 'DW_STATE_READ', retryable: false });
  });
});
