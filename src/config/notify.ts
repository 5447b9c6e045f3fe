// The notify.* entries: e-mail and webhook destinations. Their checks name the entry and field but never
// echo a value (passwords, header values and webhook URLs are secrets); "env:NAME" values are resolved
// here and every secret is handed back for the redactor.
import { isObject } from '../json/is-object.js';
import { readEnvRef } from './env-ref.js';

/** What a destination can be sent; `events` lists a subset (all of them when left out). */
export const NOTIFY_EVENTS = ['file-failed', 'run-partial', 'task-failed', 'outage-began', 'outage-ended', 'stuck-file', 'daily-summary'] as const;
export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

export const WEBHOOK_FORMATS = ['json', 'teams', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTLS: boolean;
  user?: string;
  password?: string;
}

export interface EmailDestination {
  to: string[];
  from: string;
  events: NotifyEventName[];
  smtp: SmtpSettings;
}

export interface WebhookDestination {
  url: string;
  format: WebhookFormat;
  events: NotifyEventName[];
  headers: Record<string, string>;
}

export interface NotifyConfig {
  email: EmailDestination[];
  webhooks: WebhookDestination[];
  /** The same cause is sent at most once per this many minutes per destination. */
  throttleMinutes: number;
  /** A file in work/processing longer than this is reported as stuck. */
  stuckMinutes: number;
  /** "HH:MM" local time of the daily summary; "" for none. */
  dailySummary: string;
}

const EMAIL_FIELDS = ['to', 'from', 'events', 'smtp'];
const SMTP_FIELDS = ['host', 'port', 'secure', 'requireTLS', 'user', 'password'];
const WEBHOOK_FIELDS = ['url', 'format', 'events', 'headers'];
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

function checkFields(where: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const field of Object.keys(value)) {
    if (!allowed.includes(field)) throw new Error(`${where}: unknown field "${field}" (allowed: ${allowed.join(', ')})`);
  }
}

