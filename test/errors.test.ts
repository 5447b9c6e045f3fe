import { describe, expect, it } from 'vitest';
import { DropwiseError, isDropwiseError, toDropwiseError } from '../src/errors.js';
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
