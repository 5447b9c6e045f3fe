// `dropwise run` and `task` stopped by SIGINT (Ctrl+C), SIGTERM or SIGHUP (a dropped SSH session), with
// the real CLI: the run is aborted cleanly (no temp file left in work/tmp), recorded as interrupted,
// the lock is released (the next run works at once), and the exit code is 128 + the signal's number.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signalExitCode } from '../../src/commands/stop-signals.js';
import { openStateStore } from '../../src/state/index.js';
import { TEST_CLI, finished, runCli, spawnCli } from '../support/cli.js';
import { filesUnder, makeTempDir, waitFor } from '../support/workspace.js';

async function workDir(): Promise<{ dir: string; config: string }> {
  const dir = await makeTempDir();
  const config = path.join(dir, 'dropwise.json');
  await fs.writeFile(
    config,
    JSON.stringify({
      sandbox: { mode: 'off' },
      // api.enabled false: no agent here, and none to hand over to.
      api: { enabled: false },
      log: { file: '', console: true },
      tasks: { ticks: { type: 'test.tick', settings: { records: 400, delayMs: 25 } } },
    }),
  );
  return { dir, config };
}

function copyDocument(kb: number): string {
  const line = `  <line>${'·'.repeat(60)}</line>\n`;
  return `<?xml version="1.0" encoding="utf-8"?>\n<Copy>\n${line.repeat(Math.ceil((kb * 1024) / line.length))}</Copy>\n`;
}

async function lastRun(dir: string): Promise<{ result: string; error?: { code: string } } | undefined> {
  const store = openStateStore(path.join(dir, 'state'));
  try {
    return (await store.runs.recent(1))[0];
  } finally {
    await store.close();
  }
}

describe('dropwise run and task stopped by a signal', () => {
  it('exit codes are 128 + the signal number, as shells report them', () => {
    expect([signalExitCode('SIGINT'), signalExitCode('SIGTERM'), signalExitCode('SIGHUP')]).toEqual([130, 143, 129]);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('run stops on %s: no temp file, the run interrupted, the lock released', async (signal) => {
    const { dir, config } = await workDir();
    const big = path.join(dir, 'big.xml');
    await fs.writeFile(big, copyDocument(600));
    const child = spawnCli(['run', big, '--config', config], { script: TEST_CLI });
    const done = finished(child);
    const tmp = path.join(dir, 'work', 'tmp');
    await waitFor(async () => (await filesUnder(tmp).catch(() => [])).length > 0 || child.exitCode !== null, 20_000, () => 'a temp output in work/tmp');
    child.kill(signal);
    const r = await done;
    expect(r.code, r.stderr).toBe(signalExitCode(signal));
    expect(r.stderr).toContain(`${signal}: stopping`);
    expect(r.stdout).toMatch(/Original: left in .*work[/\\]processing/);
    expect(await filesUnder(tmp)).toEqual([]);
    expect(await lastRun(dir)).toMatchObject({ result: 'interrupted', error: { code: 'DW_SHUTDOWN' } });
    // The lock is free: the next run starts at once, and the interrupted file waits in work/processing.
    const small = path.join(dir, 'small.xml');
    await fs.writeFile(small, copyDocument(1));
    const next = await runCli(['run', small, '--config', config], { script: TEST_CLI });
    expect(next.code, next.stderr).toBe(0);
    expect((await fs.readdir(path.join(dir, 'work', 'processing'))).filter((n) => n.endsWith('__big.xml'))).toHaveLength(1);
  });

  it('task stops on SIGTERM the same way', async () => {
    const { dir, config } = await workDir();
    const child = spawnCli(['task', 'ticks', '--config', config], { script: TEST_CLI });
    const done = finished(child);
    const tmp = path.join(dir, 'work', 'tmp');
    await waitFor(async () => (await filesUnder(tmp).catch(() => [])).length > 0 || child.exitCode !== null, 20_000, () => 'a temp output in work/tmp');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(143);
    expect(r.stdout).toContain('Error:    DW_SHUTDOWN');
    expect(await filesUnder(tmp)).toEqual([]);
    expect(await lastRun(dir)).toMatchObject({ result: 'interrupted' });
    expect(await filesUnder(path.join(dir, 'outbox', 'success'))).toEqual([]);
  });
});
