// The test message of `dropwise doctor --notify-test`: sent once through each configured channel,
// one attempt each and not throttled, so a person sees at once which channel works and why another
// does not. It goes out whatever events a channel is configured for.
import os from 'node:os';
import type { NotifyConfig } from '../config/notify.js';
import { toDropwiseError, type DropwiseError } from '../errors.js';
import { redactor } from '../secrets.js';
import type { Sender } from './delivery.js';
import type { NotificationMessage } from './message.js';
import { sendersOf } from './notifier.js';

export interface TestSendResult {
  channel: Sender['channel'];
  /** The destination without its secrets (see Sender.label). */
  label: string;
  /** Undefined when the channel took the message. */
  error: DropwiseError | undefined;
}

export function testMessage(host: string = os.hostname(), at: Date = new Date()): NotificationMessage {
  const message: NotificationMessage = {
    event: 'test',
    severity: 'info',
    title: 'Test notification',
    summary: `dropwise doctor on ${host} sent this message to check that notifications reach you.`,
    facts: [{ label: 'Agent', value: host }],
    nextStep: 'Nothing to do: this channel works.',
    heldBack: 0,
    windowMinutes: 0,
    at: at.toISOString(),
    host,
    data: { test: true },
  };
  return redactor.redact(message) as NotificationMessage;
}

/** Sends the test message through every configured channel at once; one result per channel, in config order. */
export async function sendTestMessages(notify: Pick<NotifyConfig, 'email' | 'webhooks'>, options: { host?: string; timeoutMs?: number } = {}): Promise<TestSendResult[]> {
  const message = testMessage(options.host);
  const signal = new AbortController().signal;
  return Promise.all(
    sendersOf(notify, options.timeoutMs).map(async (sender) => {
      try {
        await sender.send(message, signal);
        return { channel: sender.channel, label: sender.label, error: undefined };
      } catch (err) {
        return { channel: sender.channel, label: sender.label, error: toDropwiseError(err, 'DW_NOTIFY_FAILED') };
      } finally {
        await sender.close().catch(() => undefined);
      }
    }),
  );
}
