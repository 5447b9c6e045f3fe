// The tenant's request cap, as ConnectWise throttles: a token bucket of N requests a minute that
// holds up to five seconds of requests; a request over it gets 429, a Retry-After in whole seconds
// and ConnectWise's error body. Off (no cap) unless set.
export class RateLimit {
  private perMinute = 0;
  private tokens = 0;
  private refilledAt = 0;
  private refused = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Requests a minute; 0 turns the cap off. */
  set(perMinute: number): void {
    if (!Number.isInteger(perMinute) || perMinute < 0) throw new Error('rate limit must be a whole number of requests a minute (0 = none)');
    this.perMinute = perMinute;
    this.tokens = this.capacity();
    this.refilledAt = this.now();
    this.refused = 0;
  }

  get requestsPerMinute(): number {
    return this.perMinute;
  }

  /** Requests answered 429 since the cap was set. */
  get refusedCount(): number {
    return this.refused;
  }

  /** Undefined when the request may go; else the seconds to send as Retry-After. */
  take(): number | undefined {
    if (this.perMinute === 0) return undefined;
    const perMs = this.perMinute / 60_000;
    const now = this.now();
    this.tokens = Math.min(this.capacity(), this.tokens + (now - this.refilledAt) * perMs);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    this.refused++;
    return Math.max(1, Math.ceil((1 - this.tokens) / perMs / 1000));
  }

  private capacity(): number {
    return Math.max(1, Math.ceil(this.perMinute / 12));
  }
}
