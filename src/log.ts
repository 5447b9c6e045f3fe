// winston, with secrets redacted from every line: fields named like secrets, Authorization headers,
// and any configured secret value wherever it appears in a message or a field.
import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';

export type Logger = winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export const REDACTED = '[redacted]';

const SECRET_KEY = /(authorization|password|passwd|secret|token|private.?key|public.?key|app.?key|api.?key|cookie)/i;
// "Basic abc==" / "Bearer xyz" in free text, e.g. an error message that quotes a header.
const AUTH_SCHEME = /\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/g;

/** Holds the secret values to scrub. Values are registered at start-up from the config. */
export class SecretRedactor {
  private values: string[] = [];

  add(...secrets: (string | undefined)[]): void {
    for (const s of secrets) {
      if (!s || s.length < 4 || this.values.includes(s)) continue;
      this.values.push(s);
      // A secret also travels base64-encoded inside Basic auth headers.
      const b64 = Buffer.from(s).toString('base64').replace(/=+$/, '');
      if (b64.length >= 8) this.values.push(b64);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  redactString(text: string): string {
    let out = text.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }

  /** A copy of `value` with secret-named fields and secret values replaced. */
  redact(value: unknown, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => this.redact(v, seen));
    if (value instanceof Error) {
      return { name: value.name, message: this.redactString(value.message), code: (value as { code?: unknown }).code };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : this.redact(v, seen);
    }
    return out;
  }
}

/** The process-wide redactor; the config's secrets are added to it at start-up. */
export const redactor = new SecretRedactor();

const redactFormat = winston.format((info) => {
  const clean = redactor.redact({ ...info }) as Record<string | symbol, unknown>;
  for (const key of Object.keys(info)) delete (info as Record<string, unknown>)[key];
  Object.assign(info, clean);
  return info;
});

export interface LoggerOptions {
  level: LogLevel;
  /** JSON-lines file, rotated by size; '' for none. */
  file: string;
  maxSizeBytes: number;
  maxFiles: number;
  console: boolean;
}

const consoleLine = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info as Record<string, unknown>;
  const extras = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${String(level)} ${String(message)}${extras ? `  ${extras}` : ''}`;
});

export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [];
  if (options.console) {
    transports.push(
      new winston.transports.Console({
        // Log lines go to stderr so that CLI output on stdout stays clean for scripts.
        stderrLevels: ['error', 'warn', 'info', 'debug'],
        // Colour only on a terminal: escape codes in a service journal or a captured log are noise.
        format: process.stderr.isTTY
          ? winston.format.combine(winston.format.timestamp({ format: 'HH:mm:ss' }), winston.format.colorize(), consoleLine)
          : winston.format.combine(winston.format.timestamp({ format: 'HH:mm:ss' }), consoleLine),
      }),
    );
  }
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    transports.push(
      new winston.transports.File({
        filename: options.file,
        maxsize: options.maxSizeBytes,
        maxFiles: options.maxFiles,
        tailable: true,
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  if (transports.length === 0) transports.push(new winston.transports.Console({ silent: true }));
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.errors({ stack: false }), redactFormat()),
    transports,
  });
}

/** A logger that writes nothing, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
}
