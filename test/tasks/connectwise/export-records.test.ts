import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runFile } from '../../../src/commands/run.js';
import { runConfiguredTask } from '../../../src/commands/task.js';
import { ReferenceResolver } from '../../../src/connectors/connectwise/references.js';
import { createConnectors } from '../../../src/connectors/index.js';
import { isDropwiseError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';
import { exportBatchesTask } from '../../../src/tasks/connectwise/export-batches.js';
import { exportInvoicesTask } from '../../../src/tasks/connectwise/export-invoices.js';
import { WATERMARK_OVERLAP_MS, serverTime } from '../../../src/tasks/connectwise/export-watermarks.js';
import { ZYNK_LEADING_FIELDS, zynkRecordOrder } from '../../../src/tasks/connectwise/export-records.js';
import { INVOICE_REFERENCES } from '../../../src/tasks/connectwise/invoice-references.js';
import { exportShape } from '../../../src/tasks/connectwise/schema/export-shapes.js';
import { TaskRegistry } from '../../../src/tasks/registry.js';
import { openStateStore } from '../../../src/state/index.js';
import { readDocument, type XmlElement } from '../../../src/xml/reader.js';
import { XmlDocumentWriter } from '../../../src/xml/writer.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';
import { makeTempDir, testConfig } from '../../support/workspace.js';

// The sample documents of seeds 000 (Exporting Invoices) and 001 (Exporting Batches), verbatim.
const SEED_000_SAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<Invoices xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <Invoice>
    <id>206</id>
    <externalId>23f13s</externalId>
    <_info>
      <dateEntered>2016-10-04T14:00:58Z</dateEntered>
      <enteredBy>Admin1</enteredBy>
      <lastUpdated>2018-02-08T10:36:47Z</lastUpdated>
      <updatedBy>Admin1</updatedBy>
    </_info>
    <invoiceNumber>197</invoiceNumber>
    <type>Miscellaneous</type>
    <status>
      <id>3</id>
      <name>Closed</name>
    </status>
    <company>
      <id>143</id>
      <name>TESTNEW</name>
      <identifier>TESTNEW</identifier>
    </company>
    <billToCompany>
      <id>143</id>
      <name>TESTNEW</name>
      <identifier>TESTNEW</identifier>
    </billToCompany>
    <shipToCompany>
      <id>143</id>
      <name>TESTNEW</name>
      <identifier>TESTNEW</identifier>
    </shipToCompany>
    <applyToId xsi:nil="true" />
    <attention>TT TT</attention>
    <billingSite>
      <id>146</id>
      <name>Main</name>
    </billingSite>
    <shippingSite>
      <id>146</id>
      <name>Main</name>
    </shippingSite>
    <billingTerms>
      <id>2</id>
      <name>Net 10</name>
    </billingTerms>
    <reference />
    <templateSetupId>1</templateSetupId>
    <emailTemplateId>1</emailTemplateId>
    <addToBatchEmailList>false</addToBatchEmailList>
    <date>2016-10-04T00:00:00Z</date>
    <restrictDownpaymentFlag>false</restrictDownpaymentFlag>
    <locationId>2</locationId>
    <departmentId>10</departmentId>
    <territoryId>39</territoryId>
    <topComment />
    <bottomComment />
    <taxableFlag>false</taxableFlag>
    <taxCode>
      <id>21</id>
      <name>UK VAT Rates</name>
    </taxCode>
    <internalNotes />
    <downpaymentPreviouslyTaxedFlag>false</downpaymentPreviouslyTaxedFlag>
    <serviceTotal>444</serviceTotal>
    <currency>
      <id>4</id>
      <name>French Francs</name>
      <symbol>FFr</symbol>
      <isoCode>EUR</isoCode>
    </currency>
    <dueDate>2016-10-14T00:00:00Z</dueDate>
    <expenseTotal>0</expenseTotal>
    <productTotal>0</productTotal>
    <previousProgressApplied>0</previousProgressApplied>
    <serviceAdjustmentAmount>0</serviceAdjustmentAmount>
    <agreementAmount>0</agreementAmount>
    <downpaymentApplied>0</downpaymentApplied>
    <subtotal>444</subtotal>
    <total>444</total>
    <remainingDownpayment>0</remainingDownpayment>
    <salesTax>0</salesTax>
    <payments>350</payments>
    <credits>0</credits>
    <balance>94</balance>
    <specialInvoiceFlag>true</specialInvoiceFlag>
  </Invoice>
</Invoices>`;

const SEED_001_SAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<Batches xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <Batch>
    <id>284</id>
    <externalId />
    <_info>
      <lastUpdated>2019-10-16T08:31:19Z</lastUpdated>
      <updatedBy>Admin1</updatedBy>
    </_info>
    <batchIdentifier>20191015172525</batchIdentifier>
    <exportInvoicesFlag>false</exportInvoicesFlag>
    <exportExpensesFlag>true</exportExpensesFlag>
    <exportProductsFlag>false</exportProductsFlag>
  </Batch>
</Batches>`;

const parse = (xml: string): Promise<XmlElement> => readDocument(Readable.from([xml]));
const names = (el: XmlElement): string[] => el.children.map((c) => c.name);
const isEmptyOrNil = (el: XmlElement): boolean => el.children.length === 0 && el.text.trim() === '';

/**
 * Our document has the sample's element structure: same declaration, root, namespaces and record
 * name; every sample field we have comes in the sample's order with the same nesting; a sample
 * field we lack is one the sample shows empty or nil (ConnectWise omits those from its JSON); and a
 * sample reference's members are in ours, apart from `removedMembers` (older API versions).
 */
async function expectSampleStructure(ours: string, sample: string, removedMembers: string[] = []): Promise<void> {
  expect(ours.split('\n')[0]).toBe(sample.split('\n')[0]);
  const [s, o] = [await parse(sample), await parse(ours)];
  expect(o.name).toBe(s.name);
  expect(o.attributes).toEqual(s.attributes);
  const sampleRecord = s.children[0] as XmlElement;
  const records = o.children;
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) {
    expect(record.name).toBe(sampleRecord.name);
    const ourFields = names(record);
    expect(ourFields.slice(0, 3)).toEqual(['id', 'externalId', '_info']);
    const common = names(sampleRecord).filter((n) => ourFields.includes(n));
    expect(ourFields.filter((n) => common.includes(n))).toEqual(common);
    for (const field of sampleRecord.children) {
      const mine = record.children.find((c) => c.name === field.name);
      if (!mine) {
        expect(isEmptyOrNil(field), `${record.name}/${field.name} missing`).toBe(true);
        continue;
      }
      if (field.name === '_info') continue;
      expect(mine.children.length > 0, `${field.name} nesting`).toBe(field.children.length > 0);
      const missing = names(field).filter((n) => !names(mine).includes(n) && !removedMembers.includes(n));
      expect(missing, `${field.name} members`).toEqual([]);
    }
  }
}

