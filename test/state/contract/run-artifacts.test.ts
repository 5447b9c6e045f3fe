// Run artifacts' contract, on both backends: nothing at the artifact's path before commit, the whole
// text after (readable by another store), nothing after a discard, only the newest `keep` of a kind.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from './backends.js';

describe.each(BACKENDS)('run artifacts ($name)', (backend) => {
  it('shows nothing before commit, then the whole text, to another store too', async () => {
    const state = await backend.fresh();
    const artifact = await state.open().artifacts('run-7').create('ids', 10);
    await artifact.write('1\n');
    await artifact.write('2\n');
    const reader = state.open().artifacts('another-run');
    expect(await reader.read(artifact.path)).toBeUndefined();
    expect(await artifact.commit()).toBe(artifact.path);
    expect(await reader.read(artifact.path)).toBe('1\n2\n');
  });

  it('leaves nothing when discarded, before or after commit', async () => {
    const state = await backend.fresh();
    const store = state.open();
    const before = await store.artifacts('run-8').create('ids', 10);
    await before.write('1\n');
    await before.discard();
    expect(await store.artifacts('x').read(before.path)).toBeUndefined();
    const after = await store.artifacts('run-9').create('ids', 10);
    await after.write('2\n');
    await after.commit();
    await after.discard();
    expect(await store.artifacts('x').read(after.path)).toBeUndefined();
  });

  it('keeps only the newest `keep` artifacts of a kind, the new one included; other kinds are left alone', async () => {
    const store = (await backend.fresh()).open();
    const paths: string[] = [];
    for (let i = 0; i < 5; i++) {
      const artifact = await store.artifacts(`run-${i}`).create('ids', 3);
      await artifact.write(`${i}\n`);
      paths.push(await artifact.commit());
      // Distinct ages, as the local store tells them by modification time.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const other = await store.artifacts('run-0').create('other-kind', 1);
    await other.write('o\n');
    await other.commit();
    const reader = store.artifacts('r');
    expect(await Promise.all(paths.map((p) => reader.read(p)))).toEqual([undefined, undefined, '2\n', '3\n', '4\n']);
    expect(await reader.read(other.path)).toBe('o\n');
  });
});
