// The notification checks of `dropwise doctor`: one line per configured channel. Only on request
// (`--notify-test`) is a test message sent through each, and each one's answer reported; otherwise
// the line says how to ask for it.
import type { AppConfig } from '../../config/load.js';
import { sendersOf } from '../../notify/notifier.js';
import { sendTestMessages } from '../../notify/test-message.js';
import type { Finding } from './findings.js';

export const NOTIFY_CHECK = 'test message';

export async function checkNotifications(notify: AppConfig['notify'], send: boolean, timeoutMs: number): Promise<Finding[]> {
  if (notify.email.length + notify.webhooks.length === 0) return [];
  if (!send) {
    const senders = sendersOf(notify);
    await Promise.all(senders.map((s) => s.close().catch(() => undefined)));
    return senders.map((s) => ({ subject: `notify ${s.label}`, check: NOTIFY_CHECK, status: 'ok', detail: 'not sent: dropwise doctor --notify-test sends one' }));
  }
  const results = await sendTestMessages(notify, { timeoutMs });
  return results.map(({ label, error }): Finding =>
    error === undefined
      ? { subject: `notify ${label}`, check: NOTIFY_CHECK, status: 'ok', detail: 'delivered' }
      : { subject: `notify ${label}`, check: NOTIFY_CHECK, status: 'fail', detail: `not delivered: ${error.message}`, fix: error.hint ?? 'See the message' },
  );
}
