// Any name the inbox accepted can be processed: a name of up to 255 bytes gets `<id>__` in front of it
// when claimed and ` (2)`/`.error.xml`/`_success.xml` after it in the outbox, so each of those places
// shortens it within the limit while the journal keeps the name it was dropped with. Real import
// files, the sandbox over loopback.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimedFile, newClaimId } from '../../../src/agent/intake/claim.js';
import { Journal } from '../../../src/agent/pipeline/journal.js';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { silentLogger } from '../../../src/log.js';
import { builtInTasks } from '../../../src/tasks/registry.js';
import { withSandbox } from '../../support/sandbox.js';
import { createTestAgent, filesUnder, makeTempDir, type TestAgent } from '../../support/workspace.js';

const sandbox = withSandbox({ seed: 5 });
const running: { t: TestAgent; connectors: Connectors }[] = [];
afterEach(async () => {
  for (const { t, connectors } of running.splice(0)) {
    await t.agent.stop({ graceMs: 2000 });
    await t.runtime.close();
    await connectors.close();
  }
});

function importAgent(dir: string): TestAgent {
  const c = sandbox().connectwise;
  const connections = { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1' } };
  const connectors = createConnectors({ connections: connections as never, http: { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 2, retryBudgetMs: 2000, baseDelayMs: 5, maxDelayMs: 20, connections: 4 } as never }, silentLogger());
  const t = createTestAgent(dir, { config: { connections }, tasks: builtInTasks, deps: { connectors } });
  running.push({ t, connectors });
  return t;
}

/** A payments file for `count` unpaid invoices of the sandbox, from the `from`-th on. */
function paymentsFile(from: number, count: number): string {
  const ids = sandbox().control.invoices().filter((i) => !i['payments']).slice(from, from + count).map((i) => i['id'] as number);
  const records = ids.map((id) => `<InvoicePayment><invoice><id>${id}</id></invoice><amount>1</amount><paymentDate>2024-01-01T00:00:00Z</paymentDate></InvoicePayment>`);
  return `<InvoicePayments>${records.join('')}</InvoicePayments>`;
}

const bytes = (name: string) => Buffer.byteLength(name);

describe('names up to 255 bytes', () => {
  it('are claimed, imported, archived and failed within the limit, keeping the dropped name', async () => {
    const t = importAgent(await makeTempDir());
    await t.agent.start();
    const names = {
      ascii: `${'p'.repeat(251)}.xml`, // 255 bytes, the most a file system takes
      multiByte: `${'ø'.repeat(120)}-betalinger.xml`, // 255 bytes, 135 characters
      longish: `${'q'.repeat(200)}.xml`, // 204 characters: its default _success.xml name would pass 200
      windows: 'pay <1> "a|b"?*.xml', // legal on Linux, not in an output name
      broken: `${'b'.repeat(251)}.xml`,
    };
    expect(Object.values(names).slice(0, 2).map(bytes)).toEqual([255, 255]);
    const inbox = t.config.folders.inbox;
    await fs.writeFile(path.join(inbox, names.ascii), paymentsFile(0, 2));
    await fs.writeFile(path.join(inbox, names.multiByte), paymentsFile(2, 1));
    await fs.writeFile(path.join(inbox, names.longish), paymentsFile(3, 1));
    await fs.writeFile(path.join(inbox, names.windows), paymentsFile(4, 1));
    await fs.writeFile(path.join(inbox, names.broken), '<InvoicePayments><InvoicePayment>');

    const results = await t.processed(5);
    const byName = new Map(results.map((r) => [r.file.name, r]));
    for (const name of [names.ascii, names.multiByte, names.longish, names.windows]) {
      expect({ name, disposition: byName.get(name)?.disposition, status: byName.get(name)?.outcome?.status }).toEqual({ name, disposition: 'archived', status: 'success' });
    }
    expect(byName.get(names.broken)).toMatchObject({ disposition: 'failed', error: { code: 'DW_XML_MALFORMED' } });

    const success = await fs.readdir(t.config.folders.success);
    expect(success).toHaveLength(4);
    for (const out of success) {
      expect(out).toMatch(/_success\.xml$/);
      expect(out.length).toBeLessThanOrEqual(200);
      expect(bytes(out)).toBeLessThanOrEqual(240);
    }
    expect(success).toContain('pay _1_ _a_b____success.xml');
    expect(success).toContain(`${'ø'.repeat(91)}~_success.xml`);
    const fail = await fs.readdir(t.config.folders.fail);
    expect(fail.sort()).toEqual([`${'b'.repeat(233)}~.xml`, `${'b'.repeat(233)}~.xml.error.xml`]);
    expect(fail.map(bytes).every((b) => b <= 255)).toBe(true);
    expect(await fs.readFile(path.join(t.config.folders.fail, fail[0] as string), 'utf8')).toBe('<InvoicePayments><InvoicePayment>');
    expect(await filesUnder(t.config.folders.archive)).toHaveLength(4);
    expect(await fs.readdir(inbox)).toEqual([]);
    expect(await fs.readdir(path.join(t.config.folders.work, 'processing'))).toEqual([]);
  });

  it('resume after a crash under the name they were dropped with', async () => {
    const dir = await makeTempDir();
    const t = importAgent(dir);
    // What a crash right after the claim leaves: the file under its shortened claim name, the journal
    // holding the dropped name.
    const dropped = `${'r'.repeat(240)}-receipts.xml`;
    const claimed = claimedFile(path.join(t.config.folders.work, 'processing'), newClaimId(), dropped);
    expect(bytes(path.basename(claimed.path))).toBe(255);
    await fs.mkdir(path.dirname(claimed.path), { recursive: true });
    await fs.writeFile(claimed.path, paymentsFile(6, 1));
    const journal = await Journal.open(path.join(t.config.folders.work, 'journal.log'), { compact: false });
    await journal.record({ event: 'claimed', id: claimed.id, name: dropped }, { durable: true });
    await journal.close();

    await t.agent.start();
    const [result] = await t.processed(1);
    expect(result).toMatchObject({ disposition: 'archived', file: { id: claimed.id, name: dropped } });
    const [run] = await t.runtime.store.runs.recent(1);
    expect(run).toMatchObject({ file: dropped, result: 'success' });
  });
});
