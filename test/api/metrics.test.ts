// /metrics after real runs against the sandbox, parsed as Prometheus text: the counters moved by what
// the agent and the HTTP layer did (files, records, requests by endpoint family and status, a 429 and
// its Retry-After wait, bytes written, run durations), and /readyz names a connection in an outage.
import fs from 'node:fs/promises';
import path from 'node:path';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointFamily } from '../../src/api/metrics.js';
import { ApiServer } from '../../src/api/server.js';
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { silentLogger } from '../../src/log.js';
import { builtInTasks } from '../../src/tasks/registry.js';
import { call } from '../support/http-call.js';
import { withSandbox } from '../support/sandbox.js';
import { createTestAgent, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

const sandbox = withSandbox({ seed: 5 });
let harness: TestAgent | undefined;
let api: ApiServer | undefined;
let connectors: Connectors | undefined;
afterEach(async () => {
  await api?.close();
  await harness?.agent.stop({ graceMs: 2000 });
  await harness?.runtime.close();
  await connectors?.close();
  sandbox().control.clearFaults();
});

const exportRequest = `<TaskRequest><task>connectwise.export-invoices</task><connection>cw</connection>
  <settings><exportMode>All</exportMode><pageSize>50</pageSize><outputFile>invoices.xml</outputFile></settings></TaskRequest>`;

/** The value of one sample: the family's sample whose labels include `labels`. */
function sample(families: ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!found) return undefined;
  return Number(found.value ?? found.count);
}

async function scrape(url: string): Promise<ParsedFamily[]> {
  const res = await call(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  return parsePrometheusTextFormat(res.body);
}

async function startAgent(): Promise<string> {
  const sb = sandbox();
  const c = sb.connectwise;
  const connections = { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1' } };
  const http = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, retryBudgetMs: 5000, timeoutMs: 5000, connectTimeoutMs: 2000, connections: 4 };
  connectors = createConnectors({ connections: connections as never, http: http as never }, silentLogger());
  harness = createTestAgent(await makeTempDir(), { config: { connections, http, api: { port: 0 } }, tasks: builtInTasks, deps: { connectors, retryDelayMs: 300 } });
  await harness.agent.start();
  api = await ApiServer.start({ config: harness.config, agent: harness.agent, log: silentLogger() });
  return api.url;
}

describe('/metrics', () => {
  it('counts files, records, requests, a 429 and its Retry-After wait, bytes and run durations after a real export', async () => {
    const url = await startAgent();
    const before = await scrape(url);
    expect(sample(before, 'dropwise_files_claimed_total')).toBe(0);

    sandbox().control.injectFault({ path: '/finance/invoices', kind: '429', count: 1, retryAfter: 1 });
    await fs.writeFile(path.join(harness!.config.folders.inbox, 'export.xml'), exportRequest);
    const [result] = await harness!.processed(1);
    expect(result).toMatchObject({ disposition: 'archived' });

    const after = await scrape(url);
    const task = 'connectwise.export-invoices';
    expect(sample(after, 'dropwise_files_claimed_total')).toBe(1);
    expect(sample(after, 'dropwise_files_processed_total', { task, result: 'done' })).toBe(1);
    expect(sample(after, 'dropwise_runs_total', { task, trigger: 'file', status: 'success' })).toBe(1);
    // The parser folds a labelled histogram into one bucket map (its labels are lost): one run, one series here.
    const duration = after.find((f) => f.name === 'dropwise_run_duration_seconds');
    expect(duration?.type).toBe('HISTOGRAM');
    expect(duration?.metrics[0]?.buckets?.['+Inf']).toBe('1');
    expect((await call(`${url}/metrics`)).body).toMatch(/^dropwise_run_duration_seconds_count\{task="connectwise\.export-invoices",trigger="file"\} 1$/m);
    const outcome = result!.outcome!;
    expect(outcome.recordsOk).toBeGreaterThan(0);
    expect(sample(after, 'dropwise_records_total', { task, result: 'ok' })).toBe(outcome.recordsOk);
    expect(sample(after, 'dropwise_records_total', { task, result: 'failed' })).toBe(0);
    expect(sample(after, 'dropwise_http_requests_total', { connection: 'cw', family: 'finance/invoices', status: '200' })).toBeGreaterThan(0);
    expect(sample(after, 'dropwise_http_requests_total', { connection: 'cw', family: 'finance/invoices', status: '429' })).toBe(1);
    expect(sample(after, 'dropwise_http_rate_limited_total', { connection: 'cw', family: 'finance/invoices' })).toBe(1);
    expect(sample(after, 'dropwise_http_retry_after_wait_seconds_total', { connection: 'cw' })).toBeGreaterThanOrEqual(1);
    const [output] = outcome.outputs;
    expect(sample(after, 'dropwise_output_bytes_total', { folder: 'success' })).toBe((await fs.stat(output!)).size);
    expect(sample(after, 'dropwise_processing_files')).toBe(0);
    expect(sample(after, 'dropwise_inbox_waiting_files')).toBe(0);
    expect(sample(after, 'dropwise_intake_paused')).toBe(0);
  });

  it('/readyz names a connection whose API stops answering, and is ready once it answers again', async () => {
    const url = await startAgent();
    const ready = (await call(`${url}/readyz`)).json<{ checks: { name: string; ok: boolean; message: string }[] }>();
    expect(ready.checks.find((c) => c.name === 'connection cw')).toMatchObject({ ok: true, message: 'not called since the start' });

    sandbox().control.injectFault({ path: '/finance/invoices', kind: '503', count: 1_000 });
    await fs.writeFile(path.join(harness!.config.folders.inbox, 'export.xml'), exportRequest);
    await harness!.processed(1);
    expect(harness!.results[0]).toMatchObject({ disposition: 'retry' });
    await waitFor(async () => (await call(`${url}/readyz`)).status === 503, 10_000, () => '/readyz to turn 503');
    const down = (await call(`${url}/readyz`)).json<{ failed: string[]; checks: { name: string; message: string }[] }>();
    expect(down.failed).toEqual(['connection cw']);
    expect(down.checks.find((c) => c.name === 'connection cw')?.message).toContain('HTTP 503');
    const families = await scrape(url);
    expect(sample(families, 'dropwise_files_processed_total', { task: 'connectwise.export-invoices', result: 'retrying' })).toBe(1);
    expect(sample(families, 'dropwise_processing_files')).toBe(1);

    sandbox().control.clearFaults();
    await waitFor(() => harness!.results.some((r) => r.disposition === 'archived'), 20_000, () => 'the retried export to finish');
    await waitFor(async () => (await call(`${url}/readyz`)).status === 200, 10_000, () => '/readyz to turn 200 again');
  });
});

describe('endpointFamily', () => {
  it.each([
    ['/v4_6_release/apis/3.0/finance/invoices?page=2', 'finance/invoices'],
    ['/v4_6_release/apis/3.0/finance/invoices/123/payments', 'finance/invoices/payments'],
    ['/v4_6_release/apis/3.0/finance/accounting/export', 'finance/accounting/export'],
    ['/v10/invoices/export', 'invoices/export'],
    ['/', '/'],
  ])('%s → %s', (p, family) => {
    expect(endpointFamily(p)).toBe(family);
  });
});
