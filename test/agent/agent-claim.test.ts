// The claim path: the rename into work/processing is made durable (its folder fsynced) before the
// claim is journalled, and a claim that cannot be journalled leaves the file to a retry from
// work/processing instead of stranding it there until the next start.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../../src/agent/pipeline/journal.js';
import { createTestAgent, echoDocument, filesUnder, makeTempDir, type TestAgent } from '../support/workspace.js';

const ops = vi.hoisted(() => [] as string[]);
vi.mock('../../src/fs/fsync.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/fs/fsync.js')>();
  return {
    ...real,
    fsyncDir: async (dir: string) => {
      ops.push(`fsyncDir ${dir}`);
      return real.fsyncDir(dir);
    },
  };
});

const running: TestAgent[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  ops.length = 0;
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

describe('agent: the claim path', () => {
  it('fsyncs work/processing after the rename and before the claim is journalled', async () => {
    const real = Journal.prototype.record;
    vi.spyOn(Journal.prototype, 'record').mockImplementation(function (this: Journal, entry, options) {
      if (entry.event === 'claimed') ops.push('journal claimed');
      return real.call(this, entry, options);
    });
    const t = createTestAgent(await makeTempDir());
    running.push(t);
    await t.agent.start();
    ops.length = 0;
    await fs.writeFile(path.join(t.dir, 'inbox', 'a.xml'), echoDocument('a', 1));
    const [result] = await t.processed(1, 10_000);
    expect(result?.disposition).toBe('archived');
    const processing = path.join(t.dir, 'work', 'processing');
    const synced = ops.indexOf(`fsyncDir ${processing}`);
    expect(synced).toBeGreaterThanOrEqual(0);
    expect(synced).toBeLessThan(ops.indexOf('journal claimed'));
  });

  it('a claim that cannot be journalled is tried again from work/processing, without a restart', async () => {
    const real = Journal.prototype.record;
    let failed = 0;
    vi.spyOn(Journal.prototype, 'record').mockImplementation(function (this: Journal, entry, options) {
      if (entry.event === 'claimed' && failed++ === 0) return Promise.reject(new Error('ENOSPC: no space left on device'));
      return real.call(this, entry, options);
    });
    const t = createTestAgent(await makeTempDir(), { deps: { retryDelayMs: 50 } });
    running.push(t);
    await t.agent.start();
    await fs.writeFile(path.join(t.dir, 'inbox', 'b.xml'), echoDocument('b', 1));
    const [result] = await t.processed(1, 10_000);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(result?.disposition).toBe('archived');
    expect(await filesUnder(path.join(t.dir, 'outbox', 'success'))).toEqual(['b.out.xml']);
    expect(await filesUnder(path.join(t.dir, 'work', 'processing'))).toEqual([]);
  });
});
