import { describe, expect, it } from 'vitest';
import { eachLimited, Limiter } from '../../src/async/limiter.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('runs at most `concurrency` jobs at once, in queue order, and settles run() with each result', async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const results = [1, 2, 3, 4].map((n) =>
      limiter.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => gates.push(resolve));
        if (n === 3) throw new Error('three');
        return n * 10;
      }),
    );
    const settled = Promise.allSettled(results);
    await tick();
    expect(started).toEqual([1, 2]);
    expect(limiter.active).toBe(2);
    expect(limiter.waiting).toBe(2);
    gates[1]?.();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    for (const open of gates) open();
    await tick();
    for (const open of gates) open();
    expect((await settled).map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([10, 20, 'three', 40]);
    await limiter.idle();
    expect(limiter.active).toBe(0);
  });

  it('turns a job that throws at once into a rejection, not a crash of the queue', async () => {
    const limiter = new Limiter(1);
    const bad = limiter.run(() => {
      throw new Error('sync');
    });
    await expect(bad).rejects.toThrow('sync');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('eachLimited', () => {
  it('works through every item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await eachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      inFlight--;
      done.push(n);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });
});
