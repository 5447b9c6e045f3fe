// An event as a person reads it: a title, one sentence of what happened, the facts (file, task, error)
// and what to do next. Every format (e-mail, JSON, Teams, Slack) is made from this, and every text in
// it passes the redactor once more: a secret registered after an error was made is scrubbed too.
import path from 'node:path';
import { redactor } from '../secrets.js';
import type { NotificationEvent, NotifyEventName } from './events.js';

export type Severity = 'error' | 'warning' | 'good' | 'info';

export interface NotificationMessage {
  /** What it is about; `test` for the message `dropwise doctor --notify-test` sends. */
  event: NotifyEventName | 'test';
  severity: Severity;
  title: string;
  summary: string;
  facts: { label: string; value: string }[];
  nextStep: string;
  /** Events of the same cause held back since the previous message (throttling). */
  heldBack: number;
  /** Minutes of the throttle window the held-back count covers. */
  windowMinutes: number;
  at: string;
  host: string;
  /** The event's own fields, for the generic JSON format. */
  data: Record<string, unknown>;
}

export interface RenderOptions {
  host: string;
  heldBack?: number;
  windowMinutes?: number;
}

const OUTAGE_ADVICE =
  'Nothing to do unless it lasts: the files wait in work/processing and are tried again with back-off. If it lasts, check the service status of the remote system and the network.';

export function renderMessage(event: NotificationEvent, options: RenderOptions): NotificationMessage {
  const heldBack = options.heldBack ?? 0;
  const base = render(event);
  const facts = [...base.facts, { label: 'Agent', value: options.host }];
  const message: NotificationMessage = {
    event: event.type,
    ...base,
    title: heldBack > 0 ? `${base.title} (and ${heldBack} more)` : base.title,
    facts,
    heldBack,
    windowMinutes: options.windowMinutes ?? 0,
    at: event.at.toISOString(),
    host: options.host,
    data: toData(event),
  };
  return redactor.redact(message) as NotificationMessage;
}

/** The sentence about held-back events, or undefined when none were. */
export function heldBackLine(message: NotificationMessage): string | undefined {
  if (message.heldBack === 0) return undefined;
  const n = message.heldBack;
  return `${n} more event${n === 1 ? '' : 's'} of the same cause ${n === 1 ? 'was' : 'were'} held back in the last ${message.windowMinutes} minute${message.windowMinutes === 1 ? '' : 's'}; this is the latest.`;
}

/** The message as plain text (the e-mail body). */
export function messageText(message: NotificationMessage): string {
  const lines = [message.summary, ''];
  const held = heldBackLine(message);
  if (held) lines.push(held, '');
  const width = Math.max(...message.facts.map((f) => f.label.length));
  for (const f of message.facts) lines.push(`${`${f.label}:`.padEnd(width + 2)}${f.value}`);
  lines.push('', `What to do next: ${message.nextStep}`, '', `-- dropwise on ${message.host}, ${message.at}`);
  return `${lines.join('\n')}\n`;
}

type Rendered = Pick<NotificationMessage, 'severity' | 'title' | 'summary' | 'facts' | 'nextStep'>;

function fact(label: string, value: string | number | undefined): { label: string; value: string }[] {
  return value === undefined || value === '' ? [] : [{ label, value: String(value) }];
}

function taskLabel(task: string | undefined, taskName: string | undefined): string | undefined {
  if (task === undefined) return taskName;
  return taskName ? `${taskName} (${task})` : task;
}

