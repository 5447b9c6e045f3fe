// A ConnectWise outage is not the file's fault: the file waits in work/processing and goes through once
// ConnectWise is back, without anyone dropping it again and without a duplicate payment.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withSandbox } from '../support/sandbox.js';
import { createSandboxAgent, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

const sandbox = withSandbox({ seed: 3 });
let harness: TestAgent | undefined;
afterEach(async () => {
  await harness?.agent.stop({ graceMs: 2000 });
  await harness?.runtime.close();
  sandbox().control.clearFaults();
});

describe('an API outage', () => {
  it('leaves the file in work/processing and imports it once ConnectWise answers again', async () => {
    const sb = sandbox();
    const unpaid = sb.control.invoices().filter((i) => !i['payments']).slice(0, 3).map((i) => i['id'] as number);
    const dir = await makeTempDir();
    const made = createSandboxAgent(sb, dir, 300);
    harness = made.harness;
    const { connectors } = made;
    sb.control.injectFault({ path: '/finance/invoices/*', kind: '503', count: 1_000 });

    await harness.agent.start();
    const records = unpaid.map((id) => `<InvoicePayment><invoice><id>${id}</id></invoice><amount>1</amount><paymentDate>2024-01-01T00:00:00Z</paymentDate></InvoicePayment>`);
    fs.writeFileSync(path.join(harness.config.folders.inbox, 'receipts.xml'), `<InvoicePayments>${records.join('')}</InvoicePayments>`);

    const [first] = await harness.processed(1);
    expect(first).toMatchObject({ disposition: 'retry', error: expect.objectContaining({ code: 'DW_CW_UNAVAILABLE' }) });
    expect(fs.readdirSync(path.join(harness.config.folders.work, 'processing'))).toEqual([expect.stringMatching(/__receipts\.xml$/)]);
    expect(fs.readdirSync(harness.config.folders.fail)).toEqual([]);

    sb.control.clearFaults();
    await waitFor(() => harness!.results.some((r) => r.disposition === 'archived'), 20_000, () => 'the retried file to be archived');
    expect(fs.readdirSync(harness.config.folders.success)).toEqual(['receipts_success.xml']);
    for (const id of unpaid) expect(sb.control.paymentsForInvoice(id)).toHaveLength(1);
    // In the history the attempts during the outage wait (not failed), the retry that went through succeeded.
    const runs = await harness.runtime.store.runs.query({ file: 'receipts.xml' });
    expect(runs.runs[0]).toMatchObject({ result: 'success', recordsOk: 3 });
    expect(runs.runs.slice(1).length).toBeGreaterThan(0);
    for (const run of runs.runs.slice(1)) expect(run).toMatchObject({ result: 'waiting', error: { code: 'DW_CW_UNAVAILABLE' } });
    await connectors.close();
  });
});
