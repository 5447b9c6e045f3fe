// Checks for the keyed entries of the config (connections, tasks, route rules). Their messages name the
// entry and the field but never echo a connection's values: they may be secrets.
import { Cron } from 'croner';
import { isObject } from '../json/is-object.js';
import { isTimeZone } from '../time/zoned.js';
import { siteOrigin } from './site-origin.js';

export interface ConnectWiseConnection {
  type: 'connectwise';
  /** The API base (`https://api-eu.myconnectwise.net/v2025_1/apis/3.0`); found from `site` at start when not given. */
  url?: string;
  /** The site Zynk asks for (`eu.myconnectwise.net`), instead of url. */
  site?: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  apiVersion: string;
  /** The connection's request budget, shared agent-wide (default CONNECTWISE_REQUESTS_PER_MINUTE; 0 = none). */
  requestsPerMinute?: number;
  default?: boolean;
}

export interface TraedeConnection {
  type: 'traede';
  url: string;
  token: string;
  appKey: string;
  /** The connection's request budget, shared agent-wide (default none). */
  requestsPerMinute?: number;
  default?: boolean;
}

export type Connection = ConnectWiseConnection | TraedeConnection;
export type ConnectionType = Connection['type'];

export interface TaskConfig {
  type: string;
  connection?: string;
  schedule?: string;
  /** Run once at start when the last scheduled time passed while the agent was down. */
  catchUp?: boolean;
  /** The IANA time zone the schedule is read in (Europe/Copenhagen); the machine's own by default. */
  timezone?: string;
  settings: Record<string, unknown>;
}

export interface RouteRule {
  /** A file-name glob (`*` and `?`), matched case-insensitively against the inbox file name. */
  pattern: string;
  /** A task type (`connectwise.import-invoice-payments`) or the name of a configured task. */
  task: string;
  connection?: string;
}

/** The fields of each connection type whose values are secrets (redacted from logs). */
export const SECRET_FIELDS: Record<ConnectionType, readonly string[]> = {
  connectwise: ['publicKey', 'privateKey'],
  traede: ['token', 'appKey'],
};

const REQUIRED_FIELDS: Record<ConnectionType, readonly string[]> = {
  connectwise: ['companyId', 'publicKey', 'privateKey', 'clientId'],
  traede: ['url', 'token', 'appKey'],
};
const OPTIONAL_FIELDS: Record<ConnectionType, readonly string[]> = {
  connectwise: ['url', 'site', 'apiVersion', 'requestsPerMinute', 'default'],
  traede: ['requestsPerMinute', 'default'],
};

/** ConnectWise throttles a tenant above roughly 1,000 requests a minute; this leaves room for other clients. */
export const CONNECTWISE_REQUESTS_PER_MINUTE = 900;


function checkUrl(name: string, value: unknown): void {
  try {
    const url = new URL(value as string);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
  } catch {
    throw new Error(`connection "${name}": url must be an http(s) URL`);
  }
}

/** A ConnectWise connection names its API by url, or by site (the API base is found there at start). */
function checkConnectWiseAddress(name: string, conn: Record<string, unknown>): void {
  const { url, site } = conn;
  if ((url === undefined) === (site === undefined)) throw new Error(`connection "${name}": give either url (the API base) or site (such as eu.myconnectwise.net), not ${url === undefined ? 'neither' : 'both'}`);
  if (url !== undefined) return checkUrl(name, url);
  if (typeof site !== 'string' || site.trim() === '') throw new Error(`connection "${name}": site must be a host name such as eu.myconnectwise.net`);
  try {
    siteOrigin(site);
  } catch (err) {
    throw new Error(`connection "${name}": site ${(err as Error).message}`);
  }
}

