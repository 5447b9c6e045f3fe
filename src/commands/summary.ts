// How `run` and `task` report a run to a person, and the exit code it means.
import type { FileResult } from '../agent/pipeline/process-file.js';
import type { TaskRunResult } from '../agent/pipeline/runner.js';
import { EXIT } from './verb-action.js';

/** A run's outcome as printed: a local run's, or the same facts from the agent's API (a hand-over). */
type Outcome = Pick<TaskRunResult['outcome'], 'status' | 'recordsIn' | 'recordsOk' | 'recordsFailed' | 'outputs'> & { error?: { code: string; fullMessage: string } };

/** A processed file as printed: a local run's FileResult, or the same facts from the agent's API. */
export interface PrintableFileResult {
  file: { name: string; path: string };
  route?: { definition: { type: string }; reason: string };
  outcome?: Outcome;
  error?: { code: string; fullMessage: string };
  disposition: FileResult['disposition'];
  path?: string;
  errorPath?: string;
}

export function exitCodeOf(outcome: Pick<Outcome, 'status'> | undefined, fileFailed: boolean): number {
  if (fileFailed || !outcome || outcome.status === 'failed') return EXIT.failed;
  return outcome.status === 'partial' ? EXIT.someRecordsFailed : EXIT.ok;
}

export function printOutcome(outcome: Outcome): void {
  console.log(`Result:   ${outcome.status}: ${outcome.recordsIn} records in, ${outcome.recordsOk} ok, ${outcome.recordsFailed} failed`);
  const [first, ...rest] = outcome.outputs;
  console.log(`Outputs:  ${first ?? 'none'}`);
  for (const output of rest) console.log(`          ${output}`);
  if (outcome.error) console.log(`Error:    ${outcome.error.code}: ${outcome.error.fullMessage}`);
}

export function printFileResult(result: PrintableFileResult): void {
  console.log(`File:     ${result.file.name}`);
  if (result.route) console.log(`Task:     ${result.route.definition.type} (${result.route.reason})`);
  if (result.outcome) printOutcome(result.outcome);
  else if (result.error) console.log(`Error:    ${result.error.code}: ${result.error.fullMessage}`);
  switch (result.disposition) {
    case 'archived':
      console.log(`Original: archived as ${result.path}`);
      break;
    case 'deleted':
      console.log('Original: deleted (processing.originals is "delete")');
      break;
    case 'failed':
      console.log(`Original: moved to ${result.path}; the reason is in ${result.errorPath}`);
      break;
    default:
      console.log(`Original: left in ${result.file.path}; it is retried when the agent starts`);
  }
}
