// The notifier: takes events (or the agent's file results), throttles them per destination and cause,
// and hands them to each destination's background delivery. `notify()` returns at once; `close()`
// sends what is held or queued within a time limit. It also watches for stuck files and sends the
// daily summary when configured.
import os from 'node:os';
import { Cron } from 'croner';
import type { NotifyConfig } from '../config/notify.js';
import type { DropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunHistory } from '../state/index.js';
import { events } from '../events.js';
import { dailyCron, lastDaySummary } from './daily-summary.js';
import { Delivery, type DeliveryOptions, type Sender } from './delivery.js';
import { emailSender } from './email.js';
import { causeOf, errorInfo, type NotificationEvent } from './events.js';
import { renderMessage } from './message.js';
import { Throttle } from './throttle.js';
import { webhookSender } from './webhook.js';

/**
 * What the notifier needs of a processed file: the shape of the agent's FileResult, named here so
 * that this floor depends on no agent module.
 */
export interface ProcessedFile {
  file: { name: string };
  disposition: string;
  path?: string;
  errorPath?: string;
  route?: { definition: { type: string }; taskName?: string; connection?: string };
  outcome?: { status: 'success' | 'partial' | 'failed' | 'empty'; recordsOk: number; recordsFailed: number; outputs: string[] };
  error?: DropwiseError;
}

/** What the notifier needs of a file claimed into work/processing (the agent lists them, with the claim's time). */
export interface ClaimedFileAge {
  name: string;
  path: string;
  claimedAt: Date;
}

/** What the notifier needs of a configured task's run (a schedule's, `dropwise task`'s). */
export interface ProcessedTaskRun {
  taskName: string;
  /** The task type. */
  task: string;
  trigger: 'schedule' | 'cli';
  outcome: { status: 'success' | 'partial' | 'failed' | 'empty'; recordsOk: number; recordsFailed: number; outputs: string[]; error?: DropwiseError };
}

/** Codes that mean the remote system is down: the agent leaves the file for a retry. */
const OUTAGE_CODES = new Set(['DW_CW_UNAVAILABLE', 'DW_CW_RATE_LIMITED', 'DW_TRAEDE_UNAVAILABLE']);

export interface NotifierOptions {
  log: Logger;
  throttleMs: number;
  /** Names the agent in every message; the host name by default. */
  host?: string;
  queueSize?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A hook per message delivered or given up (a "notifications sent" counter). */
  onResult?: DeliveryOptions['onResult'];
}

export interface NotifierCounts {
  sent: number;
  failed: number;
  heldBack: number;
}

export class Notifier {
  private readonly destinations: { delivery: Delivery; throttle: Throttle<NotificationEvent> }[];
  private readonly outages = new Map<string, Date>();
  private readonly reportedStuck = new Set<string>();
  private readonly timers: (NodeJS.Timeout | Cron)[] = [];
  private readonly host: string;
  private closed = false;
  readonly counts: NotifierCounts = { sent: 0, failed: 0, heldBack: 0 };

  constructor(
    senders: Sender[],
    private readonly options: NotifierOptions,
  ) {
    this.host = options.host ?? os.hostname();
    const windowMinutes = Math.round((options.throttleMs / 60_000) * 100) / 100;
    this.destinations = senders.map((sender) => {
      const delivery = new Delivery(sender, {
        log: options.log,
        maxQueue: options.queueSize ?? 100,
        maxAttempts: options.maxAttempts ?? 6,
        baseDelayMs: options.baseDelayMs ?? 2_000,
        maxDelayMs: options.maxDelayMs ?? 5 * 60_000,
        onResult: (r) => {
          if (r.delivered) this.counts.sent++;
          else this.counts.failed++;
          if (events.notificationSent.hasSubscribers) events.notificationSent.publish({ channel: sender.channel, event: r.event, ok: r.delivered });
          options.onResult?.(r);
        },
      });
      const throttle = new Throttle<NotificationEvent>(options.throttleMs, (latest, held) =>
        delivery.push(renderMessage(latest, { host: this.host, heldBack: held, windowMinutes })),
      );
      return { delivery, throttle };
    });
  }

