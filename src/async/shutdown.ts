// The one error for work cut short because the agent is stopping (its abort signal fired), wherever
// it is noticed: a run, a task, a record's retry. It is retryable: the work runs again at the next start.
import { DropwiseError } from '../errors.js';

export function shutdownError(message: string, cause?: unknown): DropwiseError {
  return new DropwiseError('DW_SHUTDOWN', message, { retryable: true, ...(cause === undefined ? {} : { cause }) });
}
