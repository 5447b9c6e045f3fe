import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { INVOICE_REFERENCES } from '../../../src/tasks/connectwise/invoice-references.js';
import { isDropwiseError } from '../../../src/errors.js';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';
import { exportInvoicesTask } from '../../../src/tasks/connectwise/export-invoices.js';
import { TaskRegistry } from '../../../src/tasks/registry.js';
import type { TaskOutcome } from '../../../src/tasks/types.js';
import { elementToValue, readRecords } from '../../../src/xml/reader.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

type Json = Record<string, unknown>;
const INVOICES = 300;

let sandbox: Sandbox;
let env: TaskEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, size: { invoices: INVOICES } });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  sandbox.control.reset({ size: { invoices: INVOICES } });
  sandbox.control.clearFaults();
  sandbox.control.setLatency(0);
  sandbox.control.resetRequests();
  env = await makeTaskEnv(sandbox);
  return () => env.close();
});

/** The invoices of an output file, as plain values. */
async function exported(outcome: TaskOutcome): Promise<Json[]> {
  const out: Json[] = [];
  for await (const { element } of readRecords(outcome.outputs[0] as string, { expectRoot: 'Invoices' })) {
    expect(element.name).toBe('Invoice');
    out.push(elementToValue(element) as Json);
  }
  return out;
}
const idsOf = async (outcome: TaskOutcome): Promise<number[]> => (await exported(outcome)).map((r) => Number(r['id']));
const allIds = (): number[] => sandbox.control.invoices().map((i) => i['id'] as number);
const run = (settings: Json, file = 'invoices.xml') => env.runTask(exportInvoicesTask, { outputFile: file, ...settings });

describe('connectwise.export-invoices: New, Modified and All', () => {
  it('exports exactly the right records as the sandbox changes', async () => {
    const first = await run({ exportMode: 'New', dateCreated: '2000-01-01' }, 'new-1.xml');
    expect(await idsOf(first)).toEqual(allIds());

    const added = [sandbox.control.addInvoice(), sandbox.control.addInvoice()].map((i) => i['id']);
    // ConnectWise stamps whole seconds and the watermark overlaps one: let the second pass so the
    // next run starts strictly after these stamps.
    await sleep(1100);
    expect(await idsOf(await run({ exportMode: 'New', dateCreated: '2000-01-01' }, 'new-2.xml'))).toEqual(added);
    const none = await run({ exportMode: 'New', dateCreated: '2000-01-01' }, 'new-3.xml');
    expect(none).toMatchObject({ status: 'empty', recordsOk: 0 });
    expect(await idsOf(none)).toEqual([]);

    expect(await idsOf(await run({ exportMode: 'Modified', dateModified: '2000-01-01' }, 'modified-1.xml'))).toEqual(allIds());
    for (const id of [250, 3, 120]) sandbox.control.touchInvoice(id);
    expect(await idsOf(await run({ exportMode: 'Modified', dateModified: '2000-01-01' }, 'modified-2.xml'))).toEqual([3, 120, 250]);

    expect(await idsOf(await run({ exportMode: 'All' }, 'all.xml'))).toEqual(allIds());
    expect(allIds()).toHaveLength(INVOICES + 2);
  });

  it('does not lose a record changed while the export runs', async () => {
    sandbox.control.setLatency(20);
    const { ctx } = env.context();
    let touched = false;
    ctx.progress = (p) => {
      // Invoice 2 is already written when the first page is out.
      if (p.records > 0 && !touched) {
        touched = true;
        sandbox.control.touchInvoice(2);
      }
    };
    const settings = exportInvoicesTask.parseSettings({ exportMode: 'Modified', dateModified: '2000-01-01', pageSize: 50 });
    const during = await exportInvoicesTask.run({ settings }, ctx);
    expect(touched).toBe(true);
    expect(during.recordsOk).toBe(INVOICES);
    expect(await idsOf(await run({ exportMode: 'Modified', dateModified: '2000-01-01' }, 'next.xml'))).toEqual([2]);
  });

  it('runs from config by name with its own watermarks', async () => {
    const outcome = await env.runTask(exportInvoicesTask, { exportMode: 'New', dateCreated: '2000-01-01' }, undefined, { taskKey: 'nightly-invoices' });
    expect(outcome.recordsOk).toBe(INVOICES);
    const marks = await env.store.watermarks.all();
    expect(Object.keys(marks)).toEqual(['nightly-invoices']);
    expect(Object.keys(marks['nightly-invoices'] ?? {})).toEqual(['dateCreated', 'dateCreatedSetting']);
    expect(new TaskRegistry().require('connectwise.export-invoices')).toBe(exportInvoicesTask);
  });
});