  /** Queues the event for every destination that takes it; returns at once. */
  notify(event: NotificationEvent): void {
    if (this.closed) return;
    const cause = causeOf(event);
    let message: ReturnType<typeof renderMessage> | undefined;
    for (const { delivery, throttle } of this.destinations) {
      if (!delivery.sender.events.has(event.type)) continue;
      if (event.type !== 'daily-summary' && !throttle.offer(cause, event)) {
        this.counts.heldBack++;
        continue;
      }
      message ??= renderMessage(event, { host: this.host });
      delivery.push(message);
    }
  }

  /** What a processed file means for the people watching: a failure, a partial run, an outage's start or end. */
  fileProcessed(result: ProcessedFile): void {
    // Called from the agent's pipeline: a notification problem must never break the processing.
    try {
      this.reportFile(result);
    } catch (err) {
      this.options.log.error(`Notification about ${result.file.name} failed: ${String(err)}`);
    }
  }

  /** What a configured task's run means for the people watching: a failure or a partial run (an interrupted one is neither). */
  taskRun(run: ProcessedTaskRun): void {
    try {
      this.reportTaskRun(run);
    } catch (err) {
      this.options.log.error(`Notification about task ${run.taskName} failed: ${String(err)}`);
    }
  }

  private reportTaskRun({ taskName, task, trigger, outcome }: ProcessedTaskRun): void {
    const at = new Date();
    if (outcome.status === 'failed' && outcome.error && outcome.error.code !== 'DW_SHUTDOWN') {
      this.notify({ type: 'task-failed', at, taskName, task, trigger, error: errorInfo(outcome.error) });
    } else if (outcome.status === 'partial') {
      this.notify({
        type: 'run-partial',
        at,
        task,
        taskName,
        recordsOk: outcome.recordsOk,
        recordsFailed: outcome.recordsFailed,
        outputs: outcome.outputs,
        ...(outcome.error ? { error: errorInfo(outcome.error) } : {}),
      });
    }
  }

  private reportFile(result: ProcessedFile): void {
    if (result.disposition === 'interrupted') return;
    const at = new Date();
    const file = result.file.name;
    const route = result.route;
    const connection = connectionOf(result);
    const outage = result.disposition === 'retry' && result.error !== undefined && OUTAGE_CODES.has(result.error.code);
    if (outage && result.error) {
      if (!this.outages.has(connection)) {
        this.outages.set(connection, at);
        this.notify({ type: 'outage-began', at, connection, error: errorInfo(result.error), file });
      }
      return;
    }
    const since = this.outages.get(connection);
    // The remote system answered this file's run (whatever became of the file): the outage is over.
    if (since && route && result.disposition !== 'retry') {
      this.outages.delete(connection);
      this.notify({ type: 'outage-ended', at, connection, since, file });
    }
    const task = route ? { task: route.definition.type, ...(route.taskName ? { taskName: route.taskName } : {}) } : {};
    if (result.disposition === 'failed' || result.outcome?.status === 'failed') {
      if (!result.error) return;
      this.notify({
        type: 'file-failed',
        at,
        file,
        ...task,
        ...(route?.connection ? { connection: route.connection } : {}),
        error: errorInfo(result.error),
        ...(result.path ? { failedPath: result.path } : {}),
        ...(result.errorPath ? { errorPath: result.errorPath } : {}),
      });
    } else if (result.outcome?.status === 'partial' && route) {
      this.notify({
        type: 'run-partial',
        at,
        file,
        task: route.definition.type,
        ...(route.taskName ? { taskName: route.taskName } : {}),
        recordsOk: result.outcome.recordsOk,
        recordsFailed: result.outcome.recordsFailed,
        outputs: result.outcome.outputs,
        ...(result.error ? { error: errorInfo(result.error) } : {}),
      });
    }
  }

