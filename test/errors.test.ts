import { describe, expect, it } from 'vitest';
import { DropwiseError, isDropwiseError, keepForRetry, toDropwiseError, worthAnotherAttempt } from '../src/errors.js';
import { REDACTED, redactor } from '../src/secrets.js';

describe('DropwiseError', () => {
  it('joins the message and the hint into one sentence each', () => {
    expect(new DropwiseError('DW_FILE_EMPTY', 'The file is empty', { hint: 'Check the writer' }).fullMessage).toBe('The file is empty. Check the writer');
    expect(new DropwiseError('DW_CW_VALIDATION', 'ConnectWise: Amount is too high.', { hint: 'Fix it' }).fullMessage).toBe('ConnectWise: Amount is too high. Fix it');
    expect(new DropwiseError('DW_INTERNAL', 'x').fullMessage).toBe('x');
  });

  it('wraps anything thrown, keeping DropwiseErrors as they are', () => {
    const dw = new DropwiseError('DW_CW_AUTH', 'no');
    expect(toDropwiseError(dw)).toBe(dw);
    expect(toDropwiseError(new Error('boom'), 'DW_OUTPUT_WRITE')).toMatchObject({ code: 'DW_OUTPUT_WRITE', message: 'boom' });
    expect(toDropwiseError('text')).toMatchObject({ code: 'DW_INTERNAL', message: 'text' });
    expect(isDropwiseError(dw, 'DW_CW_AUTH')).toBe(true);
    expect(isDropwiseError(dw, 'DW_CW_NOT_FOUND')).toBe(false);
  });

  it('never carries a configured secret in its message or hint', () => {
    redactor.add('very-private-key', 'acme+pub-key:very-private-key'); // as loadConfig registers them
    const b64 = Buffer.from('acme+pub-key:very-private-key').toString('base64');
    const err = new DropwiseError('DW_CW_AUTH', `refused acme+pub-key:very-private-key (${b64})`, { hint: `check very-private-key` });
    expect(err.message.startsWith(`refused ${REDACTED} (${REDACTED}`)).toBe(true);
    expect(err.message).not.toContain(b64.slice(0, 12));
    expect(err.fullMessage).not.toContain('very-private-key');
  });
});

describe('try again later', () => {
  it('keeps the input for a later run on an outage, a local write failure or a stop, and fails it otherwise', () => {
    for (const code of ['DW_CW_UNAVAILABLE', 'DW_CW_RATE_LIMITED', 'DW_TRAEDE_UNAVAILABLE', 'DW_OUTPUT_WRITE', 'DW_STATE_WRITE', 'DW_SHUTDOWN'] as const) {
      expect(keepForRetry(new DropwiseError(code, 'x')), code).toBe(true);
    }
    for (const code of ['DW_CW_VALIDATION', 'DW_XML_MALFORMED', 'DW_STATE_READ', 'DW_CW_AUTH'] as const) {
      expect(keepForRetry(new DropwiseError(code, 'x')), code).toBe(false);
    }
    // A cut-off stream may be fetched again at once, but a file whose stream keeps being cut off is failed.
    expect(keepForRetry(new DropwiseError('DW_JSON_MALFORMED', 'cut off', { retryable: true }))).toBe(false);
  });

  it('makes another attempt at once only when the remote side may have got over it', () => {
    expect(worthAnotherAttempt(new DropwiseError('DW_CW_UNAVAILABLE', 'x'))).toBe(true);
    expect(new DropwiseError('DW_CW_RATE_LIMITED', 'x').retryable).toBe(true);
    expect(worthAnotherAttempt(new DropwiseError('DW_JSON_MALFORMED', 'cut off', { retryable: true }))).toBe(true);
    expect(worthAnotherAttempt(new DropwiseError('DW_JSON_MALFORMED', 'not JSON'))).toBe(false);
    // Local failures and a stop: asking the remote system again fixes nothing, whatever the error says.
    for (const code of ['DW_OUTPUT_WRITE', 'DW_STATE_WRITE', 'DW_SHUTDOWN'] as const) {
      expect(worthAnotherAttempt(new DropwiseError(code, 'x', { retryable: true })), code).toBe(false);
    }
  });
});