// Each case: the Where settings (as a task-request XML gives them) and the same filter in plain JS.
const inv = (i: Json, path: string): unknown => path.split('/').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], i);
const text = (v: unknown): string => String(v ?? '').toLowerCase();
const c = (field: string, comparison: string, value: string, logicOperator?: string) => ({ field, comparison, value, ...(logicOperator ? { logicOperator } : {}) });
const customField = (i: Json, caption: string): unknown => (i['customFields'] as Json[]).find((f) => f['caption'] === caption)?.['value'];

const CASES: [string, Json, (i: Json) => boolean][] = [
  ['Equal string', { conditions: { condition: c('company/identifier', 'Equal', '"QuietWillow7"') } }, (i) => text(inv(i, 'company/identifier')) === 'quietwillow7'],
  ['NotEqual number', { conditions: { condition: c('status/id', 'NotEqual', '3') } }, (i) => inv(i, 'status/id') !== 3],
  ['GreaterThan number', { conditions: { condition: c('total', 'GreaterThan', '2500') } }, (i) => (i['total'] as number) > 2500],
  ['GreaterThanOrEqual datetime', { conditions: { condition: c('date', 'GreaterThanOrEqual', '[2023-06-01T00:00:00Z]') } }, (i) => String(i['date']) >= '2023-06-01T00:00:00Z'],
  ['LessThan datetime', { conditions: { condition: c('_info/dateEntered', 'LessThan', '[2022-09-01T00:00:00Z]') } }, (i) => String(inv(i, '_info/dateEntered')) < '2022-09-01T00:00:00Z'],
  ['LessThanOrEqual number', { conditions: { condition: c('total', 'LessThanOrEqual', '500') } }, (i) => (i['total'] as number) <= 500],
  ['Contains', { conditions: { condition: c('company/name', 'Contains', '"quartz"') } }, (i) => text(inv(i, 'company/name')).includes('quartz')],
  ['NotContains', { conditions: { condition: c('company/name', 'NotContains', '"quartz"') } }, (i) => !text(inv(i, 'company/name')).includes('quartz')],
  ['Like', { conditions: { condition: c('invoiceNumber', 'Like', '"1001*"') } }, (i) => String(i['invoiceNumber']).startsWith('1001')],
  ['NotLike', { conditions: { condition: c('invoiceNumber', 'NotLike', '"%5"') } }, (i) => !String(i['invoiceNumber']).endsWith('5')],
  ['In strings', { conditions: { condition: c('type', 'In', '("Agreement", "Progress")') } }, (i) => ['Agreement', 'Progress'].includes(String(i['type']))],
  ['NotIn numbers', { conditions: { condition: c('status/id', 'NotIn', '(1, 2)') } }, (i) => ![1, 2].includes(inv(i, 'status/id') as number)],
  ['Equal boolean', { conditions: { condition: c('taxableFlag', 'Equal', 'False') } }, (i) => i['taxableFlag'] === false],
  ['Equal null', { conditions: { condition: c('customerPO', 'Equal', 'null') } }, (i) => i['customerPO'] === undefined],
  ['NotEqual null', { conditions: { condition: c('reference', 'NotEqual', 'null') } }, (i) => i['reference'] !== undefined],
  [
    'And/Or chain',
    { conditions: { condition: [c('type', 'Equal', '"Agreement"', 'Or'), c('type', 'Equal', '"Progress"', 'And'), c('total', 'GreaterThan', '1000')] } },
    (i) => i['type'] === 'Agreement' || (i['type'] === 'Progress' && (i['total'] as number) > 1000),
  ],
  ['child conditions', { childConditions: { condition: c('customFields/value', 'Equal', '"CC-102"') } }, (i) => customField(i, 'Cost Centre') === 'CC-102'],
  [
    'custom field conditions',
    { customFieldConditions: { condition: [c('Cost Centre', 'Equal', '"CC-101"', 'Or'), c('Priority', 'GreaterThan', '2')] } },
    (i) => customField(i, 'Cost Centre') === 'CC-101' || (customField(i, 'Priority') as number) > 2,
  ],
  [
    'conditions, child and custom field conditions together',
    { conditions: { condition: c('total', 'GreaterThan', '1000') }, customFieldConditions: { condition: c('Priority', 'Equal', '2') } },
    (i) => (i['total'] as number) > 1000 && customField(i, 'Priority') === 2,
  ],
];

