import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importInvoicePaymentsTask } from '../../../src/tasks/connectwise/import-invoice-payments.js';
import { withSandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv, type TaskEnvOptions } from '../../support/task-context.js';
import { FILE_HEAD, outputRecords, paidInvoices, unpaidInvoices, writePaymentsFile, type PaymentInput } from './payments/payments-file.js';

// The seed documents sit in ../shared beside the repository (as in CI).
// The project's seed documents sit in a `shared/seeds` folder beside the checkout (or beside a parent of it, for a worktree).
const SEEDS = ((): string => {
  for (let dir = import.meta.dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'seeds');
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(import.meta.dirname, '../../../../shared/seeds');
})();

const sandbox = withSandbox({ seed: 1 });
let env: TaskEnv;

beforeEach(async () => {
  sandbox().control.reset({ seed: 1 });
  sandbox().control.clearFaults();
  env = await makeTaskEnv(sandbox());
});
afterEach(async () => {
  await env.close();
});

const input = (name: string, payments: PaymentInput[]) => writePaymentsFile(path.join(env.dir, name), payments);
const run = (file: string, settings: Record<string, unknown> = {}) => env.runTask(importInvoicePaymentsTask, settings, file);
const outFile = (folder: 'success' | 'fail', name: string) => path.join(folder === 'success' ? env.folders.success : env.folders.fail, name);
const paymentOn = (invoiceId: number) => structuredClone(sandbox().control.paymentsForInvoice(invoiceId));
const requests = () => sandbox().control.requests();
const createdCount = () => sandbox().control.created().payments.length;
/** Waits (bounded) until `condition` holds, checking between the sandbox's own events. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(1);
  }
}
/** A second task env with other config, closed after `fn`. */
async function withEnv<T>(config: TaskEnvOptions['config'], fn: (other: TaskEnv) => Promise<T>): Promise<T> {
  const other = await makeTaskEnv(sandbox(), { config });
  try {
    return await fn(other);
  } finally {
    await other.close();
  }
}
/** A regexp fault path matching exactly these invoices' payment routes. */
const paymentsPathOf = (invoiceIds: number[]) => `^/finance/invoices/(${invoiceIds.join('|')})/payments$`;

