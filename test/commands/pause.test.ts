// `dropwise pause` / `resume` against a real `dropwise start`: they find the agent through
// work/agent.json, authenticate with api.token from the same config, and intake stops and starts
// again while the agent keeps running. `status` shows the agent and its paused intake.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { finished, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';

const API_TOKEN = 'pause-test-token-0123456789abcdef';
const env = { PAUSE_TEST_API_TOKEN: API_TOKEN };
let running: { child: ChildProcess; done: Promise<CliResult> } | undefined;
afterEach(async () => {
  running?.child.kill('SIGTERM');
  await running?.done;
  running = undefined;
});

const taskRequest = '<TaskRequest><task>traede.export-invoices</task><settings><systemId>accounting</systemId><outputFile>traede.xml</outputFile></settings></TaskRequest>';

describe('dropwise pause / resume', () => {
  it('pause stops intake, status shows it, resume takes the waiting file; after the stop both say no agent runs', async () => {
    const dir = await makeTempDir();
    const config = path.join(dir, 'dropwise.json');
    await fs.writeFile(config, JSON.stringify({ watch: { stabilityMs: 200, sweepMs: 300 }, log: { file: '' }, api: { token: 'env:PAUSE_TEST_API_TOKEN' } }));
    const child = spawnCli(['start', '--config', config], { env });
    running = { child, done: finished(child) };
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('local API: http://127.0.0.1:') || child.exitCode !== null, 30_000, () => 'the agent to start');
    const apiUrl = /local API: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(JSON.parse(await fs.readFile(path.join(dir, 'work', 'agent.json'), 'utf8'))).toMatchObject({ pid: child.pid, api: apiUrl });

    const refused = await runCli(['pause', '--config', config], { env: { PAUSE_TEST_API_TOKEN: 'not-the-token' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('DW_API_REFUSED');
    expect(refused.stderr).not.toContain(API_TOKEN);

    const paused = await runCli(['pause', '--config', config], { env });
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain(`Intake paused: files stay in the inbox until dropwise resume (agent pid ${child.pid} at ${apiUrl})`);
    await fs.writeFile(path.join(dir, 'inbox', 'export.xml'), taskRequest);
    const status = await runCli(['status', '--config', config], { env });
    expect(status.stdout).toContain(`Agent: running, pid ${child.pid}`);
    expect(status.stdout).toContain(`API at ${apiUrl}`);
    expect(status.stdout).toContain('intake: PAUSED');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await filesUnder(path.join(dir, 'inbox'))).toEqual(['export.xml']);

    const resumed = await runCli(['resume', '--config', config], { env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Intake resumed');
    await waitFor(async () => (await filesUnder(path.join(dir, 'outbox', 'success'))).length === 1, 30_000, () => 'the export to be written');
    expect(await filesUnder(path.join(dir, 'inbox'))).toEqual([]);

    child.kill('SIGTERM');
    expect((await running.done).code).toBe(0);
    running = undefined;
    await expect(fs.stat(path.join(dir, 'work', 'agent.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const none = await runCli(['resume', '--config', config], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('DW_AGENT_NOT_RUNNING');
    expect((await runCli(['status', '--config', config])).stdout).toContain('Agent: not running');
  }, 120_000);
});
