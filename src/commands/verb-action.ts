// How a verb ends: its exit code, and whatever it threw reported to a person (never a stack for a
// DropwiseError).
import { isDropwiseError } from '../errors.js';

/** Exit codes of `run`, `task` and `validate` (ARCHITECTURE §4); any other failure exits 2 too. */
export const EXIT = { ok: 0, someRecordsFailed: 1, failed: 2 } as const;

/** Prints an error for a person: a DropwiseError as its code and message with the hint, never a stack. */
export function reportError(err: unknown): void {
  if (isDropwiseError(err)) console.error(`dropwise: ${err.code}: ${err.fullMessage}`);
  else console.error(`dropwise: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}

/** Wraps a verb's action: its result is the exit code, and whatever it throws is reported and exits 2. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      reportError(err);
      process.exitCode = EXIT.failed;
    }
  };
}