describe('connectwise.import-invoice-payments', () => {
  it('imports the seed 004 sample (its <id> pointed at a payment the sandbox has)', async () => {
    const [[invoiceId, paymentId]] = paidInvoices(sandbox(), 1) as [[number, number]];
    const sample = fs
      .readFileSync(fs.readdirSync(SEEDS).map((f) => path.join(SEEDS, f)).find((f) => f.includes('004_')) as string, 'utf8')
      .match(/<\?xml[\s\S]*<\/InvoicePayments>/)?.[0] as string;
    const file = path.join(env.dir, 'sample.xml');
    fs.writeFileSync(file, sample.replace('<id>2</id>', `<id>${paymentId}</id>`).replace('<id>206</id>', `<id>${invoiceId}</id>`));

    const outcome = await run(file);
    expect(outcome).toMatchObject({ status: 'success', recordsIn: 1, recordsOk: 1, recordsFailed: 0, details: { created: 0, updated: 1, alreadyProcessed: 0 } });
    expect(outcome.outputs.map((p) => path.basename(p))).toEqual(['sample_success.xml']);
    expect(env.outputs('fail')).toEqual([]);
    expect(paymentOn(invoiceId)).toEqual([expect.objectContaining({ id: paymentId, amount: 10, paymentDate: '2018-10-11T00:00:00Z' })]);
    const success = fs.readFileSync(outFile('success', 'sample_success.xml'), 'utf8');
    expect(success).toContain(`<externalId>1234</externalId>`);
    expect(success).toContain(`<result>\n      <paymentId>${paymentId}</paymentId>\n      <action>updated</action>\n    </result>`);
    expect(await env.store.truth.get('cw', 'invoicePayment', '1234')).toMatchObject({ id: paymentId, source: { record: 0, action: 'updated', file: 'sample.xml' } });
  });

  it('follows every rule and gives every record its result, in input order', async () => {
    const [fresh, tooSmall, other] = unpaidInvoices(sandbox(), 3) as [number, number, number];
    const [[paidA, paymentA], [paidB, paymentB], [, paymentC]] = paidInvoices(sandbox(), 3) as [number, number][] as [[number, number], [number, number], [number, number]];
    const file = input('mixed.xml', [
      { externalId: 'X-1', invoiceId: fresh, amount: 12.5, paymentDate: '2024-03-01' }, // create
      { invoiceId: 'abc', amount: 'ten', extra: '    <memo>x</memo>\n' }, // invalid
      { invoiceId: paidA, amount: 7 }, // payment already on the invoice → update
      { invoiceId: 999_999, amount: 1 }, // unknown invoice
      { invoiceId: tooSmall, amount: 99_999_999 }, // ConnectWise refuses the amount
      { id: paymentB, invoiceId: paidB, amount: 8 }, // <id> → update that payment
      { id: paymentC, invoiceId: other, amount: 9 }, // <id> of a payment on another invoice
    ]);
    const outcome = await run(file);
    expect(outcome).toMatchObject({ status: 'partial', recordsIn: 7, recordsOk: 3, recordsFailed: 4, details: { created: 1, updated: 2 } });

    const created = paymentOn(fresh)[0];
    expect(created).toMatchObject({ amount: 12.5, paymentDate: '2024-03-01T00:00:00Z' });
    expect(paymentOn(paidA)).toEqual([expect.objectContaining({ id: paymentA, amount: 7 })]);
    expect(paymentOn(paidB)).toEqual([expect.objectContaining({ id: paymentB, amount: 8 })]);
    expect(paymentOn(tooSmall)).toEqual([]);

    const ok = outputRecords(outFile('success', 'mixed_success.xml'));
    expect(ok.map((r) => /<paymentId>(\d+)<\/paymentId>\s*<action>(\w+)/.exec(r)?.slice(1))).toEqual([
      [String(created?.['id']), 'created'],
      [String(paymentA), 'updated'],
      [String(paymentB), 'updated'],
    ]);
    const failed = outputRecords(outFile('fail', 'mixed_fail.xml'));
    expect(failed.map((r) => [...r.matchAll(/<code>(\w+)<\/code>[\s\S]*?<field>([\w/]+)<\/field>/g)].map((m) => `${m[1]} ${m[2]}`))).toEqual([
      ['DW_RECORD_INVALID memo', 'DW_RECORD_INVALID invoice/id', 'DW_RECORD_INVALID amount'],
      ['DW_CW_NOT_FOUND invoice/id'],
      ['DW_CW_VALIDATION amount'],
      ['DW_CW_NOT_FOUND id'],
    ]);
    expect(failed[1]).toContain('<httpStatus>404</httpStatus>');
    expect(failed[1]).toMatch(/<message>ConnectWise: [^<]*999999[^<]*<\/message>/);
    expect(failed[2]).toContain('<httpStatus>400</httpStatus>');
    expect(failed[2]).toMatch(/<message>ConnectWise: amount must be[^<]*<\/message>/);
    expect(failed[0]).toContain('<memo>x</memo>');

    // Rule 2: the externalId is in the truth table now, so a change goes straight to the mapped payment.
    sandbox().control.resetRequests();
    const again = await run(input('again.xml', [{ externalId: 'X-1', invoiceId: fresh, amount: 13 }]));
    expect(again).toMatchObject({ status: 'success', details: { updated: 1 } });
    expect(paymentOn(fresh)).toEqual([expect.objectContaining({ id: created?.['id'], amount: 13 })]);
    expect(requests().byRoute).toEqual({ 'PATCH /finance/invoices/{id}/payments/{id}': 1 });
  });

  it('falls back to the invoice when the mapped payment was deleted in ConnectWise', async () => {
    const [invoiceId] = unpaidInvoices(sandbox(), 1) as [number];
    await run(input('first.xml', [{ externalId: 'GONE', invoiceId, amount: 5 }]));
    const first = paymentOn(invoiceId)[0]?.['id'] as number;
    const cw = env.connectors.connectwise('cw');
    await cw.request('DELETE', `/finance/invoices/${invoiceId}/payments/${first}`);

    const outcome = await run(input('second.xml', [{ externalId: 'GONE', invoiceId, amount: 6 }]));
    expect(outcome).toMatchObject({ status: 'success', details: { created: 1 } });
    const second = paymentOn(invoiceId)[0]?.['id'] as number;
    expect(second).not.toBe(first);
    expect((await env.store.truth.get('cw', 'invoicePayment', 'GONE'))?.id).toBe(second);
  });

  it('preventReprocessing: reports an externalId imported before without sending anything', async () => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    await run(input('day1.xml', [{ externalId: 'P-1', invoiceId: a, amount: 5 }]));
    sandbox().control.resetRequests();

    const outcome = await run(input('day2.xml', [{ externalId: 'P-1', invoiceId: a, amount: 6 }, { externalId: 'P-2', invoiceId: b, amount: 7 }]), { preventReprocessing: 'True' });
    expect(outcome).toMatchObject({ status: 'partial', recordsOk: 1, recordsFailed: 1, details: { created: 1, alreadyProcessed: 1 } });
    expect(paymentOn(a)[0]).toMatchObject({ amount: 5 });
    expect(requests().byRoute['PATCH /finance/invoices/{id}/payments/{id}']).toBeUndefined();
    const [failed] = outputRecords(outFile('fail', 'day2_fail.xml'));
    expect(failed).toContain('<code>DW_ALREADY_PROCESSED</code>');
    expect(failed).toContain('<externalId>P-1</externalId>');
  });

  it.each([true, false])('preventReprocessing %s: a file resumed after a crash reports its own earlier work as done, created as created', async (preventReprocessing) => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    const claimed = input('20261121T120000123-abcdef__resume.xml', [{ externalId: 'R-1', invoiceId: a, amount: 5 }, { externalId: 'R-2', invoiceId: b, amount: 6 }]);
    // The first attempt got as far as record 1 and its truth entry (then the agent died).
    await run(input('20261121T120000123-abcdef__partial.xml', []), { preventReprocessing });
    const created = await env.connectors.connectwise('cw').request<{ id: number }>('POST', `/finance/invoices/${a}/payments`, { body: { amount: 5 } });
    const now = new Date().toISOString();
    await env.store.truth.putMany([
      { connection: 'cw', entity: 'invoicePayment', externalId: 'R-1', id: created.data.id, hash: 'h', created: now, modified: now, source: { file: path.basename(claimed), record: 0, action: 'created' } },
    ]);
    sandbox().control.resetRequests();

    const outcome = await run(claimed, { preventReprocessing });
    expect(outcome).toMatchObject({ status: 'success', recordsOk: 2, details: { created: 2, updated: 0, alreadyProcessed: 0 } });
    // One batched look at which invoices carry payments, then the create.
    expect(requests().byRoute).toEqual({ 'GET /finance/invoices': 1, 'POST /finance/invoices/{id}/payments': 1 });
    expect(outputRecords(outcome.outputs[0] as string)[0]).toContain(`<paymentId>${created.data.id}</paymentId>\n      <action>created</action>`);
  });

  it('an input named with ".." inside imports, its outputs named after it', async () => {
    const [a] = unpaidInvoices(sandbox(), 1) as [number];
    const outcome = await run(input('receipts..march.xml', [{ invoiceId: a, amount: 4 }]));
    expect(outcome).toMatchObject({ status: 'success', recordsOk: 1 });
    expect(env.outputs('success')).toEqual(['receipts..march_success.xml']);
    expect(paymentOn(a)).toEqual([expect.objectContaining({ amount: 4 })]);
  });

  it('a bad successFile is refused before any request', async () => {
    const [a] = unpaidInvoices(sandbox(), 1) as [number];
    const file = input('named.xml', [{ invoiceId: a, amount: 4 }]);
    sandbox().control.resetRequests();
    await expect(run(file, { successFile: '../escape.xml' })).rejects.toMatchObject({ code: 'DW_SETTINGS_INVALID', message: expect.stringContaining('"successFile"') as string });
    expect(requests().total).toBe(0);
    expect(paymentOn(a)).toEqual([]);
  });

  it('two records for one invoice: the first wins, the later one fails, whatever the concurrency', async () => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    const file = input('twice.xml', [
      { invoiceId: a, amount: 3 },
      { invoiceId: b, amount: 4 },
      { invoiceId: a, amount: 5 },
    ]);
    const outcome = await run(file);
    expect(outcome).toMatchObject({ status: 'partial', recordsOk: 2, recordsFailed: 1 });
    expect(paymentOn(a)).toEqual([expect.objectContaining({ amount: 3 })]);
    const [failed] = outputRecords(outFile('fail', 'twice_fail.xml'));
    expect(failed).toContain('<code>DW_DUPLICATE_IN_FILE</code>');
    expect(failed).toContain(`Record 3: invoice ${a} already takes its payment from record 1 of this file`);
  });

  it('sends nothing for a malformed file, and nothing is written', async () => {
    const file = path.join(env.dir, 'broken.xml');
    fs.writeFileSync(file, `${FILE_HEAD}  <InvoicePayment><invoice><id>1</id></invoice><amount>1</amount></InvoicePayment>\n  <InvoicePayment>`);
    sandbox().control.resetRequests();
    await expect(run(file)).rejects.toMatchObject({ code: 'DW_XML_MALFORMED' });
    expect(requests().total).toBe(0);
    expect(env.outputs('success')).toEqual([]);
    expect(env.outputs('fail')).toEqual([]);
  });

  it('a file with no records is empty and writes nothing', async () => {
    const outcome = await run(input('none.xml', []));
    expect(outcome).toMatchObject({ status: 'empty', recordsIn: 0, outputs: [] });
  });

  it('every record ends correctly through 429 storms and 500s', async () => {
    const invoices = unpaidInvoices(sandbox(), 30);
    const control = sandbox().control;
    control.injectFault({ path: '/finance/invoices/*/payments', kind: '429', count: 25, retryAfter: 0 });
    control.injectFault({ method: 'POST', path: '/finance/invoices/*/payments', kind: '500', count: 12 });
    control.injectFault({ method: 'GET', path: '/finance/invoices/*/payments', kind: '503', count: 12 });
    const outcome = await run(input('storm.xml', invoices.map((invoiceId, i) => ({ externalId: `S-${i}`, invoiceId, amount: i + 1 }))));
    expect(control.faults()).toEqual([]);
    expect(outcome).toMatchObject({ status: 'success', recordsOk: 30, details: { created: 30 } });
    for (const [i, invoiceId] of invoices.entries()) expect(paymentOn(invoiceId)).toEqual([expect.objectContaining({ amount: i + 1 })]);
  });

  it('stops taking records when the agent stops, and leaves no outputs', async () => {
    const invoices = unpaidInvoices(sandbox(), 40);
    const concurrency = env.config.processing.recordConcurrency;
    sandbox().control.setLatency(5);
    const controller = new AbortController();
    const before = createdCount();
    const file = input('stop.xml', invoices.map((invoiceId) => ({ invoiceId, amount: 1 })));
    const running = env.runTask(importInvoicePaymentsTask, {}, file, { signal: controller.signal });
    await until(() => createdCount() - before >= 5);
    const paidAtStop = createdCount() - before;
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'DW_SHUTDOWN' });
    sandbox().control.setLatency(0);
    const paid = invoices.filter((id) => paymentOn(id).length > 0).length;
    // Only the records already in flight when the stop came finish: no new one starts.
    expect(paid).toBeGreaterThanOrEqual(paidAtStop);
    expect(paid).toBeLessThanOrEqual(paidAtStop + concurrency);
    expect(env.outputs('success')).toEqual([]);
  });

  it('a record whose tries are cut short by the stop is interrupted, not failed: the file stays for the resume', async () => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    const control = sandbox().control;
    control.injectFault({ method: 'POST', path: paymentsPathOf([a]), kind: '503', count: 10 });
    // A long back-off between the record's tries, so the stop comes while it waits.
    await withEnv({ http: { baseDelayMs: 5000, maxDelayMs: 5000, maxAttempts: 5, retryBudgetMs: 20_000 } }, async (slow) => {
      const controller = new AbortController();
      const running = slow.runTask(importInvoicePaymentsTask, {}, input('cut.xml', [{ invoiceId: a, amount: 1 }, { invoiceId: b, amount: 2 }]), { signal: controller.signal });
      await until(() => control.faults()[0]?.remaining === 9 && paymentOn(b).length === 1);
      controller.abort();
      await expect(running).rejects.toMatchObject({ code: 'DW_SHUTDOWN' });
      expect(control.faults()[0]?.remaining).toBe(9);
      expect(slow.outputs('success')).toEqual([]);
      expect(slow.outputs('fail')).toEqual([]);
    });
  });

  it('a stopped file run again with its resume file reports what it created as created, without externalIds, and sends none of it again', async () => {
    const invoices = unpaidInvoices(sandbox(), 40);
    const refused = 999_999;
    sandbox().control.setLatency(5);
    const controller = new AbortController();
    const before = createdCount();
    const resumeFile = path.join(env.folders.work, 'claims', 'stopped.log');
    const file = input('stopped.xml', [{ invoiceId: refused, amount: 1 }, ...invoices.map((invoiceId) => ({ invoiceId, amount: 1 }))]);
    const running = env.runTask(importInvoicePaymentsTask, {}, file, { signal: controller.signal, resumeFile });
    await until(() => createdCount() - before >= 5);
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'DW_SHUTDOWN' });
    sandbox().control.setLatency(0);
    const createdAtStop = createdCount() - before;
    sandbox().control.resetRequests();

    const again = await env.runTask(importInvoicePaymentsTask, {}, file, { resumeFile });
    expect(again).toMatchObject({ status: 'partial', recordsOk: 40, recordsFailed: 1, details: { created: 40, updated: 0 } });
    expect(createdCount() - before).toBe(40);
    // Only the records the first run did not get to are sent: one create each (their invoices looked up in one
    // batch), the refused one not again; an invoice is looked at by itself only where a create was in flight at the stop.
    const byRoute = requests().byRoute;
    expect(byRoute['POST /finance/invoices/{id}/payments']).toBe(40 - createdAtStop);
    expect(byRoute['GET /finance/invoices/{id}/payments'] ?? 0).toBeLessThanOrEqual(8);
    const actions = outputRecords(outFile('success', 'stopped_success.xml')).map((r) => /<action>(\w+)/.exec(r)?.[1]);
    expect(actions).toEqual(invoices.map(() => 'created'));
    expect(outputRecords(outFile('fail', 'stopped_fail.xml'))[0]).toContain('<code>DW_CW_NOT_FOUND</code>');
  });

  it('resumed after a crash between sending creates and logging their answers: a payment that landed is reported created, one that did not is created once', async () => {
    const [landed, lost] = unpaidInvoices(sandbox(), 2) as [number, number];
    const resumeFile = path.join(env.dir, 'claims', 'crashed.log');
    fs.mkdirSync(path.dirname(resumeFile), { recursive: true });
    // The crashed run noted both creates before sending them (long enough ago that neither can still land) ...
    const noted = Date.now() - 60_000;
    fs.writeFileSync(resumeFile, `{"i":0,"c":${noted}}\n{"i":1,"c":${noted}}\n`);
    // ... and the first one reached ConnectWise before the crash; no answer was logged for either.
    await env.connectors.connectwise('cw').request('POST', `/finance/invoices/${landed}/payments`, { body: { amount: 1, paymentDate: '2024-05-01T00:00:00Z' } });
    const before = createdCount();
    const file = input('crashed.xml', [
      { invoiceId: landed, amount: 1, paymentDate: '2024-05-01' },
      { invoiceId: lost, amount: 1, paymentDate: '2024-05-01' },
    ]);
    const again = await env.runTask(importInvoicePaymentsTask, {}, file, { resumeFile });
    expect(again).toMatchObject({ status: 'success', recordsOk: 2, details: { created: 2, updated: 0 } });
    expect(createdCount() - before).toBe(1);
    expect(paymentOn(landed)).toHaveLength(1);
    expect(paymentOn(lost)).toHaveLength(1);
    const actions = outputRecords(outFile('success', 'crashed_success.xml')).map((r) => /<action>(\w+)/.exec(r)?.[1]);
    expect(actions).toEqual(['created', 'created']);
  });

  it('a create that outlives the client timeout is not sent again: its payment is waited for and reported created', async () => {
    const invoices = unpaidInvoices(sandbox(), 4);
    const control = sandbox().control;
    // Each invoice's first POST takes 2.2 s on the server; the client gives up after 1 s (the HTTP
    // layer's timers fire up to 0.5 s late) and then looks for its payment for 2 s more: the payment
    // appears 0.7 s after the latest give-up and 0.8 s before the earliest end of the look.
    for (const invoiceId of invoices) control.injectFault({ method: 'POST', path: paymentsPathOf([invoiceId]), kind: 'slow', delayMs: 2200, count: 1 });
    const before = createdCount();
    control.resetRequests();
    await withEnv({ http: { timeoutMs: 1000, connectTimeoutMs: 1000, maxAttempts: 3, retryBudgetMs: 5000, baseDelayMs: 10, maxDelayMs: 50, connections: 8 } }, async (slow) => {
      const outcome = await slow.runTask(importInvoicePaymentsTask, {}, input('slow.xml', invoices.map((invoiceId, i) => ({ invoiceId, amount: i + 1 }))));
      expect(outcome).toMatchObject({ status: 'success', recordsOk: 4, details: { created: 4, updated: 0 } });
    });
    expect(requests().byRoute['POST /finance/invoices/{id}/payments']).toBe(4);
    expect(requests().byRoute['GET /finance/invoices/{id}/payments'], 'each create timed out and was looked for').toBeGreaterThan(8);
    expect(createdCount() - before).toBe(4);
    for (const [i, invoiceId] of invoices.entries()) expect(paymentOn(invoiceId)).toEqual([expect.objectContaining({ amount: i + 1 })]);
  });

  it('a create whose payment does not appear within the bound fails its record with DW_CW_CREATE_UNCONFIRMED, never sent twice', async () => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    const control = sandbox().control;
    control.injectFault({ method: 'POST', path: paymentsPathOf([a]), kind: 'slow', delayMs: 4000, count: 1 });
    control.resetRequests();
    await withEnv({ http: { timeoutMs: 400, connectTimeoutMs: 400, maxAttempts: 3, retryBudgetMs: 5000, baseDelayMs: 10, maxDelayMs: 50, connections: 8 } }, async (slow) => {
      const outcome = await slow.runTask(importInvoicePaymentsTask, {}, input('lost.xml', [{ invoiceId: a, amount: 1 }, { invoiceId: b, amount: 2 }]));
      expect(outcome).toMatchObject({ status: 'partial', recordsOk: 1, recordsFailed: 1 });
      const [failed] = outputRecords(path.join(slow.folders.fail, 'lost_fail.xml'));
      expect(failed).toContain('<code>DW_CW_CREATE_UNCONFIRMED</code>');
      expect(failed).toContain(`Look at invoice ${a} in ConnectWise`);
    });
    expect(requests().byRoute['POST /finance/invoices/{id}/payments']).toBe(2);
    // The server finishes the first create late: still one payment, made by that one create.
    await until(() => paymentOn(a).length === 1);
    expect(paymentOn(a)).toEqual([expect.objectContaining({ amount: 1 })]);
  });

  it('credentials ConnectWise refuses fail the file as a whole, after the first records, with nothing written', async () => {
    const invoices = unpaidInvoices(sandbox(), 40);
    const c = sandbox().connectwise;
    const wrongKey = { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: 'not-the-key', clientId: c.clientId, apiVersion: '2022.1' } };
    sandbox().control.resetRequests();
    await withEnv({ connections: wrongKey }, async (bad) => {
      const file = input('auth.xml', invoices.map((invoiceId) => ({ invoiceId, amount: 1 })));
      await expect(bad.runTask(importInvoicePaymentsTask, {}, file)).rejects.toMatchObject({ code: 'DW_CW_AUTH' });
      expect(requests().total).toBeLessThanOrEqual(bad.config.processing.recordConcurrency);
      expect(bad.outputs('success')).toEqual([]);
      expect(bad.outputs('fail')).toEqual([]);
    });
  });

  it('an outage that outlasts the retries stops the file (retryable); run again, it finishes with no payment made twice', async () => {
    const invoices = unpaidInvoices(sandbox(), 40);
    const control = sandbox().control;
    const before = createdCount();
    const storm = 10_000;
    control.injectFault({ path: paymentsPathOf(invoices.slice(3)), kind: '503', count: storm });
    const fast = { http: { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 2, retryBudgetMs: 5000, baseDelayMs: 1, maxDelayMs: 5, connections: 8 }, processing: { recordConcurrency: 2 } };
    await withEnv(fast, async (outage) => {
      const file = input('outage.xml', invoices.map((invoiceId, i) => ({ externalId: `O-${i}`, invoiceId, amount: i + 1 })));
      await expect(outage.runTask(importInvoicePaymentsTask, {}, file)).rejects.toMatchObject({ code: 'DW_CW_UNAVAILABLE', retryable: true });
      // Five records failed in a row, plus at most the one beside them, each tried maxAttempts × maxAttempts times.
      expect(storm - (control.faults()[0]?.remaining ?? 0)).toBeLessThanOrEqual(6 * 2 * 2);
      expect(createdCount() - before).toBe(3);
      expect(outage.outputs('success')).toEqual([]);

      control.clearFaults();
      const again = await outage.runTask(importInvoicePaymentsTask, {}, file);
      expect(again).toMatchObject({ status: 'success', recordsOk: 40, details: { created: 40, updated: 0 } });
      expect(createdCount() - before).toBe(40);
      for (const [i, invoiceId] of invoices.entries()) expect(paymentOn(invoiceId)).toEqual([expect.objectContaining({ amount: i + 1 })]);
    });
  });
});

