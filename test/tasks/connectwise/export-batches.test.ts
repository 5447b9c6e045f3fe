import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';
import { exportBatchesTask } from '../../../src/tasks/connectwise/export-batches.js';
import type { TaskOutcome } from '../../../src/tasks/types.js';
import { elementToValue, readRecords } from '../../../src/xml/reader.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let env: TaskEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 9, size: { batches: 8, invoices: 20 } });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  sandbox.control.reset();
  env = await makeTaskEnv(sandbox);
  return () => env.close();
});

async function exported(outcome: TaskOutcome): Promise<Json[]> {
  const out: Json[] = [];
  for await (const { element } of readRecords(outcome.outputs[0] as string, { expectRoot: 'Batches' })) {
    expect(element.name).toBe('Batch');
    out.push(elementToValue(element) as Json);
  }
  return out;
}
const idsOf = async (outcome: TaskOutcome): Promise<number[]> => (await exported(outcome)).map((b) => Number(b['id']));
const batchIds = (): number[] => sandbox.control.batches().map((b) => b['id'] as number);
const run = (settings: Json, file: string) => env.runTask(exportBatchesTask, { outputFile: file, ...settings });

/** Posts invoice GL entries as a new batch, as ConnectWise's own accounting export would. */
async function createBatch(identifier: string): Promise<number> {
  const invoiceId = sandbox.control.unpostedIds('invoice')[0] as number;
  const client = env.connectors.connectwise('cw');
  await client.request('POST', '/finance/accounting/batches', {
    body: { batchIdentifier: identifier, exportInvoicesFlag: true, processedRecordIds: sandbox.control.glEntryIds('invoice', invoiceId) },
  });
  return sandbox.control.batches().find((b) => b['batchIdentifier'] === identifier)?.['id'] as number;
}

describe('connectwise.export-batches', () => {
  it('exports exactly the modified, then the new, then all batches', async () => {
    expect(await idsOf(await run({ exportMode: 'Modified', dateModified: '2000-01-01' }, 'm1.xml'))).toEqual(batchIds());
    sandbox.control.modify('batches', 3, { closedFlag: false });
    expect(await idsOf(await run({ exportMode: 'Modified', dateModified: '2000-01-01' }, 'm2.xml'))).toEqual([3]);

    expect(await idsOf(await run({ exportMode: 'New', dateCreated: '2000-01-01' }, 'n1.xml'))).toEqual(batchIds());
    const created = await createBatch('T-NEW-1');
    expect(await idsOf(await run({ exportMode: 'New', dateCreated: '2000-01-01' }, 'n2.xml'))).toEqual([created]);

    const all = await run({ exportMode: 'All' }, 'all.xml');
    expect(await idsOf(all)).toEqual(batchIds());
    expect(batchIds()).toHaveLength(9);
    const last = (await exported(all)).at(-1) as Json;
    expect(last).toMatchObject({ id: String(created), externalId: '', batchIdentifier: 'T-NEW-1', exportInvoicesFlag: 'true' });
  });

  it('filters with conditions', async () => {
    const expected = sandbox.control.batches().filter((b) => b['exportExpensesFlag'] === true && b['id'] !== 2).map((b) => b['id']);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(8);
    const conditions = { condition: [{ field: 'exportExpensesFlag', comparison: 'Equal', value: 'True' }, { field: 'id', comparison: 'NotEqual', value: '2' }] };
    expect(await idsOf(await run({ exportMode: 'All', conditions }, 'f.xml'))).toEqual(expected);
  });

  it('takes the seed\'s settings only: no references, no child or custom-field conditions', () => {
    expect(() => exportBatchesTask.parseSettings({ referencesToFetch: 'company' })).toThrow(/connectwise.export-batches has no references to fetch \(was "company"\)/);
    expect(() => exportBatchesTask.parseSettings({ childConditions: { condition: { field: 'a', comparison: 'Equal', value: '1' } } })).toThrow(/"childConditions" is not a setting of connectwise.export-batches/);
    expect(exportBatchesTask.parseSettings({ referencesPageSize: '10' })).toMatchObject({ outputFile: 'batches.xml', exportMode: 'Modified', references: [], referencesPageSize: 10 });
  });

  it('writes every batch exactly once when the batches endpoint ignores forward-only paging', async () => {
    sandbox.control.reset({ size: { batches: 40 } });
    sandbox.control.setQuirks({ navigableOnly: ['/finance/accounting/batches'] });
    try {
      const outcome = await run({ exportMode: 'All', pageSize: 15 }, 'navigable.xml');
      expect(outcome.status).toBe('success');
      expect(await idsOf(outcome)).toEqual(batchIds());
      expect(batchIds()).toHaveLength(40);
    } finally {
      sandbox.control.clearQuirks();
    }
  });
});
