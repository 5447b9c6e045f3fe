import { describe, expect, it } from 'vitest';
import { DropwiseError } from '../../../../src/errors.js';
import { FileBreaker } from '../../../../src/tasks/connectwise/payments/file-breaker.js';

const outage = new DropwiseError('DW_CW_UNAVAILABLE', 'ConnectWise: 503', { retryable: true, httpStatus: 503 });
const refused = new DropwiseError('DW_CW_VALIDATION', 'amount must be at most the balance', { httpStatus: 400 });

describe('FileBreaker', () => {
  it('trips on the limit-th outage in a row, and from then on refuses every record', () => {
    const breaker = new FileBreaker(3);
    breaker.failed(outage);
    breaker.failed(outage);
    expect(() => breaker.failed(outage)).toThrowError(expect.objectContaining({ code: 'DW_CW_UNAVAILABLE', retryable: true, message: expect.stringContaining('3 records in a row') as string }) as Error);
    expect(() => breaker.check()).toThrowError(/3 records in a row/);
  });

  it('counts only outages in a row: an answer from ConnectWise starts again', () => {
    const breaker = new FileBreaker(3);
    for (const between of [() => breaker.answered(), () => breaker.failed(refused)]) {
      breaker.failed(outage);
      breaker.failed(outage);
      between();
    }
    breaker.failed(new DropwiseError('DW_CW_RATE_LIMITED', 'ConnectWise: 429', { retryable: true }));
    expect(() => breaker.check()).not.toThrow();
  });

  it('refused credentials or rights fail the file at once', () => {
    for (const code of ['DW_CW_AUTH', 'DW_CW_FORBIDDEN'] as const) {
      const breaker = new FileBreaker();
      const thrown = (() => {
        try {
          breaker.failed(new DropwiseError(code, 'ConnectWise: no', { field: 'invoice/id', hint: 'Check the keys' }));
        } catch (err) {
          return err;
        }
      })();
      expect(thrown).toMatchObject({ code, hint: 'Check the keys', field: undefined });
      expect(() => breaker.check()).toThrowError(expect.objectContaining({ code }) as Error);
    }
  });
});
