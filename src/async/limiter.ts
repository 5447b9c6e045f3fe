// Runs at most `concurrency` jobs at a time, in the order they were queued: the agent's files, a
// payments import's records, a reference resolver's lookups.
export class Limiter {
  private running = 0;
  private readonly queue: (() => Promise<void>)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly concurrency: number) {}

  /** Queues a job; its errors are the job's own business (it must catch them). */
  add(job: () => Promise<void>): void {
    this.queue.push(job);
    this.next();
  }

  /** Queues `fn` and settles as it does, once it had its turn. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.add(async () => {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err);
        }
      }),
    );
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Drops the jobs that have not started. */
  clearWaiting(): number {
    return this.queue.splice(0).length;
  }

  /** Resolves when no job is running or waiting. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private next(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as () => Promise<void>;
      this.running++;
      void job()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.next();
        });
    }
    if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** Runs `work` over `items`, at most `limit` at a time; rejects with the first failure. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const limiter = new Limiter(Math.max(1, limit));
  await Promise.all(items.map((item) => limiter.run(() => work(item))));
}
