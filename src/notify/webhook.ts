// Webhooks: one POST per message over a keep-alive transport with timeouts. 2xx is delivered; 429, 5xx and
// network errors are worth another attempt; other answers are final. The URL is never in a message
// (a Slack or Teams URL is its own credential): a destination is named by its host.
import type { WebhookDestination } from '../config/notify.js';
import { HttpTransport, discard } from '../connectors/transport.js';
import { DropwiseError } from '../errors.js';
import type { Sender } from './delivery.js';
import { webhookBody } from './formats.js';
import type { NotificationMessage } from './message.js';

export interface WebhookSenderOptions {
  timeoutMs?: number;
}

export function webhookSender(dest: WebhookDestination, options: WebhookSenderOptions = {}): Sender {
  const timeout = options.timeoutMs ?? 20_000;
  const url = new URL(dest.url);
  const transport = new HttpTransport({ origin: url.origin, connections: 1, connectTimeoutMs: timeout, timeoutMs: timeout });
  const where = `${dest.format} webhook at ${url.host}`;
  return {
    channel: 'webhook',
    label: where,
    events: new Set(dest.events),
    async send(message: NotificationMessage, signal: AbortSignal): Promise<void> {
      let status: number;
      try {
        const res = await transport.request({
          method: 'POST',
          path: `${url.pathname}${url.search}`,
          headers: { 'content-type': 'application/json', 'user-agent': 'dropwise', ...dest.headers },
          body: JSON.stringify(webhookBody(dest.format, message)),
          signal,
        });
        status = res.statusCode;
        await discard(res.body);
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).message;
        throw new DropwiseError('DW_NOTIFY_FAILED', `${where}: ${code}`, { retryable: true, hint: 'Check that the webhook URL is reachable from this machine', cause: err });
      }
      if (status >= 200 && status < 300) return;
      throw new DropwiseError('DW_NOTIFY_FAILED', `${where} answered HTTP ${status}`, {
        retryable: status === 429 || status >= 500,
        httpStatus: status,
        hint: status === 401 || status === 403 || status === 404 ? 'Check the webhook URL and headers in notify.webhooks' : 'The receiver refused the message',
      });
    },
    close: async () => transport.close(),
  };
}
