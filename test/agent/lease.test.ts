// Agents sharing a PostgreSQL state as real processes on one inbox, against one sandbox: every file
// processed once, every payment created once, every schedule fire time run once; then with one agent
// SIGKILLed mid-way: the others adopt its work and finish it. And a partition: the database stopped
// for a while under a running agent.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimedFile, parseClaimedName, type ClaimedFile } from '../../src/agent/intake/claim.js';
import { AgentLease } from '../../src/agent/lease.js';
import { Journal } from '../../src/agent/pipeline/journal.js';
import { createFolders, workspaceOf } from '../../src/agent/workspace.js';
import { PgCoordination } from '../../src/state/postgres/coordination.js';
import { migrate } from '../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../src/state/postgres/migrations.js';
import { openPool } from '../../src/state/postgres/pool.js';
import { readAgentFile } from '../../src/api/agent-file.js';
import type { Readiness } from '../../src/api/readiness.js';
import { describeOutcome, runAgents, startAgent, writeAgentConfig } from '../support/agents.js';
import buildDist from '../support/global-setup.js';
import { captureLogger } from '../support/capture-log.js';
import { startPostgresServer } from '../support/postgres-server.js';
import { testSchema, type TestSchema } from '../support/postgres.js';
import { withSandbox } from '../support/sandbox.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';
import { unpaidInvoices, writePaymentsFile } from '../tasks/connectwise/payments/payments-file.js';

// DROPWISE_AGENTS_FILES=10000 npx vitest run test/agent/lease.test.ts -t "three agents": the figure.
const FILES = Number(process.env['DROPWISE_AGENTS_FILES'] ?? 300);
const sandbox = withSandbox({ seed: 17, size: { invoices: 3 * FILES } });
beforeAll(() => buildDist());

describe('AgentLease', () => {
  const opened: { schema: TestSchema; pool: pg.Pool; leases: AgentLease[]; journals: Journal[] }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      for (const l of o.leases) await l.stop({ processingEmpty: true });
      for (const j of o.journals) await j.close();
      await o.pool.end();
      await o.schema.drop();
    }
  });

  async function setup() {
    const schema = await testSchema('lease');
    const pool = openPool({ url: schema.url, poolSize: 6, schema: schema.schema }, { applicationName: 'test' });
    await migrate(pool, schema.schema, MIGRATIONS);
    const root = await makeTempDir('dw-lease-');
    const entry = { schema, pool, leases: [] as AgentLease[], journals: [] as Journal[] };
    opened.push(entry);
    const workspace = (name: string) => workspaceOf({ inbox: path.join(root, 'inbox'), success: path.join(root, 's'), fail: path.join(root, 'f'), archive: path.join(root, 'a'), work: path.join(root, 'work', name), state: path.join(root, 'state') });
    const lease = async (name: string) => {
      const ws = workspace(name);
      await createFolders(ws);
      const journal = await Journal.open(ws.journal, { compact: false });
      entry.journals.push(journal);
      const coordination = new PgCoordination(pool, 1);
      const { log, lines } = captureLogger();
      const adopted: ClaimedFile[] = [];
      const live: number[] = [];
      const fenced: number[] = [];
      const l = new AgentLease({ coordination, name, leaseSeconds: 1, workRoot: path.join(root, 'work'), workspace: ws, journal: () => journal, log, onHold: () => undefined, mayAdopt: () => true, onFenced: () => fenced.push(Date.now()), onAdopted: (files) => adopted.push(...files), onLiveAgents: (n) => live.push(n) });
      await l.start();
      entry.leases.push(l);
      return { lease: l, coordination, lines, adopted, live, fenced, ws };
    };
    return { schema, pool, workspace, lease };
  }

  it('adopts the files of an agent whose lease ran out, once, and resumes them here', async () => {
    const { schema, pool, workspace, lease } = await setup();
    // An agent that registered, claimed two files and died.
    const deadWs = workspace('dead');
    await createFolders(deadWs);
    const dead = new PgCoordination(pool, 1);
    await dead.register({ name: 'dead', host: 'h', pid: 1, version: '2', workDir: deadWs.work });
    for (const [i, name] of ['x.xml', 'y.xml'].entries()) await fs.writeFile(claimedFile(deadWs.processing, `20261202T00000000${i}-abcdef`, name).path, '<x/>');
    const [a, b] = [await lease('a'), await lease('b')];
    await waitFor(() => a.adopted.length + b.adopted.length === 2, 10_000, () => 'the dead agent to be adopted');
    await sleep(1000);
    const adopter = a.adopted.length > 0 ? a : b;
    expect([...a.adopted, ...b.adopted].map((f) => f.name).sort()).toEqual(['x.xml', 'y.xml']);
    expect((await fs.readdir(adopter.ws.processing)).length).toBe(2);
    expect(await fs.readdir(deadWs.processing)).toEqual([]);
    expect(adopter.lines.filter((l) => l.message.startsWith('Adopted agent dead'))).toHaveLength(1);
    const row = await schema.query(`SELECT adopted_by, nothing_left, generation FROM ${schema.schema}.agents WHERE name = 'dead'`);
    expect(row.rows[0]).toMatchObject({ adopted_by: adopter === a ? 'a' : 'b', nothing_left: true, generation: '2' });
    // The live agents count each other (the dead one not): each takes half of a rate budget.
    expect(a.live.at(-1)).toBe(2);
    await expect(dead.heartbeat()).rejects.toMatchObject({ code: 'DW_FENCED' });
  });

  it('registers again when its heartbeat is refused as fenced, and goes on taking files', async () => {
    const { schema, lease } = await setup();
    const a = await lease('a');
    expect(a.coordination.fence()?.generation).toBe(1);
    await schema.query(`UPDATE ${schema.schema}.agents SET generation = generation + 1, adopted_by = 'other' WHERE name = 'a'`);
    await waitFor(() => a.coordination.fence()?.generation === 3, 5000, () => 'the agent to register again');
    expect(a.lines.some((l) => l.message.includes('taken over by agent other') && l.message.includes('registers again'))).toBe(true);
    expect(a.fenced).toHaveLength(1);
    expect(a.lease.problem).toBeUndefined();
  });
});

