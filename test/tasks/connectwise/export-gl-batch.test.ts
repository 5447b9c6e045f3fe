import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isDropwiseError } from '../../../src/errors.js';
import type { Logger } from '../../../src/log.js';
import { exportGlBatchTask } from '../../../src/tasks/connectwise/export-gl-batch.js';
import type { Outbox, OutputFile, TaskOutcome } from '../../../src/tasks/types.js';
import { documentToXml } from '../../support/xml-document.js';
import { connectWiseHeaders, useSandbox, type Sandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

const EXPORT = '/finance/accounting/export';

let sandbox: Sandbox;
let env: TaskEnv;
/** These tests compare with a conversion of the API's JSON as it came: the elements as the API sent them. */
const runGl = (settings: Record<string, unknown>) => env.runTask(exportGlBatchTask, { nullFields: 'omit', ...settings });
const warnings: string[] = [];

/** A logger that keeps warnings and errors, to check what the run says. */
function recordingLogger(): Logger {
  const keep = (level: string) => (message: unknown) => {
    warnings.push(`${level}: ${String(message)}`);
    return logger;
  };
  const logger = { warn: keep('warn'), error: keep('error'), info: () => logger, debug: () => logger } as unknown as Logger;
  return logger;
}

/** The export as ConnectWise sends it, read whole: the reference the streamed file must match. */
async function rawExport(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${sandbox.connectwise.url}${EXPORT}`, { method: 'POST', headers: { ...connectWiseHeaders(sandbox), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.text();
}

/** The in-memory conversion: JSON.parse the whole body, write it with documentToXml (null and empty top-level members left out). */
function inMemoryXml(raw: string): string {
  const kept = Object.entries(JSON.parse(raw) as Record<string, unknown>).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0));
  return documentToXml('GLExport', kept);
}

function outputOf(outcome: TaskOutcome): string {
  expect(outcome.outputs).toHaveLength(1);
  return fs.readFileSync(outcome.outputs[0] as string, 'utf8');
}

function tmpFiles(): string[] {
  const tmp = path.join(env.folders.work, 'tmp');
  return fs.existsSync(tmp) ? fs.readdirSync(tmp) : [];
}

beforeAll(async () => {
  sandbox = await useSandbox({ seed: 7 });
  env = await makeTaskEnv(sandbox, { log: recordingLogger() });
});

afterAll(async () => {
  await env.close();
  await sandbox.close();
});

beforeEach(() => {
  sandbox.control.clearFaults();
  sandbox.control.resetRequests();
  warnings.length = 0;
});

describe('connectwise.export-gl-batch against the sandbox', () => {
  it('exports unposted invoices by default, byte-identical to an in-memory conversion, with their GL entry ids', async () => {
    const outcome = await runGl({});
    expect(sandbox.control.requests().byRoute[`POST ${EXPORT}`]).toBe(1);
    const raw = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    const xml = outputOf(outcome);
    expect(xml).toBe(inMemoryXml(raw));
    expect(path.basename(outcome.outputs[0] as string)).toBe('connectwise_accounting_interface_get_batch.xml');

    const parsed = JSON.parse(raw) as { transactions: { glEntryIds: string }[]; customers: unknown[] };
    expect(outcome.status).toBe('success');
    expect(outcome.recordsOk).toBe(parsed.transactions.length + parsed.customers.length);
    expect(outcome.details?.['glEntryIds']).toEqual(parsed.transactions.flatMap((t) => t.glEntryIds.split(',')));
    expect(outcome.details?.['glEntryIdCount']).toBe((outcome.details?.['glEntryIds'] as string[]).length);
    expect(outcome.details?.['counts']).toMatchObject({ customers: parsed.customers.length, transactions: parsed.transactions.length, vendors: 0 });
    expect(outcome.details?.['retries']).toBe(0);
    // The seed's shape: customers then transactions with detail/detailItem; no empty containers.
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<GLExport xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xmlns:xsd="http:\/\/www.w3.org\/2001\/XMLSchema">\n {2}<customers>\n {4}<customer>/);
    expect(xml).toContain('      <detail>\n        <detailItem>\n');
    expect(xml).not.toContain('<vendors');
  });

  it('exports procurement and expenses: vendors, purchaseTransactions with purchaseDetail and an empty purchaseDetailTax', async () => {
    const outcome = await runGl({ exportUnpostedInvoices: 'false', exportUnpostedProcurement: 'true', exportUnpostedExpenses: 'true', outputFile: 'procurement.xml' });
    const raw = await rawExport({ exportInvoicesFlag: false, exportExpensesFlag: true, exportProductsFlag: true });
    const xml = outputOf(outcome);
    expect(xml).toBe(inMemoryXml(raw));
    expect(xml).toContain('  <vendors>\n    <vendor>\n      <vendor>\n');
    expect(xml).toContain('<purchaseDetail>\n        <purchaseDetailItem>');
    expect(xml).toContain('      <purchaseDetailTax />\n    </purchaseTransaction>');
    const parsed = JSON.parse(raw) as { expenses: { id: number }[]; purchaseTransactions: { purchaseDetail: { id: number }[] }[] };
    expect(outcome.details?.['glEntryIds']).toEqual([
      ...parsed.expenses.map((e) => String(e.id)),
      ...parsed.purchaseTransactions.flatMap((p) => p.purchaseDetail.map((d) => String(d.id))),
    ].sort((a, b) => raw.indexOf(a) - raw.indexOf(b)));
  });

  it('filters by location id, and by location name when no id is given', async () => {
    const all = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    const london = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false, locationId: 2 });
    expect(london.length).toBeLessThan(all.length);

    const byId = await runGl({ locationId: '2', outputFile: 'by-id.xml' });
    expect(outputOf(byId)).toBe(inMemoryXml(london));
    expect(byId.details?.['locationId']).toBe(2);

    const byName = await runGl({ locationName: 'London', outputFile: 'by-name.xml' });
    expect(outputOf(byName)).toBe(inMemoryXml(london));
    expect(sandbox.control.requests().byRoute['GET /system/locations']).toBe(1);

    // An id wins over a name.
    const both = await runGl({ locationId: 2, locationName: 'Copenhagen', outputFile: 'both.xml' });
    expect(outputOf(both)).toBe(inMemoryXml(london));
  });

  it('exports every location when no location has the name, and says so in the log and the run details', async () => {
    const outcome = await runGl({ locationName: 'Atlantis', outputFile: 'atlantis.xml' });
    const all = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    expect(outputOf(outcome)).toBe(inMemoryXml(all));
    expect(outcome.details?.['locationNotFound']).toBe('Atlantis');
    expect(warnings.join('\n')).toMatch(/No ConnectWise location is named "Atlantis": exporting every location/);
  });

  it('sends the thru date in the export request', async () => {
    const outcome = await runGl({ thruDate: '2023-07-01', outputFile: 'thru.xml' });
    const raw = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false, thruDate: '2023-07-01T00:00:00Z' });
    const all = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    const count = (json: string) => (JSON.parse(json) as { transactions: unknown[] }).transactions.length;
    expect(count(raw)).toBeGreaterThan(0);
    expect(count(raw)).toBeLessThan(count(all));
    expect(outputOf(outcome)).toBe(inMemoryXml(raw));
  });

  it('retries from the start after the connection drops mid-stream, leaving one whole file', async () => {
    const before = env.outputs('success');
    sandbox.control.injectFault({ method: 'POST', path: EXPORT, kind: 'truncate', count: 1 });
    const outcome = await runGl({ outputFile: 'retried.xml' });
    const raw = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    expect(outputOf(outcome)).toBe(inMemoryXml(raw));
    expect(outcome.details?.['retries']).toBe(1);
    expect(env.outputs('success').filter((f) => !before.includes(f))).toEqual([path.basename(outcome.outputs[0] as string)]);
    expect(tmpFiles()).toEqual([]);
    expect(warnings.join('\n')).toMatch(/GL export stream failed after [\d.]+ MB \/ \d+ records \(.*dropped.*\); retrying from the start \(attempt 2 of 3\)/);
  });

  it('gives up after three attempts with no output at its final name, saying what happened', async () => {
    const before = env.outputs('success');
    sandbox.control.injectFault({ method: 'POST', path: EXPORT, kind: 'truncate', count: 3 });
    const err = await runGl({ outputFile: 'never.xml' }).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_CW_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/GL export stream failed after .* records .*dropped.*; no output was written \(attempt 3 of 3\)/);
    expect(env.outputs('success')).toEqual(before);
    expect(tmpFiles()).toEqual([]);
    expect(sandbox.control.requests().byRoute[`POST ${EXPORT}`]).toBe(3);
  });

  it('rides over a connection dropped before the answer (the HTTP layer retries the idempotent export)', async () => {
    sandbox.control.injectFault({ method: 'POST', path: EXPORT, kind: 'drop', count: 1 });
    const outcome = await runGl({ outputFile: 'dropped.xml' });
    expect(sandbox.control.requests().byRoute[`POST ${EXPORT}`]).toBe(2);
    const raw = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    expect(outputOf(outcome)).toBe(inMemoryXml(raw));
  });

  it('does not retry a full disk, and leaves nothing behind', async () => {
    const { ctx, outbox } = env.context();
    const fullDisk: Outbox = {
      async create(folder, name): Promise<OutputFile> {
        const real = await outbox.create(folder, name);
        const stream = fs.createWriteStream('/dev/full');
        return {
          name,
          stream,
          commit: () => real.commit(),
          abort: async () => {
            stream.destroy();
            await real.abort();
          },
        };
      },
    };
    const before = env.outputs('success');
    const settings = exportGlBatchTask.parseSettings({ outputFile: 'full.xml' });
    const err = await exportGlBatchTask.run({ settings }, { ...ctx, outbox: fullDisk }).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_OUTPUT_WRITE')).toBe(true);
    expect((err as Error).message).toMatch(/could not be written: ENOSPC.*no output was written/);
    expect(env.outputs('success')).toEqual(before);
    expect(sandbox.control.requests().byRoute[`POST ${EXPORT}`]).toBe(1);
  });

  it('says a body that ends cleanly but early was cut off, and retries it', async () => {
    const full = await rawExport({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: false });
    let served = 0;
    // A proxy that answers the first export with half the body, ended cleanly (close-delimited).
    const proxy = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        served++;
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        res.end(served === 1 ? full.slice(0, Math.floor(full.length / 2)) : full);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const cut = await makeTaskEnv(sandbox, {
      log: recordingLogger(),
      config: { connections: { cw: { type: 'connectwise', url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v4_6_release/apis/3.0`, companyId: 'c', publicKey: 'p', privateKey: 'k', clientId: 'id' } } },
    });
    try {
      const outcome = await cut.runTask(exportGlBatchTask, { nullFields: 'omit', outputFile: 'cut.xml' });
      expect(outputOf(outcome)).toBe(inMemoryXml(full));
      expect(served).toBe(2);
      expect(warnings.join('\n')).toMatch(/GL export stream cut off after [\d.]+ MB \/ \d+ records; retrying from the start \(attempt 2 of 3\)/);
    } finally {
      await cut.close();
      proxy.close();
    }
  });
});

