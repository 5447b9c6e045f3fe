// The agent's local HTTP API (node:http, no framework: a handful of routes, and the Router lets the
// dashboard add its pages). Every request passes the Guard (token, same-origin, CSRF) before its
// handler; every answer gets the same safety headers. Nothing it serves carries a secret: the config
// is never served, and paths and messages are the ones the log shows.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Agent } from '../agent/agent.js';
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/store.js';
import type { TaskRegistry } from '../tasks/registry.js';
import { pkg } from '../version.js';
import { removeAgentFile, writeAgentFile } from './agent-file.js';
import { registerDashboard } from './dashboard/routes.js';
import type { DashboardActions } from './dashboard/actions.js';
import { ConnectionHealth } from './connection-health.js';
import { registerControlRoutes } from './control.js';
import { CSRF_HEADER, Guard } from './guard.js';
import type { LiveRuns } from './live-runs.js';
import { Metrics } from './metrics.js';
import { ReadinessProbe } from './readiness.js';
import { Router, json, jsonError, type Reply } from './router.js';
import { nextFireTimes } from './schedules.js';
import { claimedFiles, waitingFiles } from '../agent/intake/work-files.js';

export interface ApiServerDeps {
  config: AppConfig;
  agent: Agent;
  log: Logger;
  /** The runs under way, when the agent's progress goes through it. */
  liveRuns?: LiveRuns;
  /** With these the API also serves the dashboard (src/api/dashboard/), `dropwise start` gives them. */
  dashboard?: { store: StateStore; registry: TaskRegistry };
}

const SAFETY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
};

export class ApiServer {
  readonly router = new Router();
  readonly startedAt = new Date();
  private readonly server: http.Server;
  private readonly guard: Guard;
  private readonly connections = new ConnectionHealth();
  private readonly readiness: ReadinessProbe;
  private readonly metrics: Metrics;
  private readonly actions: DashboardActions | undefined;

  private constructor(private readonly deps: ApiServerDeps) {
    const { config, agent } = deps;
    this.guard = new Guard(config.api.token);
    this.readiness = new ReadinessProbe({ config, workspace: agent.workspace, connections: this.connections, ...(config.state.backend === 'postgres' ? { lease: () => agent.leaseProblem } : {}) });
    this.metrics = new Metrics({ workspace: agent.workspace, isPaused: () => agent.isPaused });
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.registerRoutes();
    if (deps.dashboard) {
      this.actions = registerDashboard(this.router, { ...deps, ...deps.dashboard, guard: this.guard, readiness: () => this.readiness.check() });
    }
  }

  /**
   * Listens on api.host:api.port and writes work/agent.json. DW_API_LISTEN when the address cannot be
   * had (port taken, address not this machine's).
   */
  static async start(deps: ApiServerDeps): Promise<ApiServer> {
    const api = new ApiServer(deps);
    const { host, port } = deps.config.api;
    try {
      await new Promise<void>((resolve, reject) => {
        api.server.once('error', reject);
        api.server.listen(port, host, () => {
          api.server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      api.dispose();
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new DropwiseError('DW_API_LISTEN', `The local API cannot listen on ${host}:${port}: ${code}`, {
        hint: code === 'EADDRINUSE' ? 'Another program uses that port: set api.port to a free one (0 picks any), or set api.enabled to false' : 'Set api.host to an address of this machine (127.0.0.1 for this machine only)',
      });
    }
    await writeAgentFile(deps.config.folders.work, { pid: process.pid, hostname: os.hostname(), version: pkg.version, startedAt: api.startedAt.toISOString(), api: api.url });
    deps.log.info(`Local API at ${api.url} (${deps.config.api.token === '' ? 'this machine only, no token' : 'token required'})`);
    return api;
  }

  /** The base URL, with the port actually bound (api.port 0 picks one). */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /** Stops listening, ends open connections, and removes work/agent.json. */
  async close(): Promise<void> {
    await removeAgentFile(this.deps.config.folders.work);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.dispose();
  }

  private dispose(): void {
    this.connections.close();
    this.metrics.close();
  }

  private registerRoutes(): void {
    const { agent, config, liveRuns } = this.deps;
    this.router
      .get('/healthz', () => json(200, { status: 'alive' }), { public: true })
      .get('/readyz', async () => {
        const readiness = await this.readiness.check();
        return json(readiness.ready ? 200 : 503, readiness);
      })
      .get('/metrics', async () => {
        const { contentType, text } = await this.metrics.render();
        return { status: 200, headers: { 'content-type': contentType }, body: text };
      })
      .get('/api/session', () => json(200, { csrfToken: this.guard.csrfToken, csrfHeader: CSRF_HEADER }))
      .get('/api/status', async () => {
        const [inFlight, waiting] = await Promise.all([claimedFiles(agent.workspace), waitingFiles(agent.workspace)]);
        return json(200, {
          pid: process.pid,
          version: pkg.version,
          since: this.startedAt.toISOString(),
          api: this.url,
          paused: agent.isPaused,
          inFlight: inFlight.map((f) => ({ id: f.id, name: f.name, claimedAt: f.claimedAt.toISOString() })),
          waiting: waiting.count,
          schedules: nextFireTimes(config.tasks),
          running: liveRuns?.list() ?? [],
        });
      })
      .post('/api/pause', async ({ caller }) => {
        agent.pause();
        await this.actions?.record({ who: caller, action: 'pause', outcome: 'intake paused' });
        return json(200, { paused: true });
      })
      .post('/api/resume', async ({ caller }) => {
        agent.resume();
        await this.actions?.record({ who: caller, action: 'resume', outcome: 'intake resumed' });
        return json(200, { paused: false });
      });
    registerControlRoutes(this.router, { agent, config, log: this.deps.log, ...(liveRuns ? { liveRuns } : {}) });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.reply(req);
    } catch (err) {
      this.deps.log.error(`API ${req.method ?? ''} ${req.url ?? ''} failed: ${String(err)}`);
      reply = jsonError(500, 'internal', 'The request failed inside the agent; the log has the details');
    }
    // Drain a body the route did not read (only POST /api/files takes one), so the connection stays usable.
    req.resume();
    res.writeHead(reply.status, { ...SAFETY_HEADERS, ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }

  private async reply(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = this.router.match(req.method ?? 'GET', url.pathname);
    if (!match) return jsonError(404, 'not-found', `No such route: ${url.pathname}`);
    if (!('route' in match)) return jsonError(405, 'method-not-allowed', `${url.pathname} takes ${match.allowed.join(', ')}`, { allow: match.allowed.join(', ') });
    const refused = this.guard.check(req, match.route);
    if (refused) return refused;
    return match.route.handler({ req, url, params: match.params, caller: this.guard.callerOf() });
  }
}
