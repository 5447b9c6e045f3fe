// /readyz's "state readable" check names a damaged store (run history, watermarks, truth table) and
// its file, and turns ready again once the file is repaired.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceOf } from '../../src/agent/workspace.js';
import { ConnectionHealth } from '../../src/api/connection-health.js';
import { ReadinessProbe } from '../../src/api/readiness.js';
import { openStateStore } from '../../src/state/index.js';
import { makeTempDir, testConfig } from '../support/workspace.js';

async function probeOf(dir: string) {
  const config = testConfig(dir);
  const workspace = workspaceOf(config.folders);
  for (const folder of [workspace.inbox, workspace.processing, workspace.success, workspace.fail, config.folders.state]) await fs.mkdir(folder, { recursive: true });
  const probe = new ReadinessProbe({ config, workspace, connections: new ConnectionHealth() });
  let now = 0;
  // Each check a fresh computation, not the cached one.
  return { state: config.folders.state, check: async () => (await probe.check((now += 60_000))).checks.find((c) => c.name === 'state readable') };
}

describe('readiness: state readable', () => {
  it('is ok for a fresh and for a written state', async () => {
    const { state, check } = await probeOf(await makeTempDir());
    expect(await check()).toMatchObject({ ok: true });
    const store = openStateStore(state);
    await store.lock('start');
    await store.watermarks.set('t', { a: 'b' });
    await store.truth.putMany([{ connection: 'cw', entity: 'p', externalId: 'x', id: 1, hash: 'h', created: 'c', modified: 'm' }]);
    await store.close();
    expect(await check()).toMatchObject({ ok: true });
  });

  it.each([
    ['run history', 'runs.json'],
    ['watermarks', 'watermarks.json'],
    ['truth table', path.join('truth', 'truth-07.json')],
    ['truth table', path.join('truth', 'truth.log')],
  ])('names a damaged %s (%s), and is ok again once it is repaired', async (store, file) => {
    const { state, check } = await probeOf(await makeTempDir());
    await fs.mkdir(path.join(state, 'truth'), { recursive: true });
    await fs.writeFile(path.join(state, file), '{"entries": {"torn\n{}\n');
    const damaged = await check();
    expect(damaged?.ok).toBe(false);
    expect(damaged?.message).toContain(`${store} damaged: ${path.join(state, file)}`);
    await fs.writeFile(path.join(state, file), file.endsWith('.log') ? '{}\n{"torn' : '{}');
    expect(await check()).toMatchObject({ ok: true });
  });
});