describe('settings', () => {
  const parse = importInvoicePaymentsTask.parseSettings;
  it('derives the output names from the input file', () => {
    expect(parse({}, { name: 'payments.2024.xml' })).toEqual({ successFile: 'payments.2024_success.xml', failFile: 'payments.2024_fail.xml', preventReprocessing: false });
    expect(parse({ SuccessFile: 'ok.xml', failFile: 'bad.xml', preventReprocessing: 'true' }, { name: 'p.xml' })).toEqual({
      successFile: 'ok.xml',
      failFile: 'bad.xml',
      preventReprocessing: true,
    });
  });

  it('refuses to run without a dropped file, and unknown settings', () => {
    expect(() => parse({ inputFile: 'C:\\data\\payments.xml' })).toThrow(/does not read files named by a task request/);
    expect(() => parse({})).toThrow(/dropped <InvoicePayments> file/);
    expect(() => parse({ outputFile: 'x' }, { name: 'p.xml' })).toThrow(/"outputFile" is not a setting/);
    expect(() => parse({ successFile: 'a.xml', failFile: 'a.xml' }, { name: 'p.xml' })).toThrow(/must be different/);
    // A file-driven run reads the dropped file: an inputFile naming another one is refused, not ignored.
    expect(() => parse({ inputFile: 'x.xml' }, { name: 'p.xml' })).toThrow(expect.objectContaining({ code: 'DW_SETTINGS_INVALID', message: expect.stringContaining('"inputFile" cannot name another file') }));
  });
});

