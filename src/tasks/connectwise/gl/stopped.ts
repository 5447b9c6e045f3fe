// The one error for a GL export cut short by the agent stopping, wherever it notices: the export is a
// preview that posts nothing, so the next run simply starts again.
import { DropwiseError } from '../../../errors.js';

export function glExportStopped(cause?: unknown): DropwiseError {
  return new DropwiseError('DW_SHUTDOWN', 'The GL export was stopped because the agent is stopping; it runs again from the start next time', {
    retryable: true,
    ...(cause === undefined ? {} : { cause }),
  });
}
