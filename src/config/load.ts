// Loading order: schema defaults, then config/default.json shipped with dropwise, then the file named by
// --config or DROPWISE_CONFIG, then environment variables. Everything is validated up front: a bad
// setting stops the start with a message naming the key, the value and the file. The result is frozen.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DropwiseError } from '../errors.js';
import { resolveApiConfig, type ApiConfig } from './api.js';
import { deepFreeze } from './deep-freeze.js';
import { readEnvRef } from './env-ref.js';
import { createConvict } from './schema.js';
import { SECRET_FIELDS, checkConnections, checkTasks, type Connection, type RouteRule, type TaskConfig } from './entries.js';
import { resolveNotify, type NotifyConfig } from './notify.js';
import { agentWorkFolder, resolveAgentName, resolveStateConfig, type AgentConfig, type StateConfig } from './state.js';

export type { Connection, ConnectWiseConnection, TraedeConnection, TaskConfig, RouteRule } from './entries.js';

export interface AppConfig {
  agent: AgentConfig;
  state: StateConfig;
  folders: { inbox: string; success: string; fail: string; archive: string; work: string; state: string };
  watch: { stabilityMs: number; sweepMs: number; usePolling: boolean; pollIntervalMs: number; concurrency: number };
  processing: { originals: 'archive' | 'delete'; maxFileBytes: number; recordConcurrency: number };
  log: { level: 'error' | 'warn' | 'info' | 'debug'; file: string; maxSizeBytes: number; maxFiles: number; console: boolean };
  http: {
    timeoutMs: number;
    connectTimeoutMs: number;
    maxAttempts: number;
    retryBudgetMs: number;
    baseDelayMs: number;
    maxDelayMs: number;
    connections: number;
  };
  sandbox: { mode: 'auto' | 'on' | 'off'; port: number; seed: number };
  api: ApiConfig;
  history: { keepDays: number };
  retention: { archiveDays: number; successDays: number; failDays: number; artifactDays: number };
  routes: RouteRule[];
  connections: Record<string, Connection>;
  tasks: Record<string, TaskConfig>;
  notify: NotifyConfig;
  /** Where the config came from; relative paths were resolved against baseDir. */
  source: { file: string | undefined; baseDir: string };
  /** Every secret value found in connections, notify destinations and api.token, for the log redactor. */
  secrets: string[];
}

export interface LoadConfigOptions {
  /** The file given with --config; DROPWISE_CONFIG is used when absent. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values merged last (tests, `dropwise simulate`). */
  overrides?: Record<string, unknown>;
  /**
   * false: leave "env:" values unresolved (they need not be set), for verbs that only read the folders
   * (`status`); such a config must not be used to call an API. Default true.
   */
  resolveSecrets?: boolean;
}

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../config/default.json', import.meta.url));

