// The one exponential back-off of dropwise: the HTTP layer's retries, a task's own tries (payments,
// GL export) and the agent's retry of a file left by an outage all wait base·2^(n-1), capped.

export interface BackoffSettings {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The wait before retry `step` (1 = the first retry): base·2^(step-1), capped; with `random`, scaled by a random 50–100 % (jitter). */
export function backoffDelay(step: number, settings: BackoffSettings, random?: () => number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (step - 1));
  return random === undefined ? ceiling : Math.round(ceiling * (0.5 + random() * 0.5));
}

/** How a task tries again on its own when the HTTP layer's retries were not enough. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait (ms) after try `attempt` failed (1 = after the first). */
  delayMs(attempt: number): number;
}

/**
 * A task's retry policy from the `http` settings. A task tries again only after the HTTP layer has
 * spent its own retries, so its waits start one step further up the same curve.
 */
export function taskRetryPolicy(http: BackoffSettings & { maxAttempts: number }): RetryPolicy {
  return { attempts: http.maxAttempts, delayMs: (attempt) => backoffDelay(attempt + 1, http) };
}