describe('three agents on one inbox', () => {
  let schema: TestSchema | undefined;
  afterEach(async () => {
    await schema?.drop();
    schema = undefined;
  });

  it(`process ${FILES} files once each, create each payment once and run each fire time once`, async () => {
    schema = await testSchema('agents');
    const outcome = await runAgents(sandbox(), { pg: schema, files: FILES, exportRequests: Math.ceil(FILES / 50), scheduleEverySeconds: 2, timeoutMs: Math.max(120_000, FILES * 90) });
    console.log(describeOutcome(outcome));
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.archived).toBe(FILES + Math.ceil(FILES / 50));
    expect(outcome.exportOutputs).toBe(Math.ceil(FILES / 50));
    expect(Object.keys(outcome.fires).length).toBeGreaterThanOrEqual(1);
    await fs.rm(outcome.dir, { recursive: true, force: true });
  }, Math.max(150_000, FILES * 100));

  it('finish the work of an agent SIGKILLed mid-way, nothing lost or doubled', async () => {
    schema = await testSchema('agents');
    const outcome = await runAgents(sandbox(), { pg: schema, files: FILES, exportRequests: Math.ceil(FILES / 50), scheduleEverySeconds: 2, kill: { agent: 1, afterArchived: FILES / 10 }, timeoutMs: Math.max(120_000, FILES * 90) });
    console.log(describeOutcome(outcome));
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.killed?.holding).toBeGreaterThan(0);
    expect(outcome.killed?.adoptions).toHaveLength(1);
    await fs.rm(outcome.dir, { recursive: true, force: true });
  }, Math.max(150_000, FILES * 100));
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
      let last: Readiness | undefined;
      await waitFor(
        async () => {
          const r = await ready();
          last = r.body;
          return r.status === 200;
        },
        15_000,
        () => `readiness to be back (failing: ${JSON.stringify(last?.checks.filter((c) => !c.ok))})`,
      );
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
      await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await server.destroy();
    }
  }, 150_000);
});