describe('connectwise.export-invoices: Where settings', () => {
  it.each(CASES)('%s', async (_name, where, predicate) => {
    const expected = sandbox.control.invoices().filter(predicate).map((i) => i['id']);
    // A filter that keeps nothing or everything would prove nothing.
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(INVOICES);
    const outcome = await run({ exportMode: 'All', ...where });
    expect(await idsOf(outcome)).toEqual(expected);
    expect(outcome.details?.['total']).toBe(expected.length);
  });

  it('combines the watermark with Or conditions without letting old records through', async () => {
    sandbox.control.touchInvoice(10);
    const where = { conditions: { condition: [c('id', 'Equal', '1', 'Or'), c('id', 'Equal', '10')] } };
    expect(await idsOf(await run({ exportMode: 'Modified', dateModified: '2024-06-01', ...where }))).toEqual([10]);
  });

  it('refuses a bad condition before any request, naming it', () => {
    let failure: unknown;
    try {
      exportInvoicesTask.parseSettings({ conditions: { condition: [c('id', 'Equal', '1'), c('company/name', 'Contains', 'Acme')] } });
    } catch (err) {
      failure = err;
    }
    expect(isDropwiseError(failure, 'DW_CONDITION_INVALID')).toBe(true);
    expect((failure as Error).message).toMatch(/^conditions #2 \(field "company\/name"\): value Acme: Acme is not a value/);
    expect(sandbox.control.requests().total).toBe(0);
  });
});

describe('connectwise.export-invoices: references', () => {
  it('fetches all nine, keeps id/name and adds <record>, warns about missing targets', async () => {
    const all = Object.keys(INVOICE_REFERENCES);
    const outcome = await run({ exportMode: 'All', referencesToFetch: { reference: all } });
    expect(outcome.status).toBe('success');
    const records = await exported(outcome);
    expect(records).toHaveLength(INVOICES);
    let missing = 0;
    for (const record of records) {
      for (const name of all) {
        const ref = record[name] as Json;
        const target = ref['record'] as Json | undefined;
        if (!target) {
          missing++;
          continue;
        }
        expect(target['id']).toBe(ref['id']);
        expect(Object.keys(ref).at(-1)).toBe('record');
      }
    }
    // Seeded dangling targets: ship-to company 99999 on every 97th invoice, billing terms 99 on every 89th.
    const dangling = allIds().filter((id) => id % 97 === 0).length + allIds().filter((id) => id % 89 === 0).length;
    expect(missing).toBe(dangling);
    expect(outcome.details?.['referenceWarnings']).toBe(dangling);
    const sample = records[0] as Json;
    expect(((sample['company'] as Json)['record'] as Json)['name']).toBe((sample['company'] as Json)['name']);
  });

  it('keeps every company <record> with 600 companies, referencesPageSize 1000 and IIS\'s 2,048-character query limit', async () => {
    sandbox.control.reset({ size: { invoices: 1500, companies: 600 } });
    sandbox.control.setQuirks({ maxQueryString: 2048 });
    try {
      const outcome = await run({ exportMode: 'All', referencesToFetch: { reference: ['company'] }, referencesPageSize: 1000 });
      expect(outcome.status).toBe('success');
      const records = await exported(outcome);
      expect(records).toHaveLength(1500);
      expect(new Set(records.map((r) => (r['company'] as Json)['id'])).size).toBeGreaterThan(400);
      for (const record of records) expect(((record['company'] as Json)['record'] as Json | undefined)?.['id']).toBe((record['company'] as Json)['id']);
      expect(outcome.details?.['referenceWarnings']).toBe(0);
    } finally {
      sandbox.control.clearQuirks();
    }
  });

  it('uses at most ceil(distinct ids / page size) lookups per field on 2,000 invoices', async () => {
    sandbox.control.reset({ size: { invoices: 2000 } });
    sandbox.control.resetRequests();
    const referencesPageSize = 5;
    const outcome = await run({ exportMode: 'All', referencesToFetch: { reference: Object.keys(INVOICE_REFERENCES) }, referencesPageSize });
    expect(outcome.recordsOk).toBe(2000);
    const invoices = sandbox.control.invoices();
    const distinct = (...fields: string[]) => new Set(invoices.flatMap((i) => fields.map((f) => inv(i, `${f}/id`)))).size;
    const bound = (...fields: string[]) => Math.ceil(distinct(...fields) / referencesPageSize);
    const byRoute = sandbox.control.requests().byRoute;
    // Company, bill-to and ship-to share one endpoint and one cache.
    expect(byRoute['GET /company/companies']).toBeLessThanOrEqual(bound('company', 'billToCompany', 'shipToCompany'));
    expect(byRoute['GET /finance/billingStatuses']).toBeLessThanOrEqual(bound('status'));
    expect(byRoute['GET /finance/billingTerms']).toBeLessThanOrEqual(bound('billingTerms'));
    expect(byRoute['GET /finance/taxCodes']).toBeLessThanOrEqual(bound('taxCode'));
    expect(byRoute['GET /finance/currencies']).toBeLessThanOrEqual(bound('currency'));
    // Sites are only reachable under their company: one lookup per company (both site fields).
    const companies = new Set(invoices.map((i) => inv(i, 'company/id')));
    expect(byRoute['GET /company/companies/{id}/sites']).toBeLessThanOrEqual(companies.size);
    expect(outcome.details?.['requests']).toBe(sandbox.control.requests().total);
  });

  it('refuses a reference the seed does not list', () => {
    expect(() => exportInvoicesTask.parseSettings({ referencesToFetch: 'company, agreement' })).toThrow(/"agreement" is not a reference of connectwise.export-invoices; use status, company, billToCompany/);
  });
});

describe('connectwise.export-invoices: faults', () => {
  it('completes through 429 with Retry-After, 500s and a dropped connection', async () => {
    const clean = fs.readFileSync((await run({ exportMode: 'All', pageSize: 50 }, 'clean.xml')).outputs[0] as string, 'utf8');
    sandbox.control.injectFault({ path: '/finance/invoices', kind: '429', count: 1, retryAfter: 1 });
    sandbox.control.injectFault({ path: '/finance/invoices', kind: '500', count: 2 });
    sandbox.control.injectFault({ path: '/finance/invoices', kind: 'drop', count: 1 });
    sandbox.control.injectFault({ path: '/finance/invoices/count', kind: '503', count: 1 });
    const started = Date.now();
    const outcome = await run({ exportMode: 'All', pageSize: 50 }, 'faulty.xml');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sandbox.control.faults().every((f) => f.remaining === 0)).toBe(true);
    expect(outcome.status).toBe('success');
    expect(fs.readFileSync(outcome.outputs[0] as string, 'utf8')).toBe(clean);
  });

  it('fails on a 401 with a clear error, no output file and no watermark move', async () => {
    const cw = sandbox.connectwise;
    const badEnv = await makeTaskEnv(sandbox, { config: { connections: { cw: { type: 'connectwise', url: cw.url, companyId: cw.companyId, publicKey: cw.publicKey, privateKey: 'wrong-key', clientId: cw.clientId } } } });
    try {
      const failure = await badEnv.runTask(exportInvoicesTask, { exportMode: 'Modified', dateModified: '2000-01-01' }).catch((err: unknown) => err);
      expect(isDropwiseError(failure, 'DW_CW_AUTH')).toBe(true);
      expect((failure as Error).message).toMatch(/ConnectWise answered 401/);
      expect((failure as Error).message).not.toContain('wrong-key');
      expect(badEnv.outputs('success')).toEqual([]);
      expect(badEnv.outputs('fail')).toEqual([]);
      expect(fs.readdirSync(`${badEnv.folders.work}/tmp`)).toEqual([]);
      expect(await badEnv.store.watermarks.all()).toEqual({});
    } finally {
      await badEnv.close();
    }
  });
});

