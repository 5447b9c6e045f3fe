// A run cut short by SIGKILL does not stay `running` for ever: the next process that takes the state
// (here `dropwise start`) closes it as `interrupted`, and `status --json` shows it so.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DailyRunHistory } from '../../src/state/run-history.js';
import type { RunRecord } from '../../src/state/store.js';
import { TEST_CLI, finished, runCli, spawnCli } from '../support/cli.js';
import { makeTempDir, waitFor } from '../support/workspace.js';

/** The runs another process's history holds as running now (a fresh reader each time: it writes nothing). */
async function runningRuns(state: string): Promise<RunRecord[]> {
  try {
    return (await new DailyRunHistory(state).query({ result: 'running' })).runs;
  } catch {
    return [];
  }
}

describe('dropwise run killed mid-run, then dropwise start', () => {
  it('closes the killed run as interrupted, as status --json shows', async () => {
    const dir = await makeTempDir();
    const config = path.join(dir, 'dropwise.json');
    await fs.writeFile(config, JSON.stringify({ watch: { stabilityMs: 200, sweepMs: 500 }, sandbox: { mode: 'off' }, log: { file: '', console: true } }));
    const line = `  <line>${'·'.repeat(60)}</line>\n`;
    const input = path.join(dir, 'big.xml');
    await fs.writeFile(input, `<?xml version="1.0" encoding="utf-8"?>\n<Copy>\n${line.repeat(4000)}</Copy>\n`);

    const run = spawnCli(['run', input, '--config', config], { script: TEST_CLI });
    const killed = finished(run);
    const state = path.join(dir, 'state');
    await waitFor(async () => (await runningRuns(state)).length === 1, 20_000, () => 'the run to be recorded as running');
    const [cut] = await runningRuns(state);
    expect(cut?.owner).toMatchObject({ pid: run.pid });
    run.kill('SIGKILL');
    expect((await killed).signal).toBe('SIGKILL');

    const agent = spawnCli(['start', '--config', config], { script: TEST_CLI });
    const stopped = finished(agent);
    let err = '';
    agent.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor(() => err.includes('Closed 1 run(s) as interrupted') || agent.exitCode !== null, 20_000, () => 'the agent to close the run');
    // The file the run was processing resumes from work/processing; let it finish before the stop.
    await waitFor(async () => (await fs.readdir(path.join(dir, 'work', 'processing'))).length === 0, 30_000, () => 'the resumed file to finish');
    agent.kill('SIGTERM');
    expect((await stopped).code).toBe(0);

    const status = await runCli(['status', '--json', '--config', config]);
    expect(status.code).toBe(0);
    const { runs } = JSON.parse(status.stdout) as { runs: RunRecord[] };
    expect(runs.find((r) => r.id === cut?.id)).toMatchObject({ result: 'interrupted', endedAt: expect.any(String), error: { code: 'DW_SHUTDOWN' } });
    expect(runs.filter((r) => r.result === 'running')).toEqual([]);
    expect(runs.filter((r) => r.file === 'big.xml').map((r) => r.result)).toEqual(['success', 'interrupted']);
  });
});