  /** Reports each claimed file that has been in work/processing longer than `stuckMs`, once. */
  async checkStuckFiles(claimedFiles: () => Promise<readonly ClaimedFileAge[]>, stuckMs: number, now = new Date()): Promise<void> {
    const stuck = (await claimedFiles()).filter((f) => now.getTime() - f.claimedAt.getTime() > stuckMs);
    const current = new Set(stuck.map((s) => s.path));
    for (const seen of this.reportedStuck) if (!current.has(seen)) this.reportedStuck.delete(seen);
    for (const s of stuck) {
      if (this.reportedStuck.has(s.path)) continue;
      this.reportedStuck.add(s.path);
      this.notify({ type: 'stuck-file', at: now, file: s.name, path: s.path, since: s.claimedAt });
    }
  }

  async sendDailySummary(runs: RunHistory, now = new Date()): Promise<void> {
    const { since, tasks } = await lastDaySummary(runs, now);
    this.notify({ type: 'daily-summary', at: now, since, tasks });
  }

  /** Starts the stuck-file check and the daily summary. */
  watch(options: { runs: RunHistory; claimedFiles: () => Promise<readonly ClaimedFileAge[]>; stuckMs: number; dailySummary: string; checkEveryMs?: number }): void {
    const every = options.checkEveryMs ?? Math.min(60_000, Math.max(1_000, Math.floor(options.stuckMs / 2)));
    const check = setInterval(() => {
      this.checkStuckFiles(options.claimedFiles, options.stuckMs).catch((err: unknown) => this.options.log.warn(`Stuck-file check failed: ${String(err)}`));
    }, every);
    check.unref();
    this.timers.push(check);
    if (options.dailySummary !== '') {
      const job = new Cron(dailyCron(options.dailySummary), { unref: true }, () => {
        this.sendDailySummary(options.runs).catch((err: unknown) => this.options.log.warn(`Daily summary failed: ${String(err)}`));
      });
      this.timers.push(job);
    }
  }

  /**
   * Stops taking events, sends the held-back counts, and waits up to `timeoutMs` for every
   * destination's queue; whatever is still waiting then is dropped (and logged).
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) {
      if (t instanceof Cron) t.stop();
      else clearInterval(t);
    }
    for (const d of this.destinations) d.throttle.flush();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(this.destinations.map((d) => d.delivery.idle())), deadline]);
    clearTimeout(timer);
    const lost = await Promise.all(this.destinations.map((d) => d.delivery.abort()));
    const total = lost.reduce((a, b) => a + b, 0);
    if (total > 0) this.options.log.warn(`${total} notification(s) were not delivered before the stop`);
  }
}

/** The connection a file's run used: the one named, else the default of the task's system. */
function connectionOf(result: ProcessedFile): string {
  if (result.route?.connection) return result.route.connection;
  const system = result.route?.definition.type.split('.')[0] ?? (result.error?.code.startsWith('DW_TRAEDE') ? 'traede' : 'connectwise');
  return `the default ${system === 'traede' ? 'Traede' : 'ConnectWise'} connection`;
}

export interface NotifierDeps {
  log: Logger;
  runs: RunHistory;
  /** The files in work/processing, watched for stuck ones. */
  claimedFiles: () => Promise<readonly ClaimedFileAge[]>;
}

/** A sender for each configured channel: the e-mail destinations, then the webhooks. */
export function sendersOf(notify: Pick<NotifyConfig, 'email' | 'webhooks'>, timeoutMs?: number): Sender[] {
  return [...notify.email.map((d) => emailSender(d, { timeoutMs })), ...notify.webhooks.map((d) => webhookSender(d, { timeoutMs }))];
}

/**
 * The notifier for a config, watching for stuck files and sending the daily summary; undefined when
 * no destination is configured.
 */
export function createNotifier(notify: NotifyConfig, deps: NotifierDeps, options: Partial<NotifierOptions> = {}): Notifier | undefined {
  const senders = sendersOf(notify);
  if (senders.length === 0) return undefined;
  const notifier = new Notifier(senders, { log: deps.log, throttleMs: notify.throttleMinutes * 60_000, ...options });
  notifier.watch({ runs: deps.runs, claimedFiles: deps.claimedFiles, stuckMs: notify.stuckMinutes * 60_000, dailySummary: notify.dailySummary });
  return notifier;
}
