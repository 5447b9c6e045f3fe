// A run of a claimed file that commits one output and fails before the next (here the fail folder
// cannot be written, the same window as a crash between the two commits) is run again later: the
// output that already stands is recognised and not written twice, every record keeps the action it
// really had, and nothing is sent to ConnectWise a second time.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { createSandboxAgent, makeTempDir, waitFor, type TestAgent } from '../../support/workspace.js';
import { outputRecords, unpaidInvoices, writePaymentsFile } from '../../tasks/connectwise/payments/payments-file.js';

const sandbox = withSandbox({ seed: 5 });
let harness: TestAgent | undefined;
afterEach(async () => {
  await harness?.agent.stop({ graceMs: 2000 });
  await harness?.runtime.close();
});

describe('processClaimed', () => {
  it('a run resumed after its success file was committed and its fail file was not writes neither twice, and sends nothing again', async () => {
    const sb = sandbox();
    const invoices = unpaidInvoices(sb, 3);
    const dir = await makeTempDir();
    const made = createSandboxAgent(sb, dir, 500);
    harness = made.harness;
    const { connectors } = made;
    const { folders } = harness.config;
    await harness.agent.start();
    // The fail folder is a file: its commit fails after the success file's has gone through.
    fs.rmSync(folders.fail, { recursive: true, force: true });
    fs.writeFileSync(folders.fail, 'not a folder');
    const before = sb.control.created().payments.length;
    sb.control.resetRequests();

    const staged = writePaymentsFile(path.join(dir, 'staged.xml'), [
      { invoiceId: invoices[0] as number, amount: 1 },
      { invoiceId: 999_999, amount: 2 },
      { externalId: 'C-1', invoiceId: invoices[1] as number, amount: 3 },
      { invoiceId: invoices[2] as number, amount: 4 },
    ]);
    fs.renameSync(staged, path.join(folders.inbox, 'receipts.xml'));
    const [first] = await harness.processed(1);
    expect(first).toMatchObject({ disposition: 'retry', error: expect.objectContaining({ code: 'DW_OUTPUT_WRITE' }) });
    expect(fs.readdirSync(folders.success)).toEqual(['receipts_success.xml']);
    const requestsOfFirst = sb.control.requests().total;

    fs.rmSync(folders.fail);
    fs.mkdirSync(folders.fail);
    await waitFor(() => harness!.results.some((r) => r.disposition === 'archived'), 20_000, () => 'the retried file to be archived');

    expect(fs.readdirSync(folders.success)).toEqual(['receipts_success.xml']);
    expect(fs.readdirSync(folders.fail)).toEqual(['receipts_fail.xml']);
    const actions = outputRecords(path.join(folders.success, 'receipts_success.xml')).map((r) => /<action>(\w+)/.exec(r)?.[1]);
    expect(actions).toEqual(['created', 'created', 'created']);
    expect(outputRecords(path.join(folders.fail, 'receipts_fail.xml'))).toEqual([expect.stringContaining('<code>DW_CW_NOT_FOUND</code>')]);
    expect(sb.control.created().payments.length - before).toBe(3);
    expect(sb.control.requests().total, 'the second run sent nothing').toBe(requestsOfFirst);
    // The claim's resume file is gone with the claim.
    expect(fs.readdirSync(path.join(folders.work, 'claims'))).toEqual([]);
    await connectors.close();
  });
});
