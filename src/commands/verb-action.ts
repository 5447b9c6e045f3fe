// How a verb ends: its exit code, and whatever it threw reported to a person (never a stack for a
// DropwiseError).

/** Exit codes of `run`, `task` and `validate` (ARCHITECTURE §4); any other failure exits 2 too. */
export const EXIT = { ok: 0, someRecordsFailed: 1, failed: 2 } as const;

/** Prints an error for a person: a DropwiseError as its code and message with the hint, never a stack. */
export async function reportError(err: unknown): Promise<void> {
  // Loaded only on failure: `--help` does not need the error registry.
  const { isDropwiseError } = await import('../errors.js');
  if (isDropwiseError(err)) console.error(`dropwise: ${err.code}: ${err.fullMessage}`);
  else console.error(`dropwise: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}

/** Wraps a verb's action: its result is the exit code, and whatever it throws is reported and exits 2. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      await reportError(err);
      process.exitCode = EXIT.failed;
    }
  };
}