describe('connectwise.export-invoices: settings', () => {
  it('reads a task request\'s strings and lists', () => {
    const settings = exportInvoicesTask.parseSettings({
      exportMode: 'new',
      dateCreated: '[2024-01-31T10:00:00Z]',
      pageSize: '250',
      outputFile: 'out.xml',
      referencesToFetch: { reference: ['company', 'Currency'] },
      referencesPageSize: '50',
      conditions: { condition: { field: 'company/identifier', comparison: 'Equal', value: '"TESTNEW"', logicOperator: 'And' } },
      writeEmptyFile: 'False',
    });
    expect(settings).toMatchObject({
      exportMode: 'New',
      dateCreated: '2024-01-31T10:00:00Z',
      dateModified: undefined,
      pageSize: 250,
      outputFile: 'out.xml',
      referencesPageSize: 50,
      query: { conditions: 'company/identifier = "TESTNEW"', childConditions: '', customFieldConditions: '' },
      writeEmptyFile: false,
    });
    expect(settings.references.map((r) => r.name)).toEqual(['company', 'currency']);
    expect(exportInvoicesTask.parseSettings({})).toMatchObject({ exportMode: 'Modified', pageSize: 100, referencesPageSize: 100, outputFile: 'invoices.xml', writeEmptyFile: true });
  });

  it.each([
    [{ pageSize: '0' }, /"pageSize" must be a whole number from 1 to 1000/],
    [{ pageSize: 1001 }, /"pageSize" must be a whole number from 1 to 1000/],
    [{ referencesPageSize: '5000' }, /"referencesPageSize" must be a whole number from 1 to 1000/],
    [{ exportMode: 'Changed' }, /"exportMode" must be one of Modified, New, All/],
    [{ dateModified: 'yesterday' }, /"dateModified" must be an ISO 8601 date/],
    [{ pagesize: 10, colour: 'red' }, /"colour" is not a setting of connectwise.export-invoices/],
  ])('refuses %j', (raw, message) => {
    expect(() => exportInvoicesTask.parseSettings(raw)).toThrow(message);
  });

  it('shows what it is doing on the agent\'s progress', async () => {
    await run({ exportMode: 'All', pageSize: 100 });
    expect(env.progress.map((p) => p.records)).toEqual([0, 100, 200, 300]);
    expect(env.progress.every((p) => p.total === INVOICES)).toBe(true);
  });
});

describe('output text', () => {
  it('is two-space indented with one record element per invoice', async () => {
    const outcome = await run({ exportMode: 'All', conditions: { condition: c('id', 'Equal', '1') } });
    const lines = fs.readFileSync(outcome.outputs[0] as string, 'utf8').split('\n');
    expect(lines.slice(2, 5)).toEqual(['  <Invoice>', '    <id>1</id>', '    <externalId />']);
    expect(lines.filter((l) => l === '  <Invoice>')).toHaveLength(1);
  });
});