describe('validateFile', () => {
  it('reports every record problem and repeated invoices without calling the API', async () => {
    const [a] = unpaidInvoices(sandbox(), 1) as [number];
    const file = input('check.xml', [{ invoiceId: a, amount: 1 }, { invoiceId: 'x', paymentDate: 'yesterday' }, { invoiceId: a, amount: 2 }]);
    sandbox().control.resetRequests();
    const report = await importInvoicePaymentsTask.validateFile?.(file, parseSettingsFor(file));
    expect(report).toMatchObject({ ok: false, records: 3 });
    expect(report?.problems.map((p) => [p.record, p.code, p.field])).toEqual([
      [2, 'DW_RECORD_INVALID', 'invoice/id'],
      [2, 'DW_RECORD_INVALID', 'paymentDate'],
      [3, 'DW_DUPLICATE_IN_FILE', 'invoice/id'],
    ]);
    expect(requests().total).toBe(0);
    const malformed = path.join(env.dir, 'bad.xml');
    fs.writeFileSync(malformed, '<InvoicePayments><InvoicePayment>');
    expect(await importInvoicePaymentsTask.validateFile?.(malformed, parseSettingsFor(malformed))).toMatchObject({ ok: false, problems: [{ code: 'DW_XML_MALFORMED' }] });
  });
});

function parseSettingsFor(file: string) {
  return importInvoicePaymentsTask.parseSettings({}, { name: path.basename(file) });
}
