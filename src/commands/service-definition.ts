// What `dropwise service` registers, whatever the platform: which node runs which CLI script with which
// config, as whom, how long a stop may take, and the steps (write, copy, run) a plan turns into. The
// platform files (service-systemd.ts, service-windows.ts) turn a plan into their own definition.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STOP_GRACE_MS } from './start.js';

export type ServicePlatform = 'linux' | 'windows';

export interface ServicePlan {
  name: string;
  description: string;
  /** The node executable (absolute). */
  node: string;
  /** The CLI script the service runs (dist/cli.js). */
  cli: string;
  /** The absolute config file, given to the service as DROPWISE_CONFIG. */
  config: string;
  /** The config file's folder: relative paths in the config are resolved against it anyway. */
  workingDirectory: string;
  /** Where the service manager's own logs go (Windows): next to dropwise's log file. */
  logDirectory: string;
  /** The account the service runs as (systemd User=, Windows logOnAs); absent: root / LocalSystem. */
  account?: string;
  /** The Windows account's password, already read from its env: variable. Never printed. */
  password?: string;
}

/** The running CLI script (dist/cli.js, next to this file's folder). */
export const CLI_SCRIPT = fileURLToPath(new URL('../cli.js', import.meta.url));

/**
 * Seconds the service manager waits for a clean stop before it kills: the agent's stop grace, plus
 * time to close connections, the state store and the log.
 */
export const STOP_TIMEOUT_S = Math.ceil(STOP_GRACE_MS / 1000) + 15;

/** Seconds between a crash and the restart. */
export const RESTART_DELAY_S = 10;

export type ServiceStep =
  | { mkdir: string }
  /** `shown` is what a dry run prints instead of `content` when the content holds a secret. */
  | { write: string; content: string; shown?: string }
  | { copy: string; to: string }
  | { remove: string }
  /**
   * `mayFail`: fails when there is nothing to do (stopping a stopped service); `passExitCode`: its exit
   * code is the verb's (a status query says "not running" so).
   */
  | { run: string[]; mayFail?: boolean; passExitCode?: boolean };

/** Whether a value has a control character (C0 or DEL), which neither a unit file nor XML can hold. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The log folder for the service: the folder of `log.file`, else `logs` beside the config. */
export function serviceLogDirectory(config: string, logFile: string): string {
  return logFile === '' ? path.join(path.dirname(config), 'logs') : path.dirname(logFile);
}
