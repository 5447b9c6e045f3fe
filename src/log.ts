// winston, with secrets redacted from every line: fields named like secrets, Authorization headers,
// and any configured secret value wherever it appears in a message or a field.
import fs from 'node:fs';
import path from 'node:path';
import type * as Winston from 'winston';
import { requireCommonJs } from './commonjs.js';
import { redactor } from './secrets.js';

const winston = requireCommonJs<typeof Winston>('winston');

export type Logger = Winston.Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

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
  const transports: Winston.transport[] = [];
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
