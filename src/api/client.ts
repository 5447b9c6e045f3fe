// The CLI's side of the local API: finds the running agent through work/agent.json and calls it with
// api.token from the same config (never from the file) and the CSRF token of GET /api/session.
import { resolveApiConfig } from '../config/api.js';
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import { findRunningAgent, type AgentFile } from './agent-file.js';
import { CSRF_HEADER } from './guard.js';

export class AgentApiClient {
  private constructor(
    readonly agent: AgentFile,
    private readonly token: string,
  ) {}

  /**
   * The client for the agent running on the config's work folder; DW_AGENT_NOT_RUNNING when there is
   * none. `config` may be loaded without secrets: only api.token is resolved, here.
   */
  static async connect(config: Pick<AppConfig, 'folders' | 'api' | 'source'>, env: NodeJS.ProcessEnv = process.env): Promise<AgentApiClient> {
    const found = await findRunningAgent(config.folders.work);
    if (!('agent' in found)) {
      const why = found.stale ? `${config.folders.work}/agent.json names pid ${found.stale.pid}, which is no longer running` : `there is no agent.json in ${config.folders.work}`;
      throw new DropwiseError('DW_AGENT_NOT_RUNNING', `No dropwise agent is running on these folders: ${why}`, {
        hint: 'Start the agent (dropwise start, or the service) with the same config and api.enabled on; give this verb that config with --config',
      });
    }
    const where = config.source.file ? `in ${config.source.file}` : '(defaults and environment)';
    const { api } = resolveApiConfig({ ...config.api, enabled: false }, env, where);
    // Only the port comes from agent.json: anyone who can write the work folder could name another host
    // in it, and the token must go to this config's own api.host (a wildcard bind is reached on loopback).
    const host = api.host === '0.0.0.0' || api.host === '' ? '127.0.0.1' : api.host === '::' ? '::1' : api.host;
    const address = `http://${host.includes(':') ? `[${host}]` : host}:${new URL(found.agent.api).port}`;
    return new AgentApiClient({ ...found.agent, api: address }, api.token);
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  /** A change (with a JSON body when given): fetches the session's CSRF token first, as a browser page would. */
  async post<T>(path: string, body?: unknown): Promise<T> {
    const { csrfToken } = await this.get<{ csrfToken: string }>('/api/session');
    const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    return this.send<T>('POST', path, { [CSRF_HEADER]: csrfToken, ...json }, body === undefined ? undefined : JSON.stringify(body));
  }

  private async send<T>(method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, body?: string): Promise<T> {
    const url = `${this.agent.api}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...headers, ...(this.token !== '' ? { authorization: `Bearer ${this.token}` } : {}) },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new DropwiseError('DW_AGENT_NOT_RUNNING', `The agent (pid ${this.agent.pid}) does not answer at ${this.agent.api}: ${cause}`, {
        hint: 'It may be stopping or hung; check the service and its log',
      });
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // Not the API's JSON: quote the text as it came.
      }
      throw new DropwiseError('DW_API_REFUSED', `The agent's API answered ${method} ${path} with ${res.status}: ${message}`, {
        hint: res.status === 401 ? "Run this verb with the agent's config and its api.token variable set" : 'See the agent\'s log',
      });
    }
    return JSON.parse(text) as T;
  }
}
