// How `run` and `task` report a run to a person, and the exit code it means.
import type { FileResult } from '../agent/pipeline/process-file.js';
import type { TaskRunResult } from '../agent/pipeline/runner.js';
import { EXIT } from './verb-action.js';

type Outcome = TaskRunResult['outcome'];

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

export function printFileResult(result: FileResult): void {
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