const CONNECTION_ENV = /^DROPWISE_CONNECTION_([A-Z0-9_-]+?)_([A-Z]+)$/i;

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fileArg = options.file ?? env['DROPWISE_CONFIG'];
  const file = fileArg ? path.resolve(cwd, fileArg) : undefined;
  const where = file ? `in ${file}` : '(defaults and environment; no config file given)';

  const conf = createConvict(env);
  if (fs.existsSync(DEFAULT_CONFIG_FILE)) conf.load(readJson(DEFAULT_CONFIG_FILE));
  const user = file ? readJson(file) : {};
  conf.load(user);
  if (options.overrides) conf.load(options.overrides);

  const connections = structuredClone(conf.get('connections') as Record<string, Record<string, unknown>>);
  applyConnectionEnv(connections, env);
  const resolveSecrets = options.resolveSecrets ?? true;
  const secrets = resolveSecrets ? resolveSecretRefs(connections, env, where) : [];
  conf.set('connections', connections);

  try {
    conf.validate({ allowed: 'strict' });
    checkEntry('connections', () => checkConnections(conf.get('connections')));
    checkEntry('tasks', () => checkTasks(conf.get('tasks')));
  } catch (err) {
    throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: ${(err as Error).message}`, {
      hint: 'Fix the setting named above (see the Configuration section of the README for every key) and start again',
    });
  }

  const notify = resolveNotify(conf.get('notify') as Record<string, unknown>, env, (message) => {
    throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: ${message}`, { hint: 'Set the variable in the service\'s environment, or put the value in the config file' });
  }, resolveSecrets);
  secrets.push(...notify.secrets);

  const baseDir = file ? path.dirname(file) : cwd;
  const raw = conf.getProperties() as unknown as Omit<AppConfig, 'source' | 'secrets' | 'agent'> & { agent: { name: string } };
  const api = resolveApiConfig(raw.api, env, where, resolveSecrets);
  secrets.push(...api.secrets);
  const state = resolveStateConfig(raw.state, env, where, resolveSecrets);
  secrets.push(...state.secrets);
  const folders = Object.fromEntries(
    Object.entries(raw.folders).map(([k, v]) => [k, path.resolve(baseDir, v)]),
  ) as AppConfig['folders'];
  const agent: AgentConfig = { name: resolveAgentName(raw.agent.name, where), workRoot: folders.work };
  folders.work = agentWorkFolder(state.state, agent.workRoot, agent.name);
  const logFile = raw.log.file === '' ? '' : path.resolve(baseDir, raw.log.file);
  const tasks = Object.fromEntries(
    Object.entries(raw.tasks).map(([name, t]) => [name, { ...t, settings: t.settings ?? {} }]),
  );
  return deepFreeze({ ...raw, agent, state: state.state, api: api.api, folders, tasks, notify: notify.notify, log: { ...raw.log, file: logFile }, source: { file, baseDir }, secrets });
}

/** Prefixes an entry check's message with its key, as convict does for its own keys. */
function checkEntry(key: string, check: () => void): void {
  try {
    check();
  } catch (err) {
    throw new Error(`${key}: ${(err as Error).message}`);
  }
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DropwiseError('DW_CONFIG_INVALID', `Cannot read the configuration file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: 'Check the path given with --config or DROPWISE_CONFIG',
    });
  }
  try {
    const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new DropwiseError('DW_CONFIG_INVALID', `The configuration file ${file} is not valid JSON: ${(err as Error).message}`, {
      hint: 'Fix the JSON syntax (a JSON validator shows the exact place) and start again',
    });
  }
}

/** DROPWISE_CONNECTION_<NAME>_<FIELD>=value sets connections.<name>.<field> (names match case-insensitively). */
function applyConnectionEnv(connections: Record<string, Record<string, unknown>>, env: NodeJS.ProcessEnv): void {
  for (const [key, value] of Object.entries(env)) {
    const m = CONNECTION_ENV.exec(key);
    if (!m || value === undefined) continue;
    const [, envName = '', envField = ''] = m;
    const name = Object.keys(connections).find((n) => n.toUpperCase().replace(/-/g, '_') === envName.toUpperCase().replace(/-/g, '_'));
    if (!name) continue;
    const conn = connections[name] as Record<string, unknown>;
    const field = Object.keys(conn).find((f) => f.toUpperCase() === envField.toUpperCase()) ?? envField.toLowerCase();
    conn[field] = value;
  }
}

/** Replaces "env:VAR" values by the variable's value; returns every secret value for redaction. */
function resolveSecretRefs(connections: Record<string, Record<string, unknown>>, env: NodeJS.ProcessEnv, where: string): string[] {
  const secrets: string[] = [];
  for (const [name, conn] of Object.entries(connections)) {
    for (const [field, value] of Object.entries(conn)) {
      if (typeof value !== 'string') continue;
      const read = readEnvRef(value, env);
      if ('missing' in read) {
        throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: connections.${name}.${field} refers to the environment variable ${read.missing}, which is not set`, {
          hint: `Set ${read.missing} in the service's environment, or put the value in the config file`,
        });
      }
      conn[field] = read.value;
    }
    const type = conn['type'];
    if (type === 'connectwise' || type === 'traede') {
      for (const field of SECRET_FIELDS[type]) {
        const v = conn[field];
        if (typeof v === 'string' && v.length >= 4) secrets.push(v);
      }
    }
    // The Basic credential as sent: its base64 form is not a substring of the keys' own encodings.
    if (type === 'connectwise') secrets.push(`${String(conn['companyId'])}+${String(conn['publicKey'])}:${String(conn['privateKey'])}`);
  }
  return secrets;
}
