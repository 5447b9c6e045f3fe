// connectwise.create-accounting-batch against the sandbox over loopback, run through the agent's own
// runner so the run history holds what a real run leaves there (fromRun reads it).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runTask, type TaskRunResult } from '../../../src/agent/pipeline/runner.js';
import { TaskRegistry } from '../../../src/tasks/registry.js';
import { RunPlanner } from '../../../src/tasks/run-plan.js';
import { collectStatus } from '../../../src/agent/status.js';
import { showStatus } from '../../../src/commands/status.js';
import type { Runtime } from '../../../src/commands/runtime.js';
import { silentLogger } from '../../../src/log.js';
import type { Json } from '../../../src/simulator/query/list-query.js';
import { createAccountingBatchTask } from '../../../src/tasks/connectwise/create-accounting-batch.js';
import { exportGlBatchTask } from '../../../src/tasks/connectwise/export-gl-batch.js';
import type { RecordedBatch } from '../../../src/tasks/connectwise/batch/history.js';
import type { TaskDefinition } from '../../../src/tasks/types.js';
import { connectWiseHeaders, useSandbox, type Sandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

const SIZE = { unpostedInvoices: 12, unpostedExpenses: 4, unpostedProcurement: 4, detailLinesPerTransaction: 2 };
const BATCHES = '/finance/accounting/batches';

let sandbox: Sandbox;
let env: TaskEnv;
let claims = 0;

beforeAll(async () => {
  sandbox = await useSandbox({ seed: 11, size: SIZE });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  sandbox.control.reset({ size: SIZE });
  sandbox.control.clearFaults();
  env = await makeTaskEnv(sandbox, { connection: 'cw' });
});
afterEach(async () => {
  await env.close();
});

/** Runs a task as the agent does: recorded in the run history, a dropped file claimed into work/processing first. */
async function agentRun(definition: TaskDefinition, settings: Record<string, unknown>, xml?: string, name = 'batches.xml'): Promise<TaskRunResult> {
  let input: { path: string; name: string } | undefined;
  if (xml !== undefined) {
    const claimed = path.join(env.folders.work, 'processing', `20260102T030405${String(100 + ++claims)}-abc${String(100 + claims)}__${name}`);
    fs.mkdirSync(path.dirname(claimed), { recursive: true });
    fs.writeFileSync(claimed, xml);
    input = { path: claimed, name };
  }
  return runTask(
    { plan: new RunPlanner(env.config, new TaskRegistry()).plan({ definition, settings, connection: 'cw', asConfigured: false }, input), trigger: input ? 'file' : 'cli', ...(input ? { input, fileName: name } : {}), signal: new AbortController().signal },
    { config: env.config, log: silentLogger(), store: env.store, connectors: env.connectors, progress: () => ({ update: () => undefined, end: () => undefined }) },
  );
}

const invoiceEntries = (...invoices: number[]): number[] => invoices.flatMap((k) => sandbox.control.glEntryIds('invoice', k));

function batchFile(batches: { batchIdentifier?: string; ids: number[] }[]): string {
  const body = batches
    .map((b) => `  <Batch>${b.batchIdentifier === undefined ? '' : `<batchIdentifier>${b.batchIdentifier}</batchIdentifier>`}\n    <glRecIds>${b.ids.map((id) => `<glRecId>${id}</glRecId>`).join('')}</glRecIds>\n  </Batch>`)
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<Batches>\n${body}\n</Batches>\n`;
}

/** A batch made by someone else, straight through the API; its HTTP status. */
async function postBatch(body: Json): Promise<number> {
  const res = await fetch(`${sandbox.connectwise.url}${BATCHES}`, { method: 'POST', headers: { ...connectWiseHeaders(sandbox), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

const read = (file: string): string => fs.readFileSync(file, 'utf8');
const created = (): Json[] => sandbox.control.created().batches;
const transactionIds = (xml: string): string[] => [...xml.matchAll(/<transaction>\s*<id>(\d+)<\/id>/g)].map((m) => m[1] as string);
const batchesOf = (result: TaskRunResult): RecordedBatch[] => (result.outcome.details?.['batches'] as RecordedBatch[] | undefined) ?? [];

describe('from a dropped <Batches> file (Zynk\'s input)', () => {
  it('creates one batch per <Batch>: the given identifier, else a timestamp; the answer as <GLExport> named after the batch', async () => {
    // Zynk's sample shape (NOTES §5), with GL entry ids the sandbox has.
    const xml = batchFile([{ batchIdentifier: '221106', ids: invoiceEntries(1, 2) }, { ids: invoiceEntries(3) }]);
    const result = await agentRun(createAccountingBatchTask, {}, xml, 'zynk-batches.xml');
    expect(result.outcome).toMatchObject({ status: 'success', recordsIn: 2, recordsOk: 2, recordsFailed: 0 });
    const [first, second] = batchesOf(result);
    expect(first).toMatchObject({ batchIdentifier: '221106', action: 'created', glEntryIdCount: 6 });
    // yyyyMMddHHmmss from the claim, its tag, the batch's position.
    expect(second?.batchIdentifier).toBe('20260102030405-abc101-2');
    expect(created().map((b) => b['batchIdentifier'])).toEqual(['221106', '20260102030405-abc101-2']);
    expect(created()[0]?.['processedRecords']).toEqual([{ kind: 'invoice', id: 1 }, { kind: 'invoice', id: 2 }]);
    expect(sandbox.control.batches().find((b) => b['batchIdentifier'] === '221106')).toMatchObject({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });

    expect(env.outputs('success')).toEqual(['batch_20260102030405-abc101-2.xml', 'batch_221106.xml', 'zynk-batches_success.xml']);
    const gl = read(path.join(env.folders.success, 'batch_221106.xml'));
    expect(gl).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<GLExport xmlns:xsi=/);
    expect(transactionIds(gl)).toEqual(['1', '2']);
    const results = read(path.join(env.folders.success, 'zynk-batches_success.xml'));
    expect(results).toContain('<glRecId>');
    expect(results).toMatch(/<result>\s*<batchId>\d+<\/batchId>\s*<batchIdentifier>221106<\/batchIdentifier>\s*<action>created<\/action>/);
    expect(env.outputs('fail')).toEqual([]);
  });

  it('a re-dropped batch file creates nothing new and says so in its result', async () => {
    const xml = batchFile([{ batchIdentifier: 'redrop-1', ids: invoiceEntries(4) }, { ids: invoiceEntries(5) }]);
    const first = await agentRun(createAccountingBatchTask, {}, xml, 'redrop.xml');
    expect(first.outcome.status).toBe('success');
    sandbox.control.resetRequests();

    const again = await agentRun(createAccountingBatchTask, {}, xml, 'redrop.xml');
    expect(again.outcome).toMatchObject({ status: 'success', recordsOk: 2 });
    expect(batchesOf(again).map((b) => b.action)).toEqual(['already created', 'already created']);
    // The second batch had no identifier: its new timestamp does not matter, its entries do.
    expect(batchesOf(again).map((b) => b.batchIdentifier)).toEqual(batchesOf(first).map((b) => b.batchIdentifier));
    expect(created()).toHaveLength(2);
    expect(sandbox.control.requests().byRoute[`POST ${BATCHES}`]).toBeUndefined();
    const results = read(again.outcome.outputs.find((o) => o.includes('redrop_success')) ?? '');
    expect(path.basename(again.outcome.outputs[0] ?? '')).toBe('redrop_success (2).xml');
    expect(results.match(/<action>already created<\/action>/g)).toHaveLength(2);
    expect(results).toContain(`<createdByRun>${first.runId ?? ''}</createdByRun>`);
    // No second <GLExport> of either batch.
    expect(env.outputs('success').filter((n) => n.startsWith('batch_'))).toHaveLength(2);
  });

  it('ids already batched elsewhere, unknown ids and a taken identifier fail per batch, naming the ids; the good batch goes through', async () => {
    const elsewhere = invoiceEntries(6);
    expect(await postBatch({ batchIdentifier: 'someone-else', processedRecordIds: elsewhere })).toBe(201);
    const xml = batchFile([
      { batchIdentifier: 'mixed-good', ids: invoiceEntries(7) },
      { batchIdentifier: 'mixed-batched', ids: [...invoiceEntries(8), ...elsewhere] },
      { batchIdentifier: 'mixed-unknown', ids: [999] },
      { batchIdentifier: 'someone-else', ids: invoiceEntries(9) },
    ]);
    const result = await agentRun(createAccountingBatchTask, {}, xml, 'mixed.xml');
    expect(result.outcome).toMatchObject({ status: 'partial', recordsIn: 4, recordsOk: 1, recordsFailed: 3 });
    expect(created().map((b) => b['batchIdentifier'])).toEqual(['someone-else', 'mixed-good']);
    // Nothing of a refused batch was posted.
    expect(sandbox.control.unposted('invoice', 8)).toBeDefined();
    expect(sandbox.control.unposted('invoice', 9)).toBeDefined();

    const fail = read(path.join(env.folders.fail, 'mixed_fail.xml'));
    const blocks = fail.split('<Batch>').slice(1);
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toContain('<code>DW_BATCH_ENTRIES_REFUSED</code>');
    expect(blocks[0]).toContain(`GL entries already in a batch: ${elsewhere.join(', ')}`);
    expect(blocks[0]).toContain('<field>glRecIds</field>');
    expect(blocks[1]).toContain('<code>DW_BATCH_ENTRIES_REFUSED</code>');
    expect(blocks[1]).toContain('GL entries not found: 999');
    expect(blocks[2]).toContain('<code>DW_BATCH_IDENTIFIER_TAKEN</code>');
    expect(read(path.join(env.folders.success, 'mixed_success.xml'))).toContain('<batchIdentifier>mixed-good</batchIdentifier>');
  });

  it('an export\'s <Batches> dropped back in fails as a whole, before any request', async () => {
    const exported = `<?xml version="1.0" encoding="utf-8"?>
<Batches xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <Batch><id>284</id><externalId /><batchIdentifier>20191015172525</batchIdentifier>
    <exportInvoicesFlag>false</exportInvoicesFlag><exportExpensesFlag>true</exportExpensesFlag><exportProductsFlag>false</exportProductsFlag></Batch>
</Batches>`;
    sandbox.control.resetRequests();
    const result = await agentRun(createAccountingBatchTask, {}, exported, 'exported.xml');
    expect(result.outcome.status).toBe('failed');
    expect(result.outcome.error?.code).toBe('DW_NOT_A_BATCH_REQUEST');
    expect(result.outcome.error?.message).toContain('this looks like an export of batches, not a batch request');
    expect(result.outcome.error?.hint).toContain('<glRecIds>');
    expect(sandbox.control.requests().total).toBe(0);
    // `dropwise validate` says the same without calling anything.
    const file = path.join(env.dir, 'exported.xml');
    fs.writeFileSync(file, exported);
    const report = await createAccountingBatchTask.validateFile?.(file, createAccountingBatchTask.parseSettings({}, { name: 'exported.xml' }));
    expect(report).toMatchObject({ ok: false, problems: [{ code: 'DW_NOT_A_BATCH_REQUEST' }] });
  });
});

describe('from a GL export run', () => {
  const glSettings = { exportUnpostedInvoices: true, exportUnpostedExpenses: true };

  it('a GL export, then a batch from `fromRun: last`: the next GL export no longer has those entries; status shows it', async () => {
    const gl = await agentRun(exportGlBatchTask, glSettings);
    expect(gl.outcome.status).toBe('success');
    const exportedIds = gl.outcome.details?.['glEntryIds'] as string[];
    expect(exportedIds.length).toBe(12 * 3 + 4);
    const before = await collectStatus(env.config, env.store);
    expect(before.glBatches).toEqual([expect.objectContaining({ run: gl.runId, glEntryIdCount: exportedIds.length })]);
    expect(before.glBatches[0]?.batch).toBeUndefined();

    const batch = await agentRun(createAccountingBatchTask, { fromRun: 'last' });
    expect(batch.outcome).toMatchObject({ status: 'success', recordsOk: 1 });
    const [recorded] = batchesOf(batch);
    expect(recorded).toMatchObject({ batchIdentifier: `dw-gl-${gl.runId ?? ''}`, action: 'created', fromRun: gl.runId, glEntryIdCount: exportedIds.length });
    expect(recorded?.batchIdentifier.length).toBeLessThanOrEqual(50);
    // The three flags as the GL export had them.
    expect(sandbox.control.batches().find((b) => b['batchIdentifier'] === recorded?.batchIdentifier)).toMatchObject({ exportInvoicesFlag: true, exportExpensesFlag: true, exportProductsFlag: false });
    expect(read(batch.outcome.outputs[0] ?? '')).toContain('<GLExport');

    sandbox.control.addInvoice();
    const next = await agentRun(exportGlBatchTask, { ...glSettings, outputFile: 'next.xml' });
    expect(next.outcome.status).toBe('empty');
    expect(next.outcome.details?.['glEntryIdCount']).toBe(0);

    const after = await collectStatus(env.config, env.store);
    expect(after.glBatches.find((r) => r.run === gl.runId)?.batch).toEqual({ batchIdentifier: recorded?.batchIdentifier, batchId: recorded?.batchId, byRun: batch.runId });
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      await showStatus({ config: env.config, store: env.store } as Runtime, false);
    } finally {
      log.mockRestore();
    }
    const lines = printed.join('\n');
    expect(lines).toContain(`${gl.runId ?? ''}  40 GL entries: batch "${recorded?.batchIdentifier ?? ''}" (id ${String(recorded?.batchId)}) created by run ${batch.runId ?? ''}`);
    // An export that found nothing has nothing to batch and is not listed.
    expect(lines).not.toContain(next.runId ?? '');

    // Asked again: nothing new, and it says so.
    const again = await agentRun(createAccountingBatchTask, { fromRun: gl.runId });
    expect(batchesOf(again)[0]?.action).toBe('already created');
    expect(again.outcome.details?.['createdByRun']).toBe(batch.runId);
    expect(created()).toHaveLength(1);
  });

  it('createBatch: true creates the batch after the export\'s file is committed', async () => {
    const gl = await agentRun(exportGlBatchTask, { exportUnpostedInvoices: true, createBatch: true });
    expect(gl.outcome.status).toBe('success');
    const batch = gl.outcome.details?.['batch'] as RecordedBatch;
    expect(batch).toMatchObject({ batchIdentifier: `dw-gl-${gl.runId ?? ''}`, action: 'created', fromRun: gl.runId, glEntryIdCount: 36 });
    expect(gl.outcome.outputs.map((o) => path.basename(o))).toEqual(['connectwise_accounting_interface_get_batch.xml', `batch_dw-gl-${gl.runId ?? ''}.xml`]);
    // The same entries, exported first, then posted.
    expect(transactionIds(read(gl.outcome.outputs[1] ?? ''))).toEqual(transactionIds(read(gl.outcome.outputs[0] ?? '')));
    expect(sandbox.control.unpostedIds('invoice')).toEqual([]);
    expect(created()).toHaveLength(1);
    const status = await collectStatus(env.config, env.store);
    expect(status.glBatches[0]?.batch?.byRun).toBe(gl.runId);
    // A batch request for the same run finds it done.
    expect(batchesOf(await agentRun(createAccountingBatchTask, { fromRun: 'last' }))[0]?.action).toBe('already created');
    expect(created()).toHaveLength(1);
  });

  it('a create whose answer is lost (it landed, the connection was cut) is looked up, not sent again: exactly one batch', async () => {
    const gl = await agentRun(exportGlBatchTask, { exportUnpostedInvoices: true });
    sandbox.control.injectFault({ method: 'POST', path: BATCHES, kind: 'truncate', count: 1 });
    sandbox.control.resetRequests();
    const batch = await agentRun(createAccountingBatchTask, { fromRun: gl.runId });
    expect(batch.outcome.status).toBe('success');
    expect(batchesOf(batch)[0]).toMatchObject({ action: 'recovered', batchIdentifier: `dw-gl-${gl.runId ?? ''}` });
    expect(created()).toHaveLength(1);
    expect(sandbox.control.requests().byRoute[`POST ${BATCHES}`]).toBe(1);
    // Its <GLExport> came from the batch's re-export, whole.
    expect(transactionIds(read(batch.outcome.outputs[0] ?? ''))).toHaveLength(12);
    expect(fs.readdirSync(path.join(env.folders.work, 'tmp'))).toEqual([]);

    // And a retry of the request later: still one.
    expect(batchesOf(await agentRun(createAccountingBatchTask, { fromRun: gl.runId }))[0]?.action).toBe('already created');
    expect(created()).toHaveLength(1);
  });

  it('a lost answer with the run history gone (a crash before recording, another agent) is still found by its identifier', async () => {
    const gl = await agentRun(exportGlBatchTask, { exportUnpostedInvoices: true });
    const ids = (gl.outcome.details?.['glEntryIds'] as string[]).map(Number);
    // What the crashed attempt sent, with its identifier, before anything was recorded.
    expect(await postBatch({ batchIdentifier: `dw-gl-${gl.runId ?? ''}`, processedRecordIds: ids, exportInvoicesFlag: true })).toBe(201);
    sandbox.control.resetRequests();
    const batch = await agentRun(createAccountingBatchTask, { fromRun: 'last' });
    expect(batchesOf(batch)[0]?.action).toBe('recovered');
    expect(sandbox.control.requests().byRoute[`POST ${BATCHES}`]).toBeUndefined();
    expect(created()).toHaveLength(1);
  });

  it('fromRun naming no GL export run fails clearly', async () => {
    const result = await agentRun(createAccountingBatchTask, { fromRun: 'no-such-run' });
    expect(result.outcome.error?.code).toBe('DW_GL_RUN_NOT_FOUND');
    expect(result.outcome.error?.hint).toContain('dropwise status');
  });
});

describe('nullFields of the batch\'s <GLExport>', () => {
  const seedJson = fs.readFileSync(path.join(import.meta.dirname, 'gl/fixtures/seed-002-invoices.json'), 'utf8');
  const seedXml = fs.readFileSync(path.join(import.meta.dirname, 'gl/fixtures/seed-002-invoices.xml'), 'utf8');
  /** Seed 002's GLExport as ConnectWise sends it: null properties left out. */
  const answer = JSON.stringify(JSON.parse(seedJson, (_key, value: unknown) => (value === null ? undefined : value)));

  /**
   * The sandbox behind a proxy that forwards every request and, for the batch's creation, sends back
   * seed 002's GLExport in place of the sandbox's (the batch is still created in the sandbox).
   */
  async function seedAnswering(): Promise<{ env: TaskEnv; close(): Promise<void> }> {
    const origin = new URL(sandbox.connectwise.url).origin;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'].includes(k))) as Record<string, string>;
          const upstream = await fetch(`${origin}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
          const body = await upstream.text();
          const creation = req.method === 'POST' && new URL(req.url ?? '/', origin).pathname.endsWith(BATCHES) && upstream.ok;
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          res.end(creation ? answer : body);
        })();
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const c = sandbox.connectwise;
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${new URL(c.url).pathname}`;
    const proxied = await makeTaskEnv(sandbox, { config: { connections: { cw: { type: 'connectwise', url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } } } });
    return {
      env: proxied,
      close: async () => {
        await proxied.close();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      },
    };
  }

  it('writes seed 002\'s GLExport as Zynk did by default ("schema"), and as the API sent it with "omit"', async () => {
    const { env: proxied, close } = await seedAnswering();
    try {
      const batchXml = (identifier: string, invoice: number): string => {
        const file = path.join(proxied.dir, `${identifier}.xml`);
        fs.writeFileSync(file, batchFile([{ batchIdentifier: identifier, ids: invoiceEntries(invoice) }]));
        return file;
      };
      const schema = await proxied.runTask(createAccountingBatchTask, {}, batchXml('seed-schema', 1));
      expect(schema.status).toBe('success');
      const schemaFile = read(path.join(proxied.folders.success, 'batch_seed-schema.xml'));
      expect(seedXml).toContain('xsi:nil="true"');
      expect(schemaFile).toBe(seedXml);

      const omit = await proxied.runTask(createAccountingBatchTask, { nullFields: 'omit' }, batchXml('seed-omit', 2));
      expect(omit.status).toBe('success');
      const omitFile = read(path.join(proxied.folders.success, 'batch_seed-omit.xml'));
      expect(omitFile).not.toContain('xsi:nil');
      expect(omitFile).not.toBe(schemaFile);
      expect(transactionIds(omitFile)).toEqual(transactionIds(schemaFile));
      expect(created().map((b) => b['batchIdentifier'])).toEqual(['seed-schema', 'seed-omit']);
    } finally {
      await close();
    }
  });

  it('reads nullFields in both modes, "schema" unless told, and refuses anything else', () => {
    const input = { name: 'b.xml' };
    expect(createAccountingBatchTask.parseSettings({}, input)).toMatchObject({ mode: 'file', nullFields: 'schema' });
    expect(createAccountingBatchTask.parseSettings({ fromRun: 'last' })).toMatchObject({ mode: 'fromRun', nullFields: 'schema' });
    expect(createAccountingBatchTask.parseSettings({ fromRun: 'last', nullFields: 'omit' })).toMatchObject({ nullFields: 'omit' });
    expect(() => createAccountingBatchTask.parseSettings({ nullFields: 'sometimes' }, input)).toThrow(/nullFields/);
  });
});