describe('connectwise.export-gl-batch settings', () => {
  const parse = exportGlBatchTask.parseSettings;

  it('has the seed defaults', () => {
    expect(parse({})).toMatchObject({
      exportUnpostedInvoices: true,
      exportUnpostedExpenses: false,
      exportUnpostedProcurement: false,
      outputFile: 'connectwise_accounting_interface_get_batch.xml',
      referencesToFetch: [],
      referencesPageSize: 100,
    });
  });

  it('reads task-request strings and XML lists', () => {
    expect(parse({ exportUnpostedInvoices: 'False', exportUnpostedExpenses: 'True', locationId: '3', thruDate: '2024-01-31', referencesToFetch: { reference: ['transaction/company', 'Transaction/Detail/DetailItem/Currency'] } })).toMatchObject({
      exportUnpostedInvoices: false,
      exportUnpostedExpenses: true,
      locationId: 3,
      thruDate: '2024-01-31T00:00:00Z',
      referencesToFetch: ['transaction/company', 'transaction/detail/detailItem/currency'],
    });
  });

  it.each([
    [{ exportUnpostedInvoices: false }, /at least one of/],
    [{ locationId: -1 }, /"locationId" must be a whole number/],
    [{ referencesToFetch: ['transaction/nonsense'] }, /"transaction\/nonsense".*allowed references are vendor\/member, vendor\/vendor/],
    [{ referencesPageSize: 1001 }, /"referencesPageSize"/],
    [{ thruDate: 'yesterday' }, /"thruDate"/],
    [{ summarizeInvoices: 'Tiny' }, /"summarizeInvoices" must be one of Default, Condensed, Detailed/],
    [{ colour: 'red' }, /"colour" is not a setting/],
  ])('refuses %j', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });
});