function render(event: NotificationEvent): Rendered {
  switch (event.type) {
    case 'file-failed': {
      const task = taskLabel(event.task, event.taskName);
      return {
        severity: 'error',
        title: `File failed: ${event.file}`,
        summary: `${event.file} failed${task ? ` in ${task}` : ' before a task was chosen'}: ${event.error.code} ${event.error.message}`,
        facts: [
          ...fact('File', event.file),
          ...fact('Task', task),
          ...fact('Connection', event.connection),
          ...fact('Error code', event.error.code),
          ...fact('Error', event.error.message),
          ...fact('File is now in', event.failedPath),
          ...fact('Reason written to', event.errorPath),
        ],
        nextStep:
          event.error.hint ??
          `Read ${event.errorPath ? path.basename(event.errorPath) : 'the .error.xml beside the file'} in outbox/fail, fix the cause, and drop the file into the inbox again.`,
      };
    }
    case 'run-partial': {
      const task = taskLabel(event.task, event.taskName) ?? event.task;
      const total = event.recordsOk + event.recordsFailed;
      return {
        severity: 'warning',
        title: `Run partial: ${event.file ?? task} (${event.recordsFailed} of ${total} records failed)`,
        summary: `${task} finished with ${event.recordsFailed} of ${total} records failed${event.error ? `: ${event.error.code} ${event.error.message}` : ''}`,
        facts: [
          ...fact('File', event.file),
          ...fact('Task', task),
          ...fact('Records ok', event.recordsOk),
          ...fact('Records failed', event.recordsFailed),
          ...fact('Error code', event.error?.code),
          ...fact('Error', event.error?.message),
          ...fact('Outputs', event.outputs.map((o) => path.basename(o)).join(', ')),
        ],
        nextStep:
          event.error?.hint ??
          'The records that failed are in the fail file in outbox/fail, each with its error; fix them and drop that file into the inbox again.',
      };
    }
    case 'task-failed': {
      const task = taskLabel(event.task, event.taskName);
      const by = event.trigger === 'schedule' ? 'its schedule' : 'dropwise task';
      return {
        severity: 'error',
        title: `Task failed: ${event.taskName}`,
        summary: `${task} (started by ${by}) failed: ${event.error.code} ${event.error.message}`,
        facts: [...fact('Task', task), ...fact('Started by', by), ...fact('Error code', event.error.code), ...fact('Error', event.error.message)],
        nextStep:
          event.error.hint ??
          `Fix the cause named above, then run it again with \`dropwise task ${event.taskName}\` (a scheduled task also runs at its next time).`,
      };
    }
    case 'outage-began':
      return {
        severity: 'error',
        title: `Outage: ${event.connection} is not answering`,
        summary: `Calls to ${event.connection} fail (${event.error.code} ${event.error.message}); files are held for a retry.`,
        facts: [...fact('Connection', event.connection), ...fact('First file held', event.file), ...fact('Error code', event.error.code), ...fact('Error', event.error.message)],
        nextStep: event.error.hint ? `${event.error.hint}. ${OUTAGE_ADVICE}` : OUTAGE_ADVICE,
      };
    case 'outage-ended': {
      const minutes = Math.max(1, Math.round((event.at.getTime() - event.since.getTime()) / 60_000));
      return {
        severity: 'good',
        title: `Outage over: ${event.connection} answers again`,
        summary: `${event.connection} answers again after about ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        facts: [...fact('Connection', event.connection), ...fact('Outage since', event.since.toISOString()), ...fact('First file through', event.file)],
        nextStep: 'Nothing to do: the waiting files are being processed again.',
      };
    }
    case 'stuck-file': {
      const minutes = Math.round((event.at.getTime() - event.since.getTime()) / 60_000);
      return {
        severity: 'warning',
        title: `Stuck file: ${event.file}`,
        summary: `${event.file} has been in work/processing for ${minutes} minutes.`,
        facts: [...fact('File', event.file), ...fact('Path', event.path), ...fact('Claimed at', event.since.toISOString())],
        nextStep:
          'Look in the log for this file: a long export or a retried outage explains it. If the agent is not running or hangs, restart it; the file resumes at the start.',
      };
    }
    case 'daily-summary': {
      const sum = (k: 'runs' | 'failed' | 'partial' | 'recordsOk' | 'recordsFailed') => event.tasks.reduce((n, t) => n + t[k], 0);
      return {
        severity: sum('failed') > 0 ? 'error' : sum('partial') > 0 ? 'warning' : 'good',
        title: `Daily summary: ${sum('runs')} runs, ${sum('failed')} failed, ${sum('partial')} partial`,
        summary: `Runs since ${event.since.toISOString()}: ${sum('runs')} runs, ${sum('recordsOk')} records ok, ${sum('recordsFailed')} records failed.`,
        facts: event.tasks.map((t) => ({
          label: t.task,
          value: `${t.runs} runs (${t.success} ok, ${t.partial} partial, ${t.failed} failed); records ${t.recordsOk} ok, ${t.recordsFailed} failed`,
        })),
        nextStep: sum('failed') + sum('partial') > 0 ? 'See the failed runs with `dropwise status` and the files in outbox/fail.' : 'Nothing to do.',
      };
    }
  }
}

function toData(event: NotificationEvent): Record<string, unknown> {
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}
