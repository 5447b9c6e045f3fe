// The sandbox is as strict as ConnectWise, so a typo in a task's condition fails here as it would in
// production: `dropwise run` on a task request naming an unknown field leaves the request in
// outbox/fail with ConnectWise's message in its .error.xml, and writes no export.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runFile } from '../../../src/commands/run.js';
import { createConnectors } from '../../../src/connectors/index.js';
import { silentLogger } from '../../../src/log.js';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';
import { openStateStore } from '../../../src/state/index.js';
import { TaskRegistry } from '../../../src/tasks/registry.js';
import { makeTempDir, testConfig } from '../../support/workspace.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, size: { invoices: 40 } });
});
afterAll(async () => {
  await sandbox.close();
});

describe('connectwise.export-invoices: a condition naming an unknown field', () => {
  it.each([
    ['totl', 'GreaterThan', '1000', 'totl is not a recognized name.'],
    ['compnay/identifier', 'Equals', '"ACME"', 'compnay is not a recognized name.'],
    ['taxableFlag', 'Equals', '1', 'Expected a boolean value, not a numeric.'],
  ])('%s fails the request with ConnectWise’s message in its .error.xml', async (field, comparison, value, message) => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const dir = await makeTempDir();
    const c = sandbox.connectwise;
    const config = testConfig(dir, {
      connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId } },
    });
    const store = openStateStore(config.folders.state);
    const rt = { config, log: silentLogger(), store, connectors: createConnectors(config, silentLogger()), registry: new TaskRegistry(), close: async () => undefined };
    try {
      const request = path.join(dir, 'typo.xml');
      fs.writeFileSync(
        request,
        `<?xml version="1.0" encoding="utf-8"?>
<TaskRequest>
  <task>connectwise.export-invoices</task>
  <settings>
    <exportMode>All</exportMode>
    <outputFile>typo-invoices.xml</outputFile>
    <conditions>
      <condition><field>${field}</field><comparison>${comparison}</comparison><value>${value}</value></condition>
    </conditions>
  </settings>
</TaskRequest>`,
      );
      expect(await runFile(rt, request)).toBe(2);
      expect(fs.readdirSync(config.folders.fail).sort()).toEqual(['typo.xml', 'typo.xml.error.xml']);
      const error = fs.readFileSync(path.join(config.folders.fail, 'typo.xml.error.xml'), 'utf8');
      expect(error).toContain(message);
      expect(error).toContain('DW_CW_VALIDATION');
      expect(fs.readdirSync(config.folders.success)).toEqual([]);
    } finally {
      await rt.connectors.close();
      await store.close();
      vi.restoreAllMocks();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
