// `dropwise start` as a process: clean stops on SIGTERM and on a service 'shutdown' message, and no file
// lost or half-written when it is killed with SIGKILL in the middle of a batch and started again.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClaimedName } from '../../src/agent/intake/claim.js';
import { TEST_CLI, finished, spawnCli, type CliResult } from '../support/cli.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';

async function agentDir(): Promise<{ dir: string; config: string }> {
  const dir = await makeTempDir();
  const config = path.join(dir, 'dropwise.json');
  await fs.writeFile(
    config,
    JSON.stringify({ watch: { stabilityMs: 200, sweepMs: 500, concurrency: 2 }, sandbox: { mode: 'off' }, log: { file: 'logs/dropwise.log', console: true } }),
  );
  return { dir, config };
}

/** Starts the agent (with the test.copy task) and waits until it says it is watching. */
async function startAgent(config: string, ipc = false): Promise<{ child: ChildProcess; done: Promise<CliResult> }> {
  const child = spawnCli(['start', '--config', config], { script: TEST_CLI, ipc });
  const done = finished(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('dropwise is watching') || child.exitCode !== null, 20_000, () => 'the agent to start');
  return { child, done };
}

function copyDocument(name: string, kb: number): string {
  const line = `  <line>${name} ${'·'.repeat(60)}</line>\n`;
  return `<?xml version="1.0" encoding="utf-8"?>\n<Copy>\n${line.repeat(Math.ceil((kb * 1024) / line.length))}</Copy>\n`;
}

describe('dropwise start', () => {
  it('stops cleanly on SIGTERM', async () => {
    const { config, dir } = await agentDir();
    const { child, done } = await startAgent(config);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Stop requested (SIGTERM)');
    expect(r.stdout).toContain(`dropwise is watching ${path.join(dir, 'inbox')}`);
  });

  it("stops cleanly on a service 'shutdown' message (node-windows)", async () => {
    const { config } = await agentDir();
    const { child, done } = await startAgent(config, true);
    child.send('shutdown');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Stop requested (shutdown message)');
  });

  it('killed with SIGKILL mid-batch and restarted: every input ends in exactly one place, every output whole', async () => {
    const { config, dir } = await agentDir();
    const inputs = new Map<string, string>();
    for (let i = 0; i < 40; i++) inputs.set(`doc ${i} ü.xml`, copyDocument(`doc${i}`, 24));

    const first = await startAgent(config);
    await Promise.all([...inputs].map(([name, content]) => fs.writeFile(path.join(dir, 'inbox', name), content)));
    await waitFor(async () => (await filesUnder(path.join(dir, 'outbox', 'success'))).length >= 4, 30_000, () => 'a few outputs');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const archivedBeforeRestart = (await filesUnder(path.join(dir, 'archive'))).length;
    expect(archivedBeforeRestart, 'the kill came before the batch was done').toBeLessThan(inputs.size);

    const second = await startAgent(config);
    await waitFor(async () => (await filesUnder(path.join(dir, 'archive'))).length + (await filesUnder(path.join(dir, 'outbox', 'fail'))).length >= inputs.size, 60_000, () => 'every input to be finished');
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);

    // Each original is in exactly one place: here, all in the archive (test.copy never fails).
    const archived = (await filesUnder(path.join(dir, 'archive'))).map((p) => parseClaimedName(path.basename(p))?.name);
    expect(archived.sort()).toEqual([...inputs.keys()].sort());
    expect(await filesUnder(path.join(dir, 'outbox', 'fail'))).toEqual([]);
    expect(await filesUnder(path.join(dir, 'inbox'))).toEqual([]);
    expect(await filesUnder(path.join(dir, 'work', 'processing'))).toEqual([]);
    // Every output is whole: byte for byte its input. A file whose run was cut short may have been
    // written twice (tasks re-run from scratch, and outputs never overwrite), never half.
    const outputs = await filesUnder(path.join(dir, 'outbox', 'success'));
    const covered = new Set<string>();
    for (const output of outputs) {
      const name = output.replace(/ \(\d+\)(\.xml\.copy)$/, '$1').replace(/\.copy$/, '');
      expect(inputs.has(name), `${output} belongs to an input`).toBe(true);
      expect(await fs.readFile(path.join(dir, 'outbox', 'success', output), 'utf8'), `${output} is whole`).toBe(inputs.get(name));
      covered.add(name);
    }
    expect(covered.size).toBe(inputs.size);
  }, 120_000);
});