export function checkConnections(value: unknown): void {
  if (!isObject(value)) throw new Error('must be an object of named connections');
  for (const [name, conn] of Object.entries(value)) {
    if (!isObject(conn)) throw new Error(`connection "${name}" must be an object`);
    const type = conn['type'];
    if (type !== 'connectwise' && type !== 'traede') {
      throw new Error(`connection "${name}": type must be "connectwise" or "traede"`);
    }
    for (const field of REQUIRED_FIELDS[type]) {
      if (typeof conn[field] !== 'string' || (conn[field] as string).trim() === '') {
        throw new Error(`connection "${name}": ${field} is required (a non-empty string, or "env:VAR_NAME")`);
      }
    }
    const known = new Set(['type', ...REQUIRED_FIELDS[type], ...OPTIONAL_FIELDS[type]]);
    for (const field of Object.keys(conn)) {
      if (!known.has(field)) throw new Error(`connection "${name}": unknown field "${field}" (allowed: ${[...known].join(', ')})`);
    }
    if (type === 'connectwise') checkConnectWiseAddress(name, conn);
    else checkUrl(name, conn['url']);
    const rpm = conn['requestsPerMinute'];
    if (rpm !== undefined && !(Number.isInteger(rpm) && (rpm as number) >= 0 && (rpm as number) <= 100_000)) {
      throw new Error(`connection "${name}": requestsPerMinute must be a whole number from 0 (no budget) to 100000`);
    }
    if (conn['default'] !== undefined && typeof conn['default'] !== 'boolean') {
      throw new Error(`connection "${name}": default must be true or false`);
    }
  }
}

const TASK_FIELDS = ['type', 'connection', 'schedule', 'catchUp', 'timezone', 'settings'];

export function checkTasks(value: unknown): void {
  if (!isObject(value)) throw new Error('must be an object of named tasks');
  for (const [name, task] of Object.entries(value)) {
    if (!isObject(task)) throw new Error(`task "${name}" must be an object`);
    if (typeof task['type'] !== 'string') throw new Error(`task "${name}": type is required`);
    if (task['connection'] !== undefined && typeof task['connection'] !== 'string') {
      throw new Error(`task "${name}": connection must be a connection name`);
    }
    if (task['settings'] !== undefined && !isObject(task['settings'])) throw new Error(`task "${name}": settings must be an object`);
    for (const field of Object.keys(task)) {
      if (!TASK_FIELDS.includes(field)) throw new Error(`task "${name}": unknown field "${field}" (allowed: ${TASK_FIELDS.join(', ')})`);
    }
    const timezone = task['timezone'];
    if (timezone !== undefined && (typeof timezone !== 'string' || !isTimeZone(timezone))) {
      throw new Error(`task "${name}": timezone ${JSON.stringify(timezone)} is not an IANA time zone name (such as "Europe/Copenhagen" or "UTC")`);
    }
    if (task['catchUp'] !== undefined && typeof task['catchUp'] !== 'boolean') throw new Error(`task "${name}": catchUp must be true or false`);
    if (task['schedule'] === undefined) {
      const needless = ['timezone', 'catchUp'].find((field) => task[field] !== undefined);
      if (needless) throw new Error(`task "${name}": ${needless} applies to a schedule, and the task has none`);
    } else {
      if (typeof task['schedule'] !== 'string') throw new Error(`task "${name}": schedule must be a cron expression`);
      try {
        new Cron(task['schedule'], { paused: true, ...(timezone !== undefined ? { timezone } : {}) });
      } catch (err) {
        throw new Error(`task "${name}": schedule "${task['schedule']}" is not a valid cron expression (${(err as Error).message})`);
      }
    }
  }
}

export function checkRoutes(value: unknown): void {
  if (!Array.isArray(value)) throw new Error('must be a list of route rules');
  value.forEach((rule: unknown, i) => {
    if (!isObject(rule)) throw new Error(`route ${i + 1} must be an object`);
    if (typeof rule['pattern'] !== 'string' || rule['pattern'] === '') throw new Error(`route ${i + 1}: pattern is required`);
    if (typeof rule['task'] !== 'string' || rule['task'] === '') throw new Error(`route ${i + 1}: task is required`);
    if (rule['connection'] !== undefined && typeof rule['connection'] !== 'string') {
      throw new Error(`route ${i + 1}: connection must be a connection name`);
    }
  });
}
