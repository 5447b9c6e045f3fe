// One request budget per connection, shared by every task and every concurrent request that uses
// it: a token bucket of `requestsPerMinute` (ConnectWise throttles a tenant above roughly 1,000 a
// minute) holding at most one second of requests, so a burst never outruns the server's own
// window. A 429 pauses the whole connection for its Retry-After; when the pause ends the waiting
// requests go out one token at a time, each after its own random delay, instead of all together.
// Agents sharing a state share the cap: each takes its share (setShare), 1/n of it with n agents live.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RateBudgetOptions {
  requestsPerMinute: number;
  /** For tests: a source of randomness for the jitter after a pause. */
  random?: () => number;
  now?: () => number;
}

/** The longest random delay a request adds after a pause: a quarter of the pause, at most 2 s. */
const MAX_RESUME_JITTER_MS = 2000;

export class RateBudget {
  private readonly requestsPerMinute: number;
  private perMs = 0;
  private capacity = 1;
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;
  private jitterMs = 0;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Requests wait in line, so that tokens go out in the order asked. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateBudgetOptions) {
    if (!(options.requestsPerMinute > 0)) throw new RangeError('requestsPerMinute must be positive');
    this.requestsPerMinute = options.requestsPerMinute;
    this.setShare(1);
    this.tokens = this.capacity;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.refilledAt = this.now();
  }

  /** Waits until this request may go: the pause is over (plus its jitter) and a token is free. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** This agent's share of the cap (0 < share <= 1): the rate and the burst shrink with it. */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) throw new RangeError('share must be in (0, 1]');
    const rpm = this.requestsPerMinute * share;
    this.perMs = rpm / 60_000;
    this.capacity = Math.max(1, Math.floor(rpm / 60));
    this.tokens = Math.min(this.tokens ?? this.capacity, this.capacity);
  }

  /** A 429: nothing goes out on this connection for `ms`; the bucket starts empty afterwards. */
  pause(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.jitterMs = Math.min(MAX_RESUME_JITTER_MS, Math.max(100, ms / 4));
  }

  /** Milliseconds of pause left (0 when not paused). */
  pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const paused = this.pausedFor();
      if (paused > 0) {
        await sleep(paused + Math.round(this.random() * this.jitterMs), undefined, { signal });
        // The bucket fills again from the moment the first request resumes, so the rest follow one by one.
        this.tokens = 0;
        this.refilledAt = this.now();
        continue;
      }
      const now = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.perMs);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - this.tokens) / this.perMs), undefined, { signal });
    }
  }
}