function checkEvents(where: string, events: unknown): void {
  if (events === undefined) return;
  if (!Array.isArray(events) || events.length === 0) throw new Error(`${where}: events must be a non-empty list (or left out for all events)`);
  for (const e of events) {
    if (!NOTIFY_EVENTS.includes(e as NotifyEventName)) {
      throw new Error(`${where}: unknown event ${JSON.stringify(e)} (known: ${NOTIFY_EVENTS.join(', ')})`);
    }
  }
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

export function checkEmailDestinations(value: unknown): void {
  if (!Array.isArray(value)) throw new Error('must be a list of e-mail destinations');
  value.forEach((dest: unknown, i) => {
    const where = `entry ${i + 1}`;
    if (!isObject(dest)) throw new Error(`${where} must be an object`);
    checkFields(where, dest, EMAIL_FIELDS);
    const to = dest['to'];
    if (!Array.isArray(to) || to.length === 0) throw new Error(`${where}: to must be a non-empty list of addresses`);
    for (const address of to) if (typeof address !== 'string' || !ADDRESS.test(address)) throw new Error(`${where}: to holds ${JSON.stringify(address)}, which is not an e-mail address`);
    if (typeof dest['from'] !== 'string' || !ADDRESS.test(dest['from'].replace(/^.*<(.+)>\s*$/, '$1'))) throw new Error(`${where}: from must be an e-mail address ("Name <a@b.c>" is fine)`);
    checkEvents(where, dest['events']);
    const smtp = dest['smtp'];
    if (!isObject(smtp)) throw new Error(`${where}: smtp must be an object { host, port, secure, requireTLS, user, password }`);
    checkFields(`${where}: smtp`, smtp, SMTP_FIELDS);
    if (!nonEmpty(smtp['host'])) throw new Error(`${where}: smtp.host is required`);
    const port = smtp['port'];
    if (port !== undefined && (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)) throw new Error(`${where}: smtp.port must be a port number (1-65535)`);
    for (const flag of ['secure', 'requireTLS']) {
      if (smtp[flag] !== undefined && typeof smtp[flag] !== 'boolean') throw new Error(`${where}: smtp.${flag} must be true or false`);
    }
    for (const field of ['user', 'password']) {
      if (smtp[field] !== undefined && !nonEmpty(smtp[field])) throw new Error(`${where}: smtp.${field} must be a non-empty string (or "env:VAR_NAME")`);
    }
    if ((smtp['user'] === undefined) !== (smtp['password'] === undefined)) throw new Error(`${where}: smtp.user and smtp.password go together`);
  });
}

export function checkWebhookDestinations(value: unknown): void {
  if (!Array.isArray(value)) throw new Error('must be a list of webhook destinations');
  value.forEach((dest: unknown, i) => {
    const where = `entry ${i + 1}`;
    if (!isObject(dest)) throw new Error(`${where} must be an object`);
    checkFields(where, dest, WEBHOOK_FIELDS);
    const url = dest['url'];
    if (!nonEmpty(url)) throw new Error(`${where}: url is required (an http(s) URL, or "env:VAR_NAME")`);
    if (!url.startsWith('env:') && !isHttpUrl(url)) throw new Error(`${where}: url must be an http(s) URL`);
    if (!WEBHOOK_FORMATS.includes(dest['format'] as WebhookFormat)) throw new Error(`${where}: format must be one of ${WEBHOOK_FORMATS.join(', ')}`);
    checkEvents(where, dest['events']);
    const headers = dest['headers'];
    if (headers !== undefined) {
      if (!isObject(headers)) throw new Error(`${where}: headers must be an object of header names and values`);
      for (const [name, v] of Object.entries(headers)) {
        if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new Error(`${where}: headers has an invalid header name "${name}"`);
        if (!nonEmpty(v)) throw new Error(`${where}: header "${name}" must be a non-empty string (or "env:VAR_NAME")`);
      }
    }
  });
}

export function checkDailySummary(value: unknown): void {
  if (value === '') return;
  const m = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error('must be a time of day "HH:MM" (24-hour), or "" for no daily summary');
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

type Raw = Record<string, unknown>;

/**
 * The checked notify section with defaults filled in and "env:NAME" values resolved, plus every
 * secret in it (SMTP passwords, header values, webhook URLs: a Slack or Teams URL is its own
 * credential). `fail` is called with a message naming the key of a reference that cannot be resolved.
 */
export function resolveNotify(
  raw: Raw,
  env: NodeJS.ProcessEnv,
  fail: (message: string) => never,
  resolveSecrets = true,
): { notify: NotifyConfig; secrets: string[] } {
  const secrets: string[] = [];
  const secret = (key: string, value: string): string => {
    // Read-only verbs (status, pause) load the config without the secrets they never use.
    if (!resolveSecrets) return value;
    const read = readEnvRef(value, env);
    if ('missing' in read) fail(`${key} refers to the environment variable ${read.missing}, which is not set`);
    secrets.push(read.value);
    return read.value;
  };
  const allEvents = (events: unknown): NotifyEventName[] => (Array.isArray(events) ? (events as NotifyEventName[]) : [...NOTIFY_EVENTS]);
  const email = (raw['email'] as Raw[]).map((d, i): EmailDestination => {
    const smtp = d['smtp'] as Raw;
    return {
      to: d['to'] as string[],
      from: d['from'] as string,
      events: allEvents(d['events']),
      smtp: {
        host: smtp['host'] as string,
        port: (smtp['port'] as number | undefined) ?? (smtp['secure'] === true ? 465 : 587),
        secure: smtp['secure'] === true,
        requireTLS: smtp['requireTLS'] === true,
        ...(typeof smtp['user'] === 'string' ? { user: smtp['user'] } : {}),
        ...(typeof smtp['password'] === 'string' ? { password: secret(`notify.email[${i}].smtp.password`, smtp['password']) } : {}),
      },
    };
  });
  const webhooks = (raw['webhooks'] as Raw[]).map((d, i): WebhookDestination => {
    const url = secret(`notify.webhooks[${i}].url`, d['url'] as string);
    // Unresolved (read-only verbs) an `env:` reference is not a URL yet: it is checked where it is resolved.
    if (resolveSecrets && !isHttpUrl(url)) fail(`notify.webhooks[${i}].url: the environment variable's value must be an http(s) URL`);
    const headers = Object.fromEntries(Object.entries((d['headers'] as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k, secret(`notify.webhooks[${i}].headers.${k}`, v)]));
    return { url, format: d['format'] as WebhookFormat, events: allEvents(d['events']), headers };
  });
  return {
    notify: {
      email,
      webhooks,
      throttleMinutes: raw['throttleMinutes'] as number,
      stuckMinutes: raw['stuckMinutes'] as number,
      dailySummary: raw['dailySummary'] as string,
    },
    secrets,
  };
}
