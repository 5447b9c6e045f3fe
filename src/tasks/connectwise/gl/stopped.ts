// The one error for a GL export cut short by the agent stopping, wherever it notices: the export is a
// preview that posts nothing, so the next run simply starts again.
import { shutdownError } from '../../../async/shutdown.js';
import type { DropwiseError } from '../../../errors.js';

export function glExportStopped(cause?: unknown): DropwiseError {
  return shutdownError('The GL export was stopped because the agent is stopping; it runs again from the start next time', cause);
}
