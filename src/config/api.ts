// The `api` settings: the token comes from the environment ("env:NAME") like connection secrets, and an
// address other machines can reach is refused without one.
import net from 'node:net';
import { DropwiseError } from '../errors.js';
import { readEnvRef } from './env-ref.js';

export interface ApiConfig {
  enabled: boolean;
  host: string;
  port: number;
  /** The bearer token, resolved; '' for none. */
  token: string;
  stuckAfterMs: number;
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Resolves `api.token` and checks the address; returns the config to use and the token as a secret to
 * redact. With `resolveSecrets` false (verbs that only read, like `status`) an "env:" token is left as
 * it is and counts as set.
 */
export function resolveApiConfig(api: ApiConfig, env: NodeJS.ProcessEnv, where: string, resolveSecrets = true): { api: ApiConfig; secrets: string[] } {
  let token = api.token;
  if (resolveSecrets) {
    const read = readEnvRef(token, env);
    if ('missing' in read) {
      throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: api.token refers to the environment variable ${read.missing}, which is not set`, {
        hint: `Set ${read.missing} in the service's environment, or leave api.token empty and keep api.host on a loopback address`,
      });
    }
    token = read.value;
  }
  if (api.enabled && token === '' && !isLoopbackHost(api.host)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: api.host is "${api.host}", which other machines can reach, and api.token is not set`, {
      hint: 'Set api.token to "env:VAR_NAME" (a long random value in that variable), or set api.host to 127.0.0.1',
    });
  }
  return { api: { ...api, token }, secrets: token !== '' && resolveSecrets ? [token] : [] };
}
