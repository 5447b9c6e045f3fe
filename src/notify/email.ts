// E-mail over SMTP with nodemailer: TLS from the start (`secure`) or upgraded (STARTTLS, enforced by
// `requireTLS`), credentials from the config (usually `env:` secrets).
import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';
import type { EmailDestination } from '../config/notify.js';
import { DropwiseError } from '../errors.js';
import { messageText, type NotificationMessage } from './message.js';
import type { Sender } from './delivery.js';

export interface EmailSenderOptions {
  /** Extra TLS options (a private CA for an internal relay). */
  tls?: ConnectionOptions;
  timeoutMs?: number;
}

// SMTP replies that say "try later" (4xx) or a dropped connection; a 5xx reply is final.
const PERMANENT = /^5\d\d$/;

export function emailSender(dest: EmailDestination, options: EmailSenderOptions = {}): Sender {
  const timeout = options.timeoutMs ?? 20_000;
  const transport = nodemailer.createTransport({
    host: dest.smtp.host,
    port: dest.smtp.port,
    secure: dest.smtp.secure,
    requireTLS: dest.smtp.requireTLS,
    ...(dest.smtp.user !== undefined && dest.smtp.password !== undefined ? { auth: { user: dest.smtp.user, pass: dest.smtp.password } } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    channel: 'email',
    label: `e-mail to ${dest.to.join(', ')} via ${dest.smtp.host}:${dest.smtp.port}`,
    events: new Set(dest.events),
    async send(message: NotificationMessage): Promise<void> {
      try {
        await transport.sendMail({
          from: dest.from,
          to: dest.to,
          subject: `[dropwise] ${message.title}`,
          text: messageText(message),
          headers: { 'X-Dropwise-Event': message.event },
        });
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message?: string };
        const permanent = e.code === 'EAUTH' || (e.responseCode !== undefined && PERMANENT.test(String(e.responseCode)));
        throw new DropwiseError('DW_NOTIFY_FAILED', `SMTP ${dest.smtp.host}:${dest.smtp.port}: ${e.responseCode ?? e.code ?? ''} ${e.message ?? String(err)}`.trim(), {
          retryable: !permanent,
          hint: e.code === 'EAUTH' ? 'Check notify.email smtp.user and smtp.password' : 'Check notify.email smtp settings and that the server is reachable',
          cause: err,
        });
      }
    },
    close: async () => {
      transport.close();
    },
  };
}
