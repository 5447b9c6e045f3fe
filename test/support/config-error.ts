// What a config test expects of a setting refused at load: a DropwiseError with DW_CONFIG_INVALID.
import { expect } from 'vitest';
import { DropwiseError } from '../../src/errors.js';

/** Runs `fn`, expecting it to refuse the configuration; returns the error for its message. */
export function configError(fn: () => unknown): DropwiseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DropwiseError);
    expect((err as DropwiseError).code).toBe('DW_CONFIG_INVALID');
    return err as DropwiseError;
  }
  throw new Error('expected DW_CONFIG_INVALID');
}