let sandbox: Sandbox;
let env: TaskEnv;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, size: { invoices: 120, batches: 6 } });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  sandbox.control.reset();
  sandbox.control.resetRequests();
  env = await makeTaskEnv(sandbox);
  return () => env.close();
});

const outputText = (path: string | undefined): string => fs.readFileSync(path as string, 'utf8');

describe('the exported documents', () => {
  it('have the element structure of the seed 000 invoice sample', async () => {
    const outcome = await env.runTask(exportInvoicesTask, { exportMode: 'All' });
    expect(outcome.recordsOk).toBe(120);
    const xml = outputText(outcome.outputs[0]);
    // CurrencyReference lost isoCode after the sample was taken (2022.1 has currencyCode instead).
    await expectSampleStructure(xml, SEED_000_SAMPLE, ['isoCode']);
    expect(xml).toContain('    <externalId />\n');
  });

  it('have the element structure of the seed 001 batch sample', async () => {
    const outcome = await env.runTask(exportBatchesTask, { exportMode: 'All' });
    expect(outcome.recordsOk).toBe(6);
    await expectSampleStructure(outputText(outcome.outputs[0]), SEED_001_SAMPLE);
  });

  it('write value types the sandbox leaves out as xsi:nil by default (nullFields "schema"), and leave them out with "omit"', async () => {
    const invoices = sandbox.control.invoices();
    expect(invoices.every((i) => !('applyToId' in i))).toBe(true);
    const schema = outputText((await env.runTask(exportInvoicesTask, { exportMode: 'All', outputFile: 'schema.xml' })).outputs[0]);
    const omit = outputText((await env.runTask(exportInvoicesTask, { exportMode: 'All', outputFile: 'omit.xml', nullFields: 'omit' })).outputs[0]);
    expect(schema.match(/<applyToId xsi:nil="true" \/>/g)).toHaveLength(120);
    expect(omit).not.toContain('<applyToId');
    // The schema's order: applyToId between shipToCompany and billingSite, as in seed 000.
    const first = await parse(schema);
    const fields = names(first.children[0] as XmlElement);
    expect(fields.indexOf('applyToId')).toBeGreaterThan(fields.indexOf('shipToCompany'));
    expect(fields.indexOf('applyToId')).toBeLessThan(fields.indexOf('billingSite'));
    await expectSampleStructure(schema, SEED_000_SAMPLE, ['isoCode']);
    expect(() => exportInvoicesTask.parseSettings({ nullFields: 'sometimes' })).toThrow(/nullFields/);
  });

  it('keep an externalId the API gives and put id, externalId, _info first', () => {
    expect(Object.keys(zynkRecordOrder({ name: 'x', _info: {}, id: 1, externalId: 'E1' }))).toEqual(['id', 'externalId', '_info', 'name']);
    expect(zynkRecordOrder({ id: 1, externalId: 'E1' })['externalId']).toBe('E1');
    expect(zynkRecordOrder({ id: 1, externalId: null })['externalId']).toBe('');
  });
});

