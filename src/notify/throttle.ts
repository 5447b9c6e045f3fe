// No storm: per destination, the first event of a cause is sent at once and opens a window; more events
// of that cause during the window are only counted. When the window closes with a count, the latest
// held event goes out with that count (and opens the next window); with none, the cause is forgotten.
export class Throttle<T> {
  private readonly windows = new Map<string, { timer: NodeJS.Timeout; held: number; latest: T | undefined }>();

  constructor(
    private readonly windowMs: number,
    /** Sends the latest held event of a cause with how many were held. */
    private readonly release: (latest: T, held: number) => void,
  ) {}

  /** True when the item should be sent now; false when it was held back. */
  offer(cause: string, item: T): boolean {
    const open = this.windows.get(cause);
    if (open) {
      open.held++;
      open.latest = item;
      return false;
    }
    this.open(cause);
    return true;
  }

  /** Releases every held count now (at a stop), so no count is lost. */
  flush(): void {
    for (const [cause, window] of this.windows) {
      clearTimeout(window.timer);
      this.windows.delete(cause);
      if (window.held > 0 && window.latest !== undefined) this.release(window.latest, window.held);
    }
  }

  private open(cause: string): void {
    const timer = setTimeout(() => this.close(cause), this.windowMs);
    timer.unref();
    this.windows.set(cause, { timer, held: 0, latest: undefined });
  }

  private close(cause: string): void {
    const window = this.windows.get(cause);
    this.windows.delete(cause);
    if (!window || window.held === 0 || window.latest === undefined) return;
    // The follow-up counts as this cause's message for the next window.
    this.open(cause);
    this.release(window.latest, window.held);
  }
}
