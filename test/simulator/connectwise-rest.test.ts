// The most-used Node client, connectwise-rest, against `dropwise simulate --tls` as an integrator
// would run them: the CLI in one process, the client in another trusting the printed certificate
// through NODE_EXTRA_CA_CERTS (connectwise-rest always builds https:// URLs). List with conditions,
// paginate, count, create/patch/delete a payment, batch entries, and ConnectWise's refusal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, finished, spawnCli } from '../support/cli.js';

const CLIENT = `
import cwRest from 'connectwise-rest';
const { ManageAPI } = cwRest;
const { host, clientId } = JSON.parse(process.env.SANDBOX);
const cwm = new ManageAPI({ companyId: 'sandbox', companyUrl: host, entryPoint: 'v4_6_release', publicKey: 'sandbox-public-key', privateKey: 'sandbox-private-key', clientId });
const f = cwm.FinanceAPI;
const out = {};
out.filtered = (await f.getFinanceInvoices({ conditions: 'total > 100 and company/identifier != null', orderBy: 'total desc', pageSize: 5, fields: 'id,total' }));
out.paginated = (await cwm.paginate(f.getFinanceInvoices, { startPage: 1, pageSize: 7 }, { conditions: 'id <= 20' })).map((i) => i.id);
out.count = await f.getFinanceInvoicesCount({ conditions: 'id <= 20' });
const [unpaid] = await f.getFinanceInvoices({ conditions: 'payments = 0 and total > 50', pageSize: 1 });
const created = await f.postFinanceInvoicesByParentIdPayments(unpaid.id, { amount: 25, paymentDate: '2024-03-01T00:00:00Z' });
const patched = await f.patchFinanceInvoicesByParentIdPaymentsById(created.id, unpaid.id, [{ op: 'replace', path: 'amount', value: 30 }]);
const balance = (await f.getFinanceInvoicesById(unpaid.id)).balance;
await f.deleteFinanceInvoicesByParentIdPaymentsById(created.id, unpaid.id);
out.payment = { invoice: unpaid, created, patched, balance, after: await f.getFinanceInvoicesByParentIdPayments(unpaid.id) };
const exported = await f.postFinanceAccountingExport({ exportInvoicesFlag: true });
const ids = exported.transactions[0].glEntryIds.split(',').map(Number);
await f.postFinanceAccountingBatches({ batchIdentifier: 'rehearsal', processedRecordIds: ids });
const [batch] = await f.getFinanceAccountingBatches({ conditions: 'batchIdentifier = "rehearsal"' });
out.entries = { ids, listed: (await f.getFinanceAccountingBatchesByParentIdEntries(batch.id)).map((e) => e.id), count: await f.getFinanceAccountingBatchesByParentIdEntriesCount(batch.id) };
try {
  await f.getFinanceInvoices({ conditions: 'compnay/identifier = "X"' });
  out.refused = 'not refused';
} catch (error) {
  out.refused = { status: error.status, body: error.data };
}
process.stdout.write(JSON.stringify(out));
`;

describe('connectwise-rest against dropwise simulate --tls', () => {
  let sim: ChildProcess | undefined;
  let banner = '';

  beforeAll(async () => {
    sim = spawnCli(['simulate', '--tls', '--seed', '3', '--invoices', '80']);
    await new Promise<void>((resolve, reject) => {
      sim?.stdout?.on('data', (d: Buffer) => {
        banner += d.toString();
        if (banner.includes('Press Ctrl-C')) resolve();
      });
      sim?.on('exit', (code) => reject(new Error(`simulate exited ${String(code)}: ${banner}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (!sim) return;
    const done = finished(sim);
    sim.kill('SIGTERM');
    await done;
  });

  it('lists, paginates, counts, writes a payment, reads batch entries and meets the strictness', async () => {
    const url = /^ConnectWise\s+(https:\/\/\S+)$/m.exec(banner)?.[1] ?? '';
    const certFile = /^Certificate\s+(\S+)/m.exec(banner)?.[1] ?? '';
    const clientId = /^\s+clientId\s+(\S+)$/m.exec(banner)?.[1] ?? '';
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v4_6_release\/apis\/3\.0$/);
    expect(existsSync(certFile)).toBe(true);
    expect(banner).toContain(`NODE_EXTRA_CA_CERTS=${certFile}`);
    const host = new URL(url).host;
    const client = spawn(process.execPath, ['--input-type=module', '-e', CLIENT], {
      cwd: ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile, SANDBOX: JSON.stringify({ host, clientId }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = await finished(client);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

    expect(out['filtered'].length).toBe(5);
    const totals = (out['filtered'] as { id: number; total: number }[]).map((i) => i.total);
    expect(totals.every((t) => t > 100)).toBe(true);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(Object.keys(out['filtered'][0]).sort()).toEqual(['id', 'total']);
    expect(out['paginated']).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(out['count']).toEqual({ count: 20 });

    const { invoice, created, patched, balance, after } = out['payment'];
    expect(created).toMatchObject({ amount: 25, paymentDate: '2024-03-01T00:00:00Z', invoice: { id: invoice.id } });
    expect(patched).toMatchObject({ id: created.id, amount: 30 });
    expect(balance).toBeCloseTo(invoice.total - 30, 2);
    expect(after).toEqual([]);

    expect(out['entries'].listed).toEqual(out['entries'].ids);
    expect(out['entries'].count).toEqual({ count: out['entries'].ids.length });

    expect(out['refused']).toEqual({ status: 400, body: { code: 'ApiFindCondition', message: 'compnay is not a recognized name.' } });
  }, 60_000);
});
