// The tasks on the PostgreSQL state, through the agent's own runner against the sandbox: a GL export
// whose id list spills into a run artifact (stored in run_artifacts) creates its batch from it, a later
// batch request by fromRun finds it done; a payments import writes its truth entries there, and the
// same file dropped again with preventReprocessing is refused record by record.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runTask, type TaskRunResult } from '../../../src/agent/pipeline/runner.js';
import { silentLogger } from '../../../src/log.js';
import { migrate } from '../../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../../src/state/postgres/migrations.js';
import { openPostgresStateStore, type PostgresStateStore } from '../../../src/state/postgres/index.js';
import type { RecordedBatch } from '../../../src/tasks/connectwise/batch/history.js';
import { createAccountingBatchTask } from '../../../src/tasks/connectwise/create-accounting-batch.js';
import { exportGlBatchTask } from '../../../src/tasks/connectwise/export-gl-batch.js';
import { INLINE_IDS_LIMIT } from '../../../src/tasks/connectwise/gl/entry-ids.js';
import { importInvoicePaymentsTask } from '../../../src/tasks/connectwise/import-invoice-payments.js';
import { TaskRegistry } from '../../../src/tasks/registry.js';
import { RunPlanner } from '../../../src/tasks/run-plan.js';
import type { TaskDefinition } from '../../../src/tasks/types.js';
import { testSchema, type TestSchema } from '../../support/postgres.js';
import { useSandbox, type Sandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';
import { unpaidInvoices, writePaymentsFile } from './payments/payments-file.js';

const SIZE = { invoices: 300, unpostedInvoices: 200, unpostedExpenses: 0, unpostedProcurement: 0, detailLinesPerTransaction: 2 };

let sandbox: Sandbox;
let env: TaskEnv;
let schema: TestSchema;
let store: PostgresStateStore;
let claims = 0;

beforeAll(async () => {
  sandbox = await useSandbox({ seed: 12, size: SIZE });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  sandbox.control.reset({ size: SIZE });
  env = await makeTaskEnv(sandbox, { connection: 'cw' });
  schema = await testSchema('tasks');
  store = openPostgresStateStore({ postgres: { url: schema.url, poolSize: 4, schema: schema.schema }, agent: 'agent-1' });
  await migrate(store.pool, schema.schema, MIGRATIONS);
});
afterEach(async () => {
  await store.close();
  await schema.drop();
  await env.close();
});

async function agentRun(definition: TaskDefinition, settings: Record<string, unknown>, file?: string): Promise<TaskRunResult> {
  let input: { path: string; name: string } | undefined;
  if (file !== undefined) {
    const name = path.basename(file);
    const claimed = path.join(env.folders.work, 'processing', `20260102T030405${String(100 + ++claims)}-abc${String(100 + claims)}__${name}`);
    fs.mkdirSync(path.dirname(claimed), { recursive: true });
    fs.copyFileSync(file, claimed);
    input = { path: claimed, name };
  }
  return runTask(
    { plan: new RunPlanner(env.config, new TaskRegistry()).plan({ definition, settings, connection: 'cw', asConfigured: false }, input), trigger: input ? 'file' : 'cli', ...(input ? { input, fileName: input.name } : {}), signal: new AbortController().signal },
    { config: env.config, log: silentLogger(), store, connectors: env.connectors, progress: () => ({ update: () => undefined, end: () => undefined }) },
  );
}

describe('tasks on the PostgreSQL state', () => {
  it('a GL export keeps its long id list in run_artifacts and batches from it, also by fromRun later', async () => {
    const gl = await agentRun(exportGlBatchTask, { exportUnpostedInvoices: true, createBatch: true });
    expect(gl.outcome.status).toBe('success');
    const count = gl.outcome.details?.['glEntryIdCount'] as number;
    expect(count).toBeGreaterThan(INLINE_IDS_LIMIT);
    expect(gl.outcome.details?.['glEntryIdsFile']).toBe(`postgres:run_artifacts/gl-entry-ids/${gl.runId ?? ''}`);
    const stored = await schema.query(`SELECT content FROM ${schema.schema}.run_artifacts WHERE run_id = $1`, [gl.runId]);
    expect(String(stored.rows[0]?.['content']).trim().split('\n')).toHaveLength(count);
    expect(gl.outcome.details?.['batch']).toMatchObject({ action: 'created', glEntryIdCount: count });
    expect(sandbox.control.unpostedIds('invoice')).toEqual([]);

    const again = await agentRun(createAccountingBatchTask, { fromRun: gl.runId });
    expect((again.outcome.details?.['batches'] as RecordedBatch[])[0]).toMatchObject({ action: 'already created', glEntryIdCount: count });
    expect((await store.runs.get(gl.runId ?? ''))).toMatchObject({ agent: 'agent-1', result: 'success' });
  });

  it('a payments import writes its truth entries there; dropped again with preventReprocessing, every record is refused', async () => {
    const invoices = unpaidInvoices(sandbox, 40, 1);
    const file = writePaymentsFile(path.join(env.dir, 'receipts.xml'), invoices.map((invoiceId, i) => ({ externalId: `R-${i}`, invoiceId, amount: 1, paymentDate: '2024-05-01' })));
    const first = await agentRun(importInvoicePaymentsTask, {}, file);
    expect(first.outcome).toMatchObject({ status: 'success', recordsOk: 40, details: { created: 40 } });
    expect(await store.truth.count()).toBe(40);
    const again = await agentRun(importInvoicePaymentsTask, { preventReprocessing: true }, file);
    expect(again.outcome).toMatchObject({ status: 'partial', recordsOk: 0, recordsFailed: 40, details: { alreadyProcessed: 40 } });
    const failures = await store.failures.search({ runId: again.runId ?? '' });
    expect(failures.total).toBe(40);
    expect(failures.records[0]?.errors[0]?.code).toBe('DW_ALREADY_PROCESSED');
  });
});
