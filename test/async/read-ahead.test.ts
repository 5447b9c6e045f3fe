import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/async/read-ahead.js';

describe('readAhead', () => {
  it('asks for the next item before handing over the current one, and yields all in order', async () => {
    const asked: number[] = [];
    async function* source() {
      for (let i = 1; i <= 3; i++) {
        asked.push(i);
        yield i;
      }
    }
    const seen: { item: number; askedBefore: number[] }[] = [];
    for await (const item of readAhead(source())) seen.push({ item, askedBefore: [...asked] });
    expect(seen).toEqual([
      { item: 1, askedBefore: [1, 2] },
      { item: 2, askedBefore: [1, 2, 3] },
      { item: 3, askedBefore: [1, 2, 3] },
    ]);
  });

  it('closes the source when the consumer stops early, and passes a failure of the source on', async () => {
    let closed = false;
    async function* source() {
      try {
        yield 1;
        yield 2;
        yield 3;
      } finally {
        closed = true;
      }
    }
    for await (const item of readAhead(source())) if (item === 1) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);

    async function* failing() {
      yield 1;
      throw new Error('cut off');
    }
    const got: number[] = [];
    await expect((async () => {
      for await (const item of readAhead(failing())) got.push(item);
    })()).rejects.toThrow('cut off');
    expect(got).toEqual([1]);
  });
});
