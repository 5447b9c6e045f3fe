// The local API against a real agent on real folders: liveness, readiness turning not-ready and back,
// the token, same-origin and CSRF refusals, pause/resume of intake, status, and work/agent.json.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentFile } from '../../src/api/agent-file.js';
import { LiveRuns } from '../../src/api/live-runs.js';
import { ApiServer } from '../../src/api/server.js';
import { logProgress } from '../../src/agent/pipeline/progress.js';
import { silentLogger } from '../../src/log.js';
import { call } from '../support/http-call.js';
import { createTestAgent, echoDocument, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

let harness: TestAgent | undefined;
let api: ApiServer | undefined;
afterEach(async () => {
  await api?.close();
  await harness?.agent.stop({ graceMs: 2000 });
  await harness?.runtime.close();
  api = undefined;
  harness = undefined;
});

async function start(config: Record<string, unknown> = {}): Promise<{ h: TestAgent; api: ApiServer; url: string }> {
  const dir = await makeTempDir();
  const liveRuns = new LiveRuns();
  harness = createTestAgent(dir, { config: { api: { port: 0 }, ...config }, deps: { progress: liveRuns.track(logProgress(silentLogger())) } });
  await harness.agent.start();
  api = await ApiServer.start({ config: harness.config, agent: harness.agent, log: silentLogger(), liveRuns });
  return { h: harness, api, url: api.url };
}

async function csrf(url: string, headers: Record<string, string> = {}): Promise<string> {
  const session = await call(`${url}/api/session`, { headers });
  expect(session.status).toBe(200);
  return session.json<{ csrfToken: string }>().csrfToken;
}

describe('the local API', () => {
  it('is alive, ready, and says so check by check; unknown routes and methods are refused', async () => {
    const { url } = await start();
    const health = await call(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'alive' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    const ready = await call(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const body = ready.json<{ ready: boolean; failed: string[]; checks: { name: string; ok: boolean }[] }>();
    expect(body.ready).toBe(true);
    expect(body.failed).toEqual([]);
    expect(body.checks.map((c) => c.name)).toEqual(['folder inbox', 'folder work', 'folder work/processing', 'folder outbox/success', 'folder outbox/fail', 'folder state', 'state readable', 'no stuck file']);
    expect((await call(`${url}/nope`)).status).toBe(404);
    const wrongMethod = await call(`${url}/api/pause`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('POST');
  });

  it('turns not ready when the outbox cannot be written, and ready again once it is fixed', async () => {
    const { h, url } = await start();
    const fail = h.config.folders.fail;
    // A folder replaced by a file: unlike a chmod, root cannot write through that either.
    await fs.rm(fail, { recursive: true });
    await fs.writeFile(fail, 'not a folder');
    await waitFor(async () => (await call(`${url}/readyz`)).status === 503, 10_000, () => '/readyz to turn 503');
    const body = (await call(`${url}/readyz`)).json<{ ready: boolean; failed: string[]; checks: { name: string; message: string }[] }>();
    expect(body).toMatchObject({ ready: false, failed: ['folder outbox/fail'] });
    expect(body.checks.find((c) => c.name === 'folder outbox/fail')?.message).toBe(`${fail} is not a folder`);

    await fs.rm(fail);
    await fs.mkdir(fail);
    await waitFor(async () => (await call(`${url}/readyz`)).status === 200, 10_000, () => '/readyz to turn 200 again');
  });

  it('is not ready while a file sits in work/processing longer than api.stuckAfterMs', async () => {
    const { h, url } = await start({ api: { port: 0, stuckAfterMs: 60_000 } });
    await fs.writeFile(path.join(h.agent.workspace.processing, '20200101T000000000-abcdef__old.xml'), '<Echo/>');
    await waitFor(async () => (await call(`${url}/readyz`)).status === 503, 10_000, () => '/readyz to turn 503');
    const body = (await call(`${url}/readyz`)).json<{ failed: string[]; checks: { name: string; message: string }[] }>();
    expect(body.failed).toEqual(['no stuck file']);
    expect(body.checks.find((c) => c.name === 'no stuck file')?.message).toContain('old.xml (claimed 2020-01-01T00:00:00.000Z)');
  });

  it('refuses a change without the CSRF token, or from another origin, and pauses and resumes intake', async () => {
    const { h, url } = await start();
    const token = await csrf(url);
    const host = new URL(url).host;

    const noCsrf = await call(`${url}/api/pause`, { method: 'POST' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: { code: 'csrf' } });
    const wrongCsrf = await call(`${url}/api/pause`, { method: 'POST', headers: { 'x-dropwise-csrf': `${token.slice(1)}x` } });
    expect(wrongCsrf.json()).toMatchObject({ error: { code: 'csrf' } });
    const crossOrigin = await call(`${url}/api/pause`, { method: 'POST', headers: { 'x-dropwise-csrf': token, origin: 'http://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.json()).toMatchObject({ error: { code: 'cross-origin' } });
    const crossSite = await call(`${url}/api/pause`, { method: 'POST', headers: { 'x-dropwise-csrf': token, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.json()).toMatchObject({ error: { code: 'cross-origin' } });
    expect(h.agent.isPaused).toBe(false);

    const paused = await call(`${url}/api/pause`, { method: 'POST', headers: { 'x-dropwise-csrf': token, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' } });
    expect(paused.status).toBe(200);
    expect(paused.json()).toEqual({ paused: true });
    expect((await call(`${url}/api/status`)).json()).toMatchObject({ paused: true });

    // While paused a dropped file stays in the inbox, sweep after sweep.
    await fs.writeFile(path.join(h.config.folders.inbox, 'later.xml'), echoDocument('later', 2));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await fs.readdir(h.config.folders.inbox)).toEqual(['later.xml']);
    expect(h.results).toEqual([]);

    const resumed = await call(`${url}/api/resume`, { method: 'POST', headers: { 'x-dropwise-csrf': token } });
    expect(resumed.json()).toEqual({ paused: false });
    const [result] = await h.processed(1);
    expect(result).toMatchObject({ disposition: 'archived', file: expect.objectContaining({ name: 'later.xml' }) });
  });

  it('answers only loopback Host names without a token (no DNS rebinding)', async () => {
    const { url } = await start();
    const port = new URL(url).port;
    const rebound = await call(`${url}/api/status`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await call(`${url}/api/status`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('with api.token: every route but /healthz needs the bearer token, and no answer carries it', async () => {
    const secret = 'a-long-random-api-token-0123456789';
    const { url } = await start({ api: { port: 0, token: secret } });
    expect((await call(`${url}/healthz`)).status).toBe(200);
    for (const route of ['/readyz', '/metrics', '/api/status', '/api/session']) {
      const none = await call(`${url}${route}`);
      expect(none.status, route).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      expect((await call(`${url}${route}`, { headers: { authorization: 'Bearer wrong-token' } })).status, route).toBe(401);
    }
    const auth = { authorization: `Bearer ${secret}` };
    const token = await csrf(url, auth);
    expect((await call(`${url}/api/pause`, { method: 'POST', headers: { 'x-dropwise-csrf': token } })).status, 'the token comes first').toBe(401);
    expect((await call(`${url}/api/pause`, { method: 'POST', headers: { ...auth, 'x-dropwise-csrf': token } })).status).toBe(200);
    for (const route of ['/readyz', '/metrics', '/api/status', '/api/session']) {
      expect((await call(`${url}${route}`, { headers: auth })).body, route).not.toContain(secret);
    }
  });

  it('reports status: pid, version, since, address, files in flight, schedules and running runs', async () => {
    const { h, url } = await start({ tasks: { nightly: { type: 'test.export', schedule: '0 2 * * *', settings: {} } } });
    await fs.writeFile(path.join(h.agent.workspace.processing, '20260101T000000000-abcdef__held.xml'), '<Echo/>');
    const status = (await call(`${url}/api/status`)).json<Record<string, unknown>>();
    expect(status).toMatchObject({ pid: process.pid, api: url, paused: false, waiting: 0, running: [] });
    expect(status['version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(status['inFlight']).toEqual([{ id: '20260101T000000000-abcdef', name: 'held.xml', claimedAt: '2026-01-01T00:00:00.000Z' }]);
    expect(status['schedules']).toEqual([{ task: 'nightly', schedule: '0 2 * * *', nextRun: expect.stringMatching(/T\d\d:00:00\.000Z$/) }]);
  });

  it('writes work/agent.json while it runs (never the token) and removes it at close', async () => {
    const secret = 'another-long-api-token-987654321';
    const { h, url } = await start({ api: { port: 0, token: secret } });
    const file = await readAgentFile(h.config.folders.work);
    expect(file).toMatchObject({ pid: process.pid, api: url, version: expect.any(String), startedAt: expect.any(String) });
    expect(await fs.readFile(path.join(h.config.folders.work, 'agent.json'), 'utf8')).not.toContain(secret);
    await api?.close();
    api = undefined;
    expect(await readAgentFile(h.config.folders.work)).toBeUndefined();
  });

  it('refuses to listen on a port in use with DW_API_LISTEN', async () => {
    const { h, url } = await start();
    const port = Number(new URL(url).port);
    await expect(ApiServer.start({ config: { ...h.config, api: { ...h.config.api, port } }, agent: h.agent, log: silentLogger() })).rejects.toMatchObject({
      code: 'DW_API_LISTEN',
      message: expect.stringContaining('EADDRINUSE'),
    });
  });
});
