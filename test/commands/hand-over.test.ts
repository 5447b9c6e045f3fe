// `dropwise task` and `dropwise run` while an agent runs on the same folders, with the real CLI and a
// real agent process: the work goes to the agent through its API (no DW_LOCKED), the verb follows it
// to the end and exits as a local run would (0 ok, 1 some records failed, 2 failed).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CLI, finished, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';

let dir: string;
let config: string;
let agent: { child: ChildProcess; done: Promise<CliResult>; out: () => string };

beforeAll(async () => {
  dir = await makeTempDir();
  config = path.join(dir, 'dropwise.json');
  const tick = (settings: Record<string, unknown>) => ({ type: 'test.tick', settings: { records: 10, delayMs: 30, ...settings } });
  await fs.writeFile(
    config,
    JSON.stringify({
      watch: { stabilityMs: 200, sweepMs: 500 },
      sandbox: { mode: 'off' },
      api: { port: 0 },
      log: { file: '', console: true },
      tasks: { ok: tick({ delayMs: 150 }), partial: tick({ failRecords: 2 }), broken: tick({ fail: true }) },
    }),
  );
  const child = spawnCli(['start', '--config', config], { script: TEST_CLI });
  const done = finished(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  agent = { child, done, out: () => out };
  await waitFor(() => out.includes('local API: http') || child.exitCode !== null, 20_000, () => 'the agent to start');
}, 30_000);

afterAll(async () => {
  agent.child.kill('SIGTERM');
  await agent.done;
});

const cli = (...args: string[]) => runCli([...args, '--config', config]);

describe('dropwise task and run while the agent runs', () => {
  it('task: runs in the agent, follows it with progress, and exits 0, 1 or 2 as the run ended', async () => {
    const ok = await cli('task', 'ok');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/the agent \(pid \d+\) runs task ok \(h-[^)]+\); following it/);
    expect(ok.stderr).toMatch(/ok: \d+ of 10 records/);
    expect(ok.stdout).toContain('Task:     ok');
    expect(ok.stdout).toContain('Result:   success: 10 records in, 10 ok, 0 failed');
    expect(ok.stderr).not.toContain('DW_LOCKED');

    const partial = await cli('task', 'partial');
    expect(partial.code, partial.stderr).toBe(1);
    expect(partial.stdout).toContain('Result:   partial: 10 records in, 8 ok, 2 failed');

    const broken = await cli('task', 'broken');
    expect(broken.code, broken.stderr).toBe(2);
    expect(broken.stdout).toContain('Error:    DW_SETTINGS_INVALID: test.tick was told to fail. Set fail to false');

    const unknown = await cli('task', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('DW_API_REFUSED');
    expect(unknown.stderr).toContain('No task "nope"');
    expect(agent.out()).toContain('Task ok started through the API');
  });

  it('run: the file is claimed into the agent\'s work/processing and processed there; a folder is refused before anything moves', async () => {
    const file = path.join(dir, 'given.xml');
    await fs.writeFile(file, '<?xml version="1.0"?>\n<Copy><line>hello</line></Copy>\n');
    const r = await cli('run', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the agent \(pid \d+\) processes given\.xml/);
    expect(r.stdout).toContain('File:     given.xml');
    expect(r.stdout).toMatch(/Original: archived as .*archive.*given\.xml/);
    await expect(fs.stat(file)).rejects.toThrow();
    expect((await filesUnder(path.join(dir, 'outbox', 'success'))).some((f) => f.endsWith('given.xml.copy'))).toBe(true);

    const folder = path.join(dir, 'a-folder');
    await fs.mkdir(folder);
    const refused = await cli('run', folder);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('DW_FILE_UNREADABLE');
    expect(refused.stderr).toContain('is not a regular file');
    await expect(fs.stat(folder)).resolves.toBeTruthy();
    expect(await fs.readdir(path.join(dir, 'work', 'processing'))).toEqual([]);
  });
});
