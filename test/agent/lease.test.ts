// Agents sharing a PostgreSQL state as real processes on one inbox, against one sandbox: every file
// processed once, every payment created once, every schedule fire time run once; then with one agent
// SIGKILLed mid-way: the others adopt its work and finish it. And a partition: the database stopped
// for a while under a running agent.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseClaimedName } from '../../src/agent/intake/claim.js';
import { readAgentFile } from '../../src/api/agent-file.js';
import type { Readiness } from '../../src/api/readiness.js';
import { describeOutcome, runAgents, startAgent, writeAgentConfig } from '../support/agents.js';
import buildDist from '../support/global-setup.js';
import { startPostgresServer } from '../support/postgres-server.js';
import { testSchema, type TestSchema } from '../support/postgres.js';
import { withSandbox } from '../support/sandbox.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';
import { unpaidInvoices, writePaymentsFile } from '../tasks/connectwise/payments/payments-file.js';

const FILES = 300;
const sandbox = withSandbox({ seed: 17, size: { invoices: 3 * FILES } });
beforeAll(() => buildDist());

describe('three agents on one inbox', () => {
  let schema: TestSchema | undefined;
  afterEach(async () => {
    await schema?.drop();
    schema = undefined;
  });

  it(`process ${FILES} files once each, create each payment once and run each fire time once`, async () => {
    schema = await testSchema('agents');
    const outcome = await runAgents(sandbox(), { pg: schema, files: FILES, scheduleEverySeconds: 2 });
    console.log(describeOutcome(outcome));
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.archived).toBe(FILES);
    expect(Object.keys(outcome.fires).length).toBeGreaterThanOrEqual(1);
  }, 150_000);

  it('finish the work of an agent SIGKILLed mid-way, nothing lost or doubled', async () => {
    schema = await testSchema('agents');
    const outcome = await runAgents(sandbox(), { pg: schema, files: FILES, scheduleEverySeconds: 2, kill: { agent: 1, afterArchived: FILES / 10 } });
    console.log(describeOutcome(outcome));
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.killed?.holding).toBeGreaterThan(0);
    expect(outcome.killed?.adoptions).toHaveLength(1);
  }, 150_000);
});

describe('an agent whose database goes away', () => {
  it('stops taking files, says why in /readyz, and resumes without loss once the database is back', async () => {
    const server = await startPostgresServer();
    const dir = await makeTempDir('dw-partition-');
    for (const d of ['inbox', 'staging', 'outbox/success', 'outbox/fail', 'archive', 'work']) await fs.mkdir(path.join(dir, d), { recursive: true });
    const sb = sandbox();
    const invoices = unpaidInvoices(sb, 40, 1);
    const drop = async (from: number, to: number) => {
      for (let i = from; i < to; i++) writePaymentsFile(path.join(dir, 'staging', `p-${i}.xml`), [{ externalId: `P-${i}`, invoiceId: invoices[i]!, amount: 2, paymentDate: '2024-05-01' }]);
      for (let i = from; i < to; i++) await fs.rename(path.join(dir, 'staging', `p-${i}.xml`), path.join(dir, 'inbox', `p-${i}.xml`));
    };
    const archived = async () => (await filesUnder(path.join(dir, 'archive'))).length;
    const createdBefore = sb.control.created().payments.length;
    try {
      const config = await writeAgentConfig(dir, 'solo', sb, { pg: { url: server.url, schema: 'dropwise' }, leaseSeconds: 2 });
      const agent = await startAgent('solo', config, server.url);
      const api = (await readAgentFile(path.join(dir, 'work', 'solo')))?.api;
      expect(api).toBeDefined();
      const ready = async (): Promise<{ status: number; body: Readiness }> => {
        const res = await fetch(`${api}/readyz`);
        return { status: res.status, body: (await res.json()) as Readiness };
      };
      await drop(0, 20);
      await waitFor(async () => (await archived()) === 20, 30_000, () => 'the first 20 files');
      expect((await ready()).body.checks.find((c) => c.name === 'state store lease')).toMatchObject({ ok: true });

      await server.stop();
      let held: Readiness | undefined;
      await waitFor(
        async () => {
          const r = await ready();
          held = r.status === 503 ? r.body : undefined;
          return held?.failed.includes('state store lease') ?? false;
        },
        15_000,
        () => 'readiness to say the lease is in doubt',
      );
      expect(held?.checks.find((c) => c.name === 'state store lease')?.message).toMatch(/state store unreachable since .*no file is taken|lease lost/);
      await drop(20, 40);
      // Several sweeps go by: the files stay in the inbox for whichever agent holds a lease.
      await sleep(2500);
      expect((await fs.readdir(path.join(dir, 'inbox'))).length).toBe(20);
      expect(await archived()).toBe(20);

      await server.start();
      await waitFor(async () => (await archived()) === 40, 60_000, () => 'the 20 files dropped during the partition');
      await waitFor(async () => (await ready()).status === 200, 15_000, () => 'readiness to be back');
      agent.child.kill('SIGTERM');
      expect((await agent.done).code).toBe(0);
      const log = await fs.readFile(path.join(dir, 'logs', 'solo.log'), 'utf8');
      expect(log).toContain('Intake held: ');
      expect(log).toContain('The PostgreSQL state store answers again');

      const names = (await filesUnder(path.join(dir, 'archive'))).map((rel) => parseClaimedName(path.basename(rel))?.name);
      expect(names.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `p-${i}.xml`).sort());
      expect((await filesUnder(path.join(dir, 'outbox', 'success'))).length).toBe(40);
      expect(await filesUnder(path.join(dir, 'outbox', 'fail'))).toEqual([]);
      expect(sb.control.created().payments.length - createdBefore).toBe(40);
    } finally {
      await server.destroy();
    }
  }, 150_000);
});
