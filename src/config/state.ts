// The `agent` and `state` settings. With state.backend "postgres" several agents share one state: the
// URL is a secret (it holds the password), each agent needs a name of its own, and each keeps its own
// work folder under folders.work, named after it, so that another agent can adopt what it left there.
import os from 'node:os';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { readEnvRef } from './env-ref.js';

export interface PostgresStateConfig {
  /** The connection URL, resolved ('' for the local backend). */
  url: string;
  poolSize: number;
  schema: string;
  leaseSeconds: number;
}

export interface StateConfig {
  backend: 'local' | 'postgres';
  postgres: PostgresStateConfig;
}

export interface AgentConfig {
  /** agent.name, or the host name when it is empty. */
  name: string;
  /**
   * The folder every agent's work folder is in (folders.work as configured). With the local backend it
   * is folders.work itself; with postgres, folders.work is `<workRoot>/<name>`.
   */
  workRoot: string;
}

/** A name usable as a folder name everywhere (Windows included) and in a log line. */
const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** An unquoted PostgreSQL identifier. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function resolveAgentName(configured: string, where: string): string {
  const name = configured === '' ? os.hostname() : configured;
  if (!AGENT_NAME.test(name) || name.endsWith('.')) {
    throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: agent.name ${JSON.stringify(name)}${configured === '' ? ' (the host name)' : ''} must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`, {
      hint: 'Set agent.name (or DROPWISE_AGENT_NAME) to a short name of this agent, e.g. "agent-1"',
    });
  }
  return name;
}

/**
 * Checks the state settings and resolves the URL; returns it as a secret to redact (whole, and its
 * password alone). With `resolveSecrets` false an "env:" URL is left as it is.
 */
export function resolveStateConfig(state: StateConfig, env: NodeJS.ProcessEnv, where: string, resolveSecrets = true): { state: StateConfig; secrets: string[] } {
  const invalid = (message: string, hint: string): never => {
    throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: ${message}`, { hint });
  };
  if (!SCHEMA_NAME.test(state.postgres.schema)) {
    invalid(`state.postgres.schema ${JSON.stringify(state.postgres.schema)} must be a lower-case PostgreSQL name (letters, digits, "_")`, 'Use e.g. "dropwise", or one schema per tenant such as "dropwise_acme"');
  }
  if (state.backend === 'local') return { state, secrets: [] };
  let url = state.postgres.url;
  if (url === '') invalid('state.backend is "postgres" but state.postgres.url is empty', 'Set state.postgres.url to "env:VAR_NAME", or set DROPWISE_STATE_POSTGRES_URL in the service\'s environment');
  if (!resolveSecrets) return { state, secrets: [] };
  const read = readEnvRef(url, env);
  if ('missing' in read) invalid(`state.postgres.url refers to the environment variable ${read.missing}, which is not set`, `Set ${read.missing} in the service's environment`);
  else url = read.value;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // The message never quotes the URL: it may hold the password.
  if (parsed === undefined || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    invalid('state.postgres.url is not a postgres:// URL', 'Write it as postgres://user:password@host:5432/database');
  }
  const password = parsed ? decodeURIComponent(parsed.password) : '';
  return { state: { ...state, postgres: { ...state.postgres, url } }, secrets: [url, ...(password.length >= 4 ? [password] : [])] };
}

/** The agent's own work folder: under the shared root, named after the agent, when agents share state. */
export function agentWorkFolder(state: StateConfig, workRoot: string, name: string): string {
  return state.backend === 'postgres' ? path.join(workRoot, name) : workRoot;
}
