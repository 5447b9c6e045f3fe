// One destination's outgoing messages: a bounded queue worked off in the background, one message at a
// time, each retried with exponential back-off up to a bounded number of attempts. Pushing never waits,
// so a slow or dead destination costs the agent nothing and holds up no other destination.
import { setTimeout as sleep } from 'node:timers/promises';
import type { NotifyEventName } from '../config/notify.js';
import { toDropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { NotificationMessage } from './message.js';

export interface Sender {
  /** Names the destination in log lines without its secrets (no URL path, no password). */
  label: string;
  /** The kind of destination, for the notifications counter. */
  channel: 'email' | 'webhook';
  events: ReadonlySet<NotifyEventName>;
  send(message: NotificationMessage, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface DeliveryOptions {
  log: Logger;
  /** Messages waiting beyond this drop the oldest. */
  maxQueue: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Called after each message is delivered or given up. */
  onResult?: (result: { destination: string; event: NotificationMessage['event']; delivered: boolean }) => void;
}

export class Delivery {
  private readonly queue: NotificationMessage[] = [];
  private readonly controller = new AbortController();
  private worker: Promise<void> | undefined;
  dropped = 0;

  constructor(
    readonly sender: Sender,
    private readonly options: DeliveryOptions,
  ) {}

  push(message: NotificationMessage): void {
    if (this.controller.signal.aborted) return;
    if (this.queue.length >= this.options.maxQueue) {
      this.queue.shift();
      this.dropped++;
      this.options.log.warn(`Notification queue of ${this.sender.label} is full; dropped the oldest message`, { dropped: this.dropped });
    }
    this.queue.push(message);
    this.worker ??= this.work().finally(() => {
      this.worker = undefined;
    });
  }

  /** Resolves when everything queued has been delivered or given up. */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  get pending(): number {
    return this.queue.length + (this.worker ? 1 : 0);
  }

  /** Stops at once: the message being sent is cancelled and the waiting ones are dropped. */
  async abort(): Promise<number> {
    const lost = this.pending;
    this.queue.length = 0;
    this.controller.abort();
    await this.worker;
    await this.sender.close().catch(() => undefined);
    return lost;
  }

  private async work(): Promise<void> {
    for (let message = this.queue.shift(); message !== undefined; message = this.queue.shift()) {
      const delivered = await this.deliver(message);
      this.options.onResult?.({ destination: this.sender.label, event: message.event, delivered });
    }
  }

  private async deliver(message: NotificationMessage): Promise<boolean> {
    const { log, maxAttempts, baseDelayMs, maxDelayMs } = this.options;
    const signal = this.controller.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.sender.send(message, signal);
        log.debug('notification sent', { destination: this.sender.label, event: message.event, attempt });
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        const error = toDropwiseError(err, 'DW_NOTIFY_FAILED');
        if (!error.retryable || attempt >= maxAttempts) {
          log.error(`Notification "${message.title}" to ${this.sender.label} not delivered after ${attempt} attempt(s): ${error.code} ${error.fullMessage}`);
          return false;
        }
        const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        log.warn(`Notification to ${this.sender.label} failed (${error.message}); trying again in ${wait} ms`, { attempt });
        // ref: false: a retry waiting in the background never keeps the process alive on its own.
        await sleep(wait, undefined, { ref: false, signal }).catch(() => undefined);
      }
    }
    return false;
  }
}
