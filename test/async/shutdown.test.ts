import { describe, expect, it } from 'vitest';
import { shutdownError } from '../../src/async/shutdown.js';
import { DropwiseError } from '../../src/errors.js';

describe('shutdownError', () => {
  it('is a retryable DW_SHUTDOWN keeping what was being done and its cause', () => {
    const cause = new Error('aborted');
    const err = shutdownError('The agent stopped while X was running', cause);
    expect(err).toBeInstanceOf(DropwiseError);
    expect(err).toMatchObject({ code: 'DW_SHUTDOWN', retryable: true, message: 'The agent stopped while X was running', cause });
    expect(shutdownError('stopped').cause).toBeUndefined();
  });
});
