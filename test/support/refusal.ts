// The message of a DW_CONDITION_INVALID refusal, for tests of the Where settings; any other outcome fails the test.
import { isDropwiseError } from '../../src/errors.js';

export function conditionRefusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isDropwiseError(err, 'DW_CONDITION_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected DW_CONDITION_INVALID');
}
