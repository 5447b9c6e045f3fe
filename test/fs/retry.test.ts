import { describe, expect, it } from 'vitest';
import { retryTransient } from '../../src/fs/retry.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('retryTransient', () => {
  it('tries again after EPERM/EBUSY and returns the first success', async () => {
    const codes = ['EPERM', 'EBUSY'];
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      const code = codes.shift();
      if (code) throw errno(code);
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw errno('ENOENT');
      }),
    ).rejects.toThrow('ENOENT');
    expect(calls).toBe(1);
  });

  it('gives up on a lock that does not go away', async () => {
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls++;
        throw errno('EBUSY');
      }),
    ).rejects.toThrow('EBUSY');
    expect(calls).toBe(7);
  });
});