describe('the export run', () => {
  it('writes an empty document by default, and none with writeEmptyFile false; the watermark moves either way', async () => {
    const conditions = { condition: { field: 'id', comparison: 'LessThan', value: '0' } };
    const written = await env.runTask(exportInvoicesTask, { exportMode: 'All', conditions });
    expect(written.status).toBe('empty');
    expect(outputText(written.outputs[0])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<Invoices xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n</Invoices>\n',
    );
    await env.store.watermarks.set('test-task', { dateModified: '2000-01-01T00:00:00Z' });
    const none = await env.runTask(exportInvoicesTask, { exportMode: 'All', conditions, writeEmptyFile: 'false', outputFile: 'none.xml' });
    expect(none).toMatchObject({ status: 'empty', outputs: [] });
    expect(env.outputs('success')).toEqual(['invoices.xml']);
    expect((await env.store.watermarks.get('test-task'))['dateModified']).not.toBe('2000-01-01T00:00:00Z');
  });

  it('counts its requests as the server sees them and reports progress with the total', async () => {
    const outcome = await env.runTask(exportInvoicesTask, { exportMode: 'All', pageSize: 40, referencesToFetch: { reference: ['status', 'currency', 'billingSite'] } });
    const seen = sandbox.control.requests();
    expect(outcome.details?.['requests']).toBe(seen.total);
    // 120 records in pages of 40: three full pages, the last with an empty Link that ends forward-only paging.
    expect(seen.byRoute['GET /finance/invoices']).toBe(3);
    expect(outcome.details).toMatchObject({ pages: 3, total: 120, referenceWarnings: 0 });
    expect(env.progress[0]).toEqual({ records: 0, pages: 0, total: 120 });
    expect(env.progress.at(-1)).toEqual({ records: 120, pages: 3, total: 120 });
  });

  it('takes the new watermark from the server clock, not ours', async () => {
    const skewed = Date.UTC(2031, 4, 6, 7, 8, 9);
    const proxy = http.createServer((req, res) => {
      const upstream = http.request(`${sandbox.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, date: new Date(skewed).toUTCString() });
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const c = sandbox.connectwise;
    const url = c.url.replace(sandbox.url, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    const skewedEnv = await makeTaskEnv(sandbox, { config: { connections: { cw: { type: 'connectwise', url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId } } } });
    try {
      const outcome = await skewedEnv.runTask(exportInvoicesTask, { exportMode: 'Modified', dateModified: '2000-01-01' });
      const expected = new Date(skewed - WATERMARK_OVERLAP_MS).toISOString().replace('.000Z', 'Z');
      expect(outcome.details?.['watermark']).toEqual({ from: '2000-01-01T00:00:00Z', dateModified: expected });
      expect((await skewedEnv.store.watermarks.get('test-task'))['dateModified']).toBe(expected);
    } finally {
      await skewedEnv.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('starts from the stored watermark, unless the setting changed since it was stored', async () => {
    const first = await env.runTask(exportInvoicesTask, { exportMode: 'Modified', dateModified: '2000-01-01' });
    expect(first.recordsOk).toBe(120);
    sandbox.control.resetRequests();
    const again = await env.runTask(exportInvoicesTask, { exportMode: 'Modified', dateModified: '2000-01-01', outputFile: 'again.xml' });
    // Same setting: the stored watermark (the first run's start) wins, and nothing changed since.
    expect(again.details?.['watermark']).toMatchObject({ from: (first.details?.['watermark'] as Record<string, string>)['dateModified'] });
    expect(again.recordsOk).toBe(0);
    const rewound = await env.runTask(exportInvoicesTask, { exportMode: 'Modified', dateModified: '2001-01-01', outputFile: 'rewound.xml' });
    expect(rewound.details?.['watermark']).toMatchObject({ from: '2001-01-01T00:00:00Z' });
    expect(rewound.recordsOk).toBe(120);
  });

  it('stops on shutdown without an output and without moving the watermark', async () => {
    sandbox.control.setLatency(30);
    const controller = new AbortController();
    const { ctx, outbox } = env.context({ signal: controller.signal });
    ctx.progress = (p) => {
      if (p.records > 0) controller.abort();
    };
    const settings = exportInvoicesTask.parseSettings({ exportMode: 'All', pageSize: 10 });
    const failure = await exportInvoicesTask.run({ settings }, ctx).catch((err: unknown) => err);
    await outbox.abortOpen();
    expect(isDropwiseError(failure, 'DW_SHUTDOWN')).toBe(true);
    expect(env.outputs('success')).toEqual([]);
    expect(fs.readdirSync(`${env.folders.work}/tmp`)).toEqual([]);
    expect(await env.store.watermarks.get('test-task')).toEqual({});
  });
});

describe('records written from their bytes', () => {
  /**
   * A ConnectWise in front of the sandbox whose invoice pages carry what the transcoder must get right
   * or leave to the parser: externalId null or absent, _info null, a lone surrogate (sent escaped), a
   * key of digits, a key given twice, a company null.
   */
  async function oddProxy(): Promise<http.Server> {
    const proxy = http.createServer((req, res) => {
      const upstream = http.request(`${sandbox.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const list = /\/finance\/invoices\?/.test(req.url ?? '') && answer.statusCode === 200;
        if (!list) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const page = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
          const twice = new Set<number>();
          for (const invoice of page) {
            const id = invoice['id'] as number;
            if (id % 8 === 1) invoice['externalId'] = null;
            if (id % 8 === 2) invoice['_info'] = null;
            if (id % 8 === 3) invoice['customerPO'] = `PO \ud800 ${id}`;
            if (id % 8 === 4) invoice['10'] = 'digits';
            if (id % 8 === 5) twice.add(id);
            if (id % 8 === 6) delete invoice['externalId'];
            if (id % 8 === 7) invoice['company'] = null;
          }
          // The key given twice comes first: JSON.parse keeps the later value, the record's own.
          const body = `[${page.map((invoice) => JSON.stringify(invoice).replace(/^\{/, twice.has(invoice['id'] as number) ? '{"total":-1,' : '{')).join(',')}]`;
          const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
          res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      });
      upstream.end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The plainest conversion: each page parsed, its references resolved, every record rendered whole. */
  async function reference(oddEnv: TaskEnv, shape: ReturnType<typeof exportShape>): Promise<string> {
    const client = oddEnv.connectors.connectwise();
    const specs = Object.entries(INVOICE_REFERENCES).map(([name, spec]) => ({ name, ...spec }));
    const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
    const chunks: Buffer[] = [];
    const writer = new XmlDocumentWriter(new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk), done()) }));
    await writer.start('Invoices');
    for await (const page of client.pages<Record<string, unknown> & { id?: number }>('/finance/invoices', {}, { pageSize: 25 })) {
      await resolver.resolve(page, specs);
      for (const record of page) await writer.write('Invoice', zynkRecordOrder(record), shape);
    }
    await writer.end();
    return Buffer.concat(chunks).toString('utf8');
  }

  it('are written as parsing each record and rendering it whole writes them, with all nine references, shaped and not', async () => {
    const proxy = await oddProxy();
    const c = sandbox.connectwise;
    const url = c.url.replace(sandbox.url, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    const oddEnv = await makeTaskEnv(sandbox, { config: { connections: { cw: { type: 'connectwise', url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } } } });
    try {
      for (const nullFields of ['schema', 'omit'] as const) {
        const outcome = await oddEnv.runTask(exportInvoicesTask, { exportMode: 'All', pageSize: 25, nullFields, outputFile: `${nullFields}.xml`, referencesToFetch: { reference: Object.keys(INVOICE_REFERENCES) } });
        expect(outcome.recordsOk).toBe(120);
        const xml = outputText(outcome.outputs[0]);
        expect(xml).toBe(await reference(oddEnv, exportShape('Invoice', nullFields, ZYNK_LEADING_FIELDS)));
        // The odd records are there, as the parser reads them (an escaped surrogate is always left to it).
        expect(xml).toContain('<customerPO>PO \uFFFD 3</customerPO>');
        expect(xml).not.toContain('<total>-1</total>');
      }
    } finally {
      await oddEnv.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('dropwise run / dropwise task', () => {
  it('runs an export from a task-request file and a configured export by name', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const dir = await makeTempDir();
    const c = sandbox.connectwise;
    const config = testConfig(dir, {
      connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId } },
      tasks: { 'nightly-batches': { type: 'connectwise.export-batches', settings: { exportMode: 'New', dateCreated: '2000-01-01' } } },
    });
    const store = openStateStore(config.folders.state);
    const rt = { config, log: silentLogger(), store, connectors: createConnectors(config, silentLogger()), registry: new TaskRegistry(), close: async () => undefined };
    try {
      const request = path.join(dir, 'export.xml');
      fs.writeFileSync(
        request,
        `<?xml version="1.0" encoding="utf-8"?>
<TaskRequest>
  <task>connectwise.export-invoices</task>
  <settings>
    <exportMode>All</exportMode>
    <pageSize>50</pageSize>
    <outputFile>requested.xml</outputFile>
    <referencesToFetch><reference>company</reference><reference>billingSite</reference></referencesToFetch>
    <conditions>
      <condition><field>total</field><comparison>GreaterThan</comparison><value>1000</value><logicOperator>Or</logicOperator></condition>
      <condition><field>type</field><comparison>In</comparison><value>("Agreement", "Progress")</value></condition>
    </conditions>
  </settings>
</TaskRequest>`,
      );
      expect(await runFile(rt, request)).toBe(0);
      const expected = sandbox.control.invoices().filter((i) => (i['total'] as number) > 1000 || ['Agreement', 'Progress'].includes(String(i['type'])));
      const xml = outputText(path.join(config.folders.success, 'requested.xml'));
      expect(xml.match(/^ {2}<Invoice>$/gm)).toHaveLength(expected.length);
      expect(xml.match(/^ {6}<record>$/gm)?.length).toBe(2 * expected.length);

      expect(await runConfiguredTask(rt, 'nightly-batches')).toBe(0);
      expect(outputText(path.join(config.folders.success, 'batches.xml')).match(/^ {2}<Batch>$/gm)).toHaveLength(6);
      // A task request gets its own key: <type>@<connection>#<settings fingerprint> (src/tasks/task-key.ts).
      expect(Object.keys(await store.watermarks.all()).sort()).toEqual([expect.stringMatching(/^connectwise\.export-invoices@cw#[0-9a-f]+$/), 'nightly-batches']);
    } finally {
      await rt.connectors.close();
      await store.close();
      vi.restoreAllMocks();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serverTime', () => {
  it('reads an HTTP date and falls back to our clock', () => {
    expect(serverTime('Tue, 06 May 2031 07:08:09 GMT')).toBe(Date.UTC(2031, 4, 6, 7, 8, 9));
    expect(serverTime(undefined, 42)).toBe(42);
    expect(serverTime('not a date', 42)).toBe(42);
  });
});
