// What the agent and the HTTP layer report about their work, for whoever listens (the API's metrics
// and readiness). Named node:diagnostics_channel channels with typed payloads, below every floor, so
// the agent, tasks and connectors publish without importing the API. Publishers check
// `hasSubscribers` first: with nobody listening a publish costs one property read.
import diagnosticsChannel from 'node:diagnostics_channel';

/** A typed channel: `publish` only accepts this channel's payload. */
export interface EventChannel<T> {
  readonly name: string;
  readonly hasSubscribers: boolean;
  publish(payload: T): void;
  subscribe(listener: (payload: T) => void): () => void;
}

function channel<T>(name: string): EventChannel<T> {
  const ch = diagnosticsChannel.channel(name);
  return {
    name,
    get hasSubscribers() {
      return ch.hasSubscribers;
    },
    publish: (payload) => ch.publish(payload),
    subscribe(listener) {
      const onMessage = (message: unknown) => listener(message as T);
      ch.subscribe(onMessage);
      return () => void ch.unsubscribe(onMessage);
    },
  };
}

/** A file was taken from the inbox into work/processing (its task is known only once it is routed). */
export interface FileClaimedEvent {
  name: string;
}

/** A claimed file's pass through the pipeline is over. */
export interface FileProcessedEvent {
  /** The task type it was routed to; undefined when it could not be routed. */
  task: string | undefined;
  /** `archived`/`deleted` (done), `failed`, `retry` (left for a retry), `interrupted` (by a stop). */
  disposition: 'archived' | 'deleted' | 'failed' | 'retry' | 'interrupted';
}

/** A task run ended (a file's, a schedule's, the CLI's). */
export interface RunFinishedEvent {
  task: string;
  trigger: 'file' | 'schedule' | 'cli';
  status: 'success' | 'partial' | 'failed' | 'empty' | 'interrupted';
  durationMs: number;
  recordsOk: number;
  recordsFailed: number;
}

/** An output file was committed into the outbox. */
export interface OutputCommittedEvent {
  folder: string;
  bytes: number;
}

/** One HTTP attempt to a connection's API ended: with a status, or with no answer at all. */
export interface HttpAttemptEvent {
  connection: string;
  method: string;
  /** The path without its query string. */
  path: string;
  /** The answer's status; undefined when there was none. */
  status?: number;
  /** The error code when there was no answer (ECONNREFUSED, RESPONSE_TIMEOUT...). */
  error?: string;
  durationMs: number;
}

/** The HTTP layer waits before trying a request again. */
export interface HttpRetryWaitEvent {
  connection: string;
  waitMs: number;
  /** The wait was asked for by the server's Retry-After header. */
  retryAfter: boolean;
}

/** A scheduled run did not start because the previous one was still running. */
export interface ScheduleSkippedEvent {
  task: string;
}

/** A notification was sent (or given up on) to one destination. */
export interface NotificationSentEvent {
  /** `email` or `webhook`. */
  channel: string;
  /** What it was about: file-failed, run-partial, outage-began... */
  event: string;
  ok: boolean;
}

export const events = {
  fileClaimed: channel<FileClaimedEvent>('dropwise:file.claimed'),
  fileProcessed: channel<FileProcessedEvent>('dropwise:file.processed'),
  runFinished: channel<RunFinishedEvent>('dropwise:run.finished'),
  outputCommitted: channel<OutputCommittedEvent>('dropwise:output.committed'),
  httpAttempt: channel<HttpAttemptEvent>('dropwise:http.attempt'),
  httpRetryWait: channel<HttpRetryWaitEvent>('dropwise:http.retry-wait'),
  scheduleSkipped: channel<ScheduleSkippedEvent>('dropwise:schedule.skipped'),
  notificationSent: channel<NotificationSentEvent>('dropwise:notification.sent'),
} as const;
