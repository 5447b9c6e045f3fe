import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runOrdered } from '../../../../src/tasks/connectwise/payments/ordered-pool.js';

async function* numbers(n: number, taken?: number[]): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    taken?.push(i);
    yield i;
  }
}

describe('runOrdered', () => {
  it('emits every result in input order whatever the finishing order, within the concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 }), async (delays, concurrency) => {
        let running = 0;
        let peak = 0;
        const emitted: number[] = [];
        await runOrdered(
          numbers(delays.length),
          { concurrency, window: concurrency * 2 },
          async (i) => {
            peak = Math.max(peak, ++running);
            await sleep(delays[i] ?? 0);
            running--;
            return i * 10;
          },
          async (i, r) => {
            expect(r).toBe(i * 10);
            emitted.push(i);
          },
        );
        expect(emitted).toEqual(delays.map((_, i) => i));
        expect(peak).toBeLessThanOrEqual(concurrency);
      }),
      { numRuns: 30 },
    );
  });

  it('does not read further than the window while a slow item holds the head', async () => {
    const taken: number[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const run = runOrdered(numbers(100, taken), { concurrency: 4, window: 10 }, async (i) => (i === 0 ? slow : undefined), async () => undefined);
    await sleep(30);
    expect(taken.length).toBeLessThanOrEqual(10);
    release();
    await run;
    expect(taken).toHaveLength(100);
  });

  it('stops taking items when the signal aborts, and emits exactly those started', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const emitted: number[] = [];
    const { stopped } = await runOrdered(
      numbers(1000),
      { concurrency: 3, window: 6, signal: controller.signal },
      async (i) => {
        started.push(i);
        if (i === 20) controller.abort();
        // Finishing order differs from input order, without any clock.
        for (let turn = 0; turn < (i % 3) * 2; turn++) await new Promise((resolve) => setImmediate(resolve));
        return i;
      },
      async (i) => {
        emitted.push(i);
      },
    );
    const upTo20 = Array.from({ length: 21 }, (_, i) => i);
    expect(stopped).toBe(true);
    expect(started).toEqual(upTo20);
    expect(emitted).toEqual(upTo20);
  });

  it('throws a failure of work after the items in flight have finished', async () => {
    let finished = 0;
    await expect(
      runOrdered(
        numbers(10),
        { concurrency: 4, window: 4 },
        async (i) => {
          if (i === 1) throw new Error('boom');
          await sleep(20);
          finished++;
        },
        async () => undefined,
      ),
    ).rejects.toThrow('boom');
    expect(finished).toBeGreaterThanOrEqual(1);
  });
});
