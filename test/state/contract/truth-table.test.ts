// The truth table's contract, on both backends: an upsert keeps the first `created`, a batch read
// returns the entries that exist, and what putMany wrote is there for another store at once.
import { describe, expect, it } from 'vitest';
import type { TruthEntry } from '../../../src/state/index.js';
import { BACKENDS } from './backends.js';

const entry = (externalId: string, id: number, at: string, extra: Partial<TruthEntry> = {}): TruthEntry => ({ connection: 'cw', entity: 'invoicePayment', externalId, id, hash: `h${id}`, created: at, modified: at, ...extra });

describe.each(BACKENDS)('truth table ($name)', (backend) => {
  it('upserts keeping the first created, durable for another store when putMany returns', async () => {
    const state = await backend.fresh();
    const store = state.open();
    await store.truth.putMany([entry('PAY-1', 11, '2026-01-01'), entry('PAY-2', 12, '2026-01-01', { source: { file: 'c1__p.xml', record: 1, action: 'created' } })]);
    await store.truth.putMany([entry('PAY-1', 21, '2026-02-01', { hash: 'changed' })]);
    await store.truth.putMany([]);
    const other = state.open();
    expect(await other.truth.get('cw', 'invoicePayment', 'PAY-1')).toEqual(entry('PAY-1', 21, '2026-01-01', { hash: 'changed', modified: '2026-02-01' }));
    expect(await other.truth.get('cw', 'invoicePayment', 'PAY-2')).toEqual(entry('PAY-2', 12, '2026-01-01', { source: { file: 'c1__p.xml', record: 1, action: 'created' } }));
    expect(await other.truth.get('cw', 'invoicePayment', 'PAY-3')).toBeUndefined();
    expect(await other.truth.count()).toBe(2);
  });

  it('is unique per connection and entity', async () => {
    const store = (await backend.fresh()).open();
    await store.truth.putMany([entry('X', 1, 'a'), entry('X', 2, 'a', { connection: 'cw2' }), entry('X', 3, 'a', { entity: 'other' })]);
    expect(await store.truth.count()).toBe(3);
    expect((await store.truth.get('cw2', 'invoicePayment', 'X'))?.id).toBe(2);
  });

  it('within one batch, the last entry of a key wins and the first created stays', async () => {
    const store = (await backend.fresh()).open();
    await store.truth.putMany([entry('D', 1, '2026-01-01'), entry('D', 2, '2026-03-01')]);
    expect(await store.truth.get('cw', 'invoicePayment', 'D')).toMatchObject({ id: 2, created: '2026-01-01', modified: '2026-03-01' });
    expect(await store.truth.count()).toBe(1);
  });

  it('reads a batch of externalIds at once: the ones that exist, by externalId', async () => {
    const store = (await backend.fresh()).open();
    await store.truth.putMany(Array.from({ length: 50 }, (_, i) => entry(`E-${i}`, i + 1, 'a')));
    await store.truth.putMany([entry('E-0', 99, 'b', { connection: 'cw2' })]);
    const found = await store.truth.getMany('cw', 'invoicePayment', ['E-3', 'E-49', 'none', 'E-3']);
    expect([...found.keys()].sort()).toEqual(['E-3', 'E-49']);
    expect(found.get('E-49')).toEqual(entry('E-49', 50, 'a'));
    expect((await store.truth.getMany('cw2', 'invoicePayment', ['E-0', 'E-1'])).get('E-0')?.id).toBe(99);
    expect((await store.truth.getMany('cw', 'invoicePayment', [])).size).toBe(0);
  });
});
