// `dropwise status` as a person runs it: it needs no connection secret, creates no folder, and tells
// whether an agent runs on the folders (from work/agent.json) and what it is doing (from its API).
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { filesUnder, makeTempDir } from '../support/workspace.js';

const traede = { type: 'traede', url: 'https://api.traede.com', token: 'env:STATUS_TEST_TRAEDE_TOKEN', appKey: 'env:STATUS_TEST_TRAEDE_KEY' };

describe('dropwise status', () => {
  it('needs no connection secret and creates no folder', async () => {
    const dir = await makeTempDir();
    const config = path.join(dir, 'dropwise.json');
    const tasks = { nightly: { type: 'traede.export-invoices', connection: 'shop', schedule: '0 2 * * *', settings: {} } };
    await fs.writeFile(config, JSON.stringify({ connections: { shop: traede }, tasks, api: { token: 'env:STATUS_TEST_API_TOKEN' } }));
    const r = await runCli(['status', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Agent: not running');
    expect(r.stdout).toMatch(/Schedules \(1\):\n {2}nightly {2}0 2 \* \* \* {2}next \d{4}-\d\d-\d\dT\d\d:00:00\.000Z/);
    expect(await fs.readdir(dir)).toEqual(['dropwise.json']);
    expect(await filesUnder(dir)).toEqual(['dropwise.json']);
  });

  it('says an agent.json left by a process that is gone is not a running agent', async () => {
    const dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'work'));
    const os = await import('node:os');
    // A pid far above any real one on this host.
    const gone = { pid: 2 ** 22 + 17, hostname: os.hostname(), version: '0.0.1', startedAt: '2026-01-01T00:00:00.000Z', api: 'http://127.0.0.1:9' };
    await fs.writeFile(path.join(dir, 'work', 'agent.json'), JSON.stringify(gone));
    await fs.writeFile(path.join(dir, 'dropwise.json'), '{}');
    const r = await runCli(['status', '--json', '--config', path.join(dir, 'dropwise.json')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ agent: { running: false, stalePid: gone.pid } });
  });
});
