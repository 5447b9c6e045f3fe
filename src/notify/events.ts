// What dropwise tells people about. Each event carries what a message needs (what happened, which
// file or task, the error's code, message and hint); the cause key decides what counts as "the same"
// for throttling.
import type { NotifyEventName } from '../config/notify.js';
import type { DropwiseError } from '../errors.js';

export type { NotifyEventName } from '../config/notify.js';

export interface ErrorInfo {
  code: string;
  message: string;
  /** What to do next, from the DropwiseError. */
  hint?: string;
}

export interface TaskSummary {
  /** The configured task name, else the task type. */
  task: string;
  runs: number;
  success: number;
  partial: number;
  failed: number;
  recordsOk: number;
  recordsFailed: number;
}

interface Base {
  at: Date;
}

export type NotificationEvent =
  | (Base & {
      type: 'file-failed';
      file: string;
      /** The task type; absent when the file failed before a task was chosen (unknown root, empty). */
      task?: string;
      taskName?: string;
      connection?: string;
      error: ErrorInfo;
      /** Where the original is now (outbox/fail) and the .error.xml beside it. */
      failedPath?: string;
      errorPath?: string;
    })
  | (Base & {
      type: 'run-partial';
      file?: string;
      task: string;
      taskName?: string;
      recordsOk: number;
      recordsFailed: number;
      error?: ErrorInfo;
      outputs: string[];
    })
  | (Base & {
      type: 'task-failed';
      /** The configured task's name (a schedule's, `dropwise task`'s) and its type. */
      taskName: string;
      task: string;
      trigger: 'schedule' | 'cli';
      error: ErrorInfo;
    })
  | (Base & { type: 'outage-began'; connection: string; error: ErrorInfo; file?: string })
  | (Base & { type: 'outage-ended'; connection: string; since: Date; file?: string })
  | (Base & { type: 'stuck-file'; file: string; path: string; since: Date })
  | (Base & { type: 'daily-summary'; since: Date; tasks: TaskSummary[] });

// Keeps the union and the configured names in step: a new event type fails to compile until it is named.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const eventNamesMatch: Same<NotificationEvent['type'], NotifyEventName> = true;
void eventNamesMatch;

export function errorInfo(error: DropwiseError): ErrorInfo {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

/** What counts as the same cause: task and error code (a file-driven task, a connection, a file). */
export function causeOf(event: NotificationEvent): string {
  switch (event.type) {
    case 'file-failed':
      return `${event.type}|${event.taskName ?? event.task ?? '(no task)'}|${event.error.code}`;
    case 'run-partial':
      return `${event.type}|${event.taskName ?? event.task}|${event.error?.code ?? ''}`;
    case 'task-failed':
      return `${event.type}|${event.taskName}|${event.error.code}`;
    case 'outage-began':
    case 'outage-ended':
      return `${event.type}|${event.connection}`;
    case 'stuck-file':
      return `${event.type}|${event.path}`;
    case 'daily-summary':
      return `${event.type}|${event.at.toISOString()}`;
  }
}
