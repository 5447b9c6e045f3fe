import { describe, expect, it } from 'vitest';
import { backoffDelay, taskRetryPolicy } from '../../src/async/backoff.js';

describe('backoffDelay', () => {
  const settings = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles from the base each step and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((step) => backoffDelay(step, settings))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('with a source of randomness, scales the step by 50–100 %', () => {
    expect(backoffDelay(3, settings, () => 0)).toBe(200);
    expect(backoffDelay(3, settings, () => 0.5)).toBe(300);
    expect(backoffDelay(3, settings, () => 0.999999)).toBe(400);
  });
});

describe('taskRetryPolicy', () => {
  it('takes its tries from maxAttempts and starts one step up the curve the HTTP layer used', () => {
    const policy = taskRetryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 });
    expect(policy.attempts).toBe(4);
    expect([1, 2, 3, 4].map((attempt) => policy.delayMs(attempt))).toEqual([200, 400, 800, 1000]);
  });
});
