// The order of the durable steps under the state store, recorded at the fs floor: the truth log is
// emptied only after every shard it was folded into is on disk (file and folder fsynced), and a
// watermark is set only once watermarks.json is.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStateStore } from '../../src/state/index.js';
import { ShardedTruthTable } from '../../src/state/truth-table.js';
import type { TruthEntry } from '../../src/state/store.js';
import { makeTempDir } from '../support/workspace.js';

const ops = vi.hoisted(() => [] as string[]);
vi.mock('../../src/fs/fsync.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/fs/fsync.js')>();
  return {
    ...real,
    writeFileDurable: async (file: string, text: string) => {
      await real.writeFileDurable(file, text);
      ops.push(`durable ${path.basename(file)}`);
    },
  };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises') & { default: typeof import('node:fs/promises') }>();
  const truncate = async (file: string, len?: number) => {
    ops.push(`truncate ${path.basename(file)} ${len ?? 0}`);
    return real.truncate(file, len);
  };
  return { ...real, truncate, default: { ...real.default, truncate } };
});

afterEach(() => {
  ops.length = 0;
});

const entry = (i: number): TruthEntry => ({ connection: 'cw', entity: 'payment', externalId: `P-${i}`, id: i, hash: 'h', created: 'c', modified: 'm' });

describe('state durability order', () => {
  it('empties the truth log only after every shard it folded into is durable', async () => {
    const table = new ShardedTruthTable(await makeTempDir(), { foldAt: 50, mayFold: () => true });
    await table.putMany(Array.from({ length: 50 }, (_, i) => entry(i)));
    const truncated = ops.indexOf('truncate truth.log 0');
    expect(truncated).toBeGreaterThan(0);
    const shardsWritten = ops.filter((op) => /^durable truth-\d\d\.json$/.test(op));
    expect(shardsWritten.length).toBeGreaterThan(10);
    expect(ops.slice(truncated + 1).some((op) => op.startsWith('durable truth-'))).toBe(false);
  });

  it('sets a watermark only once watermarks.json is durable', async () => {
    const store = openStateStore(await makeTempDir());
    await store.watermarks.set('task', { dateCreated: '2026-01-01T00:00:00Z' });
    expect(ops).toEqual(['durable watermarks.json']);
    await store.close();
  });
});
