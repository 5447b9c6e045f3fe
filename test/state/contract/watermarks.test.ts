// The watermarks' contract, on both backends: written through at once, and moved forward only, so two
// runs of one task finishing out of order (two agents) never move a date back.
import { describe, expect, it } from 'vitest';
import { advanceWatermarks } from '../../../src/state/watermarks.js';
import { BACKENDS } from './backends.js';

describe.each(BACKENDS)('watermarks ($name)', (backend) => {
  it('writes through at once, merging the values of a task key', async () => {
    const state = await backend.fresh();
    const store = state.open();
    await store.watermarks.set('nightly', { dateModified: '2024-01-01T00:00:00Z' });
    await store.watermarks.set('nightly', { dateCreated: '2024-02-01T00:00:00Z' });
    // No close(): a crash right after set() must not lose it.
    const other = state.open();
    expect(await other.watermarks.get('nightly')).toEqual({ dateModified: '2024-01-01T00:00:00Z', dateCreated: '2024-02-01T00:00:00Z' });
    expect(await other.watermarks.get('unknown')).toEqual({});
    expect(await other.watermarks.all()).toEqual({ nightly: { dateModified: '2024-01-01T00:00:00Z', dateCreated: '2024-02-01T00:00:00Z' } });
  });

  it('never moves a date backwards, compared as instants; settings and other values are stored as given', async () => {
    const store = (await backend.fresh()).open();
    await store.watermarks.set('k', { dateModified: '2026-03-01T10:00:00Z', dateModifiedSetting: '2026-01-01T00:00:00Z', cursor: 'b' });
    await store.watermarks.set('k', { dateModified: '2026-02-01T10:00:00.000Z', dateModifiedSetting: '2025-01-01T00:00:00Z', cursor: 'a' });
    expect(await store.watermarks.get('k')).toEqual({ dateModified: '2026-03-01T10:00:00Z', dateModifiedSetting: '2025-01-01T00:00:00Z', cursor: 'a' });
    // Same instant written differently, and a later one with an offset: forward (or level) moves.
    await store.watermarks.set('k', { dateModified: '2026-03-01T11:30:00+01:00' });
    expect((await store.watermarks.get('k'))['dateModified']).toBe('2026-03-01T11:30:00+01:00');
    await store.watermarks.set('k', { dateModified: '2026-03-01T10:29:59Z' });
    expect((await store.watermarks.get('k'))['dateModified']).toBe('2026-03-01T11:30:00+01:00');
    await store.watermarks.set('k', { dateModified: '2026-03-01T10:30:01Z' });
    expect((await store.watermarks.get('k'))['dateModified']).toBe('2026-03-01T10:30:01Z');
  });

  it('runs finishing out of order (two agents) leave the later date', async () => {
    const state = await backend.fresh();
    const [a, b] = [state.open(), state.open()];
    await b.watermarks.set('shared', { dateCreated: '2026-05-02T00:00:00Z' });
    await a.watermarks.set('shared', { dateCreated: '2026-05-01T00:00:00Z' });
    expect((await state.open().watermarks.get('shared'))['dateCreated']).toBe('2026-05-02T00:00:00Z');
  });
});

describe('watermarks (postgres): agents setting one key at once', () => {
  it('leave the latest date, whatever order the writes land in', async () => {
    const state = await BACKENDS[1]!.fresh();
    const stores = [state.open({ agent: 'a' }), state.open({ agent: 'b' }), state.open({ agent: 'c' })];
    const dates = Array.from({ length: 30 }, (_, i) => `2026-05-${String(i + 1).padStart(2, '0')}T00:00:00Z`).reverse();
    await Promise.all(dates.map((d, i) => stores[i % 3]!.watermarks.set('shared', { dateCreated: d, [`by${i % 3}`]: d })));
    const stored = await state.open().watermarks.get('shared');
    expect(stored['dateCreated']).toBe('2026-05-30T00:00:00Z');
    expect(Object.keys(stored).sort()).toEqual(['by0', 'by1', 'by2', 'dateCreated']);
  });
});

describe('advanceWatermarks', () => {
  it('compares instants only: a value that is not one, on either side, is stored as given', () => {
    expect(advanceWatermarks({}, { a: 'x' })).toEqual({ a: 'x' });
    expect(advanceWatermarks({ a: 'x' }, { a: '2026-01-01T00:00:00Z' })).toEqual({ a: '2026-01-01T00:00:00Z' });
    expect(advanceWatermarks({ a: '2026-01-01T00:00:00Z' }, { a: 'reset' })).toEqual({ a: 'reset' });
    expect(advanceWatermarks({ a: '2026-01-02T00:00:00Z', b: '1' }, { a: '2026-01-01' })).toEqual({ a: '2026-01-01', b: '1' });
  });
});
