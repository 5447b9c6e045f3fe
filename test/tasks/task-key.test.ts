// Watermark keys: a configured task keeps its own watermarks only when run exactly as configured; any
// other run (an overriding request, a request naming only a task type) continues its own.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import { resolveTask } from '../../src/tasks/run-plan.js';
import { settingsFingerprint, watermarkKey } from '../../src/tasks/task-key.js';
import { createConnectors } from '../../src/connectors/index.js';
import { silentLogger } from '../../src/log.js';
import { openStateStore } from '../../src/state/index.js';
import { TaskRegistry } from '../../src/tasks/registry.js';
import { useSandbox, type Sandbox } from '../support/sandbox.js';
import { makeTempDir, testConfig } from '../support/workspace.js';

const INVOICES = 30;
const NIGHTLY = { type: 'connectwise.export-invoices', connection: 'cw', settings: { exportMode: 'Modified', dateModified: '2000-01-01', outputFile: 'nightly.xml' } };

describe('watermarkKey', () => {
  const registry = new TaskRegistry();
  const config = { tasks: { nightly: NIGHTLY } } as const;
  const keyOf = (ref: Parameters<typeof resolveTask>[0]) => {
    const task = resolveTask(ref, config, registry);
    return watermarkKey({ ...task, type: task.definition.type }, task.connection);
  };

  it("is the configured task's name only when nothing is overridden", () => {
    expect(keyOf({ name: 'nightly' })).toBe('nightly');
    expect(keyOf({ name: 'nightly', settings: { exportmode: 'Modified' } })).toBe('nightly');
    expect(keyOf({ name: 'nightly', settings: { outputFile: 'other.xml' } })).toMatch(/^nightly@cw#[0-9a-f]{12}$/);
    expect(keyOf({ name: 'nightly', connection: 'cw2' })).toMatch(/^nightly@cw2#/);
    expect(keyOf({ name: 'nightly', settings: { conditions: { condition: { field: 'id' } } } })).toMatch(/^nightly@cw#/);
  });

  it('gives requests naming a type a key per effective settings, stable across key order and output name', () => {
    const all = keyOf({ type: NIGHTLY.type, settings: { exportMode: 'All', pageSize: '50', outputFile: 'a.xml' } });
    expect(all).toMatch(/^connectwise\.export-invoices@default#[0-9a-f]{12}$/);
    expect(keyOf({ type: NIGHTLY.type, settings: { outputFile: 'b.xml', pageSize: '50', exportMode: 'All' } })).toBe(all);
    expect(keyOf({ type: NIGHTLY.type, settings: { exportMode: 'New', pageSize: '50' } })).not.toBe(all);
    expect(settingsFingerprint({ exportMode: 'New', dateCreated: '2001-01-01' })).toBe(settingsFingerprint({ exportMode: 'New', dateCreated: '2024-01-01' }));
    expect(settingsFingerprint({ a: { x: 1, y: [1, 2] } })).toBe(settingsFingerprint({ a: { y: [1, 2], x: 1 } }));
    expect(settingsFingerprint({ a: { x: 1, y: [1, 2] } })).not.toBe(settingsFingerprint({ a: { x: 1, y: [2, 1] } }));
  });
});

describe('task requests and schedules with connectwise.export-invoices', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await useSandbox({ seed: 3, size: { invoices: INVOICES }, latencyMs: 0 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function openAgent(): Promise<{ agent: Agent; dir: string; close: () => Promise<void> }> {
    const dir = await makeTempDir();
    const c = sandbox.connectwise;
    const config = testConfig(dir, {
      connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId } },
      tasks: { nightly: NIGHTLY },
    });
    const store = openStateStore(config.folders.state);
    const connectors = createConnectors(config, silentLogger());
    const agent = new Agent({ config, log: silentLogger(), store, connectors, registry: new TaskRegistry() });
    await agent.open();
    return {
      agent,
      dir,
      close: async () => {
        await agent.close();
        await connectors.close();
      },
    };
  }

  async function request(agent: Agent, dir: string, name: string, body: string): Promise<number> {
    const file = path.join(dir, name);
    await fs.writeFile(file, `<TaskRequest>${body}</TaskRequest>`);
    const result = await agent.runFile(file);
    expect(result?.disposition).toBe('archived');
    return result?.outcome?.recordsOk ?? -1;
  }

  it('a request overriding the conditions of a configured task leaves the schedule its watermark', async () => {
    const { agent, dir, close } = await openAgent();
    try {
      const conditions = '<conditions><condition><field>id</field><comparison>LessThan</comparison><value>5</value></condition></conditions>';
      const adHoc = await request(agent, dir, 'one.xml', `<name>nightly</name><settings><outputFile>few.xml</outputFile>${conditions}</settings>`);
      expect(adHoc).toBe(4);
      const scheduled = await agent.runConfiguredTask('nightly', 'schedule');
      expect(scheduled.outcome.recordsOk).toBe(INVOICES);
      // The same request again continues from its own watermark: nothing new.
      expect(await request(agent, dir, 'two.xml', `<name>nightly</name><settings><outputFile>few.xml</outputFile>${conditions}</settings>`)).toBe(0);
    } finally {
      await close();
    }
  });

  it('an All request followed by a New request: both export everything', async () => {
    const { agent, dir, close } = await openAgent();
    try {
      const type = '<task>connectwise.export-invoices</task>';
      expect(await request(agent, dir, 'all.xml', `${type}<settings><exportMode>All</exportMode><outputFile>all.xml</outputFile></settings>`)).toBe(INVOICES);
      const fresh = `${type}<settings><exportMode>New</exportMode><outputFile>new.xml</outputFile></settings>`;
      expect(await request(agent, dir, 'new.xml', fresh)).toBe(INVOICES);
      expect(await request(agent, dir, 'new-again.xml', fresh)).toBe(0);
    } finally {
      await close();
    }
  });
});
