// The crash-point hook in a child process of its own: inert without its variables, a SIGKILL at the
// Nth hit of the named point with DROPWISE_CRASH_AT, the hit counts at exit with DROPWISE_CRASH_COUNT.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';
import { makeTempDir } from './support/workspace.js';

const SCRIPT = `
  import { crashPoint } from ${JSON.stringify(path.join(ROOT, 'src', 'crash-point.ts'))};
  for (let i = 1; i <= 3; i++) { crashPoint('a.step'); console.log('a' + i); }
  crashPoint('b.step');
  console.log('end');
`;

function runWith(env: NodeJS.ProcessEnv): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DROPWISE_CRASH_AT: '', DROPWISE_CRASH_COUNT: '', ...env },
  });
}

describe('crashPoint', () => {
  it('does nothing when neither variable is set', () => {
    const run = runWith({});
    expect(run.status).toBe(0);
    expect(String(run.stdout).trim().split('\n')).toEqual(['a1', 'a2', 'a3', 'end']);
  });

  it('kills the process with SIGKILL the Nth time the point is reached, before anything after it runs', () => {
    const run = runWith({ DROPWISE_CRASH_AT: 'a.step:2' });
    expect(run.signal).toBe('SIGKILL');
    expect(String(run.stdout).trim().split('\n')).toEqual(['a1']);
  });

  it('writes every point reached and its hits at exit', async () => {
    const file = path.join(await makeTempDir('dw-crash-count-'), 'hits.json');
    const run = runWith({ DROPWISE_CRASH_COUNT: file });
    expect(run.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ 'a.step': 3, 'b.step': 1 });
  });

  it('refuses a DROPWISE_CRASH_AT it cannot read', () => {
    const run = runWith({ DROPWISE_CRASH_AT: 'a.step' });
    expect(run.status).not.toBe(0);
    expect(String(run.stderr)).toContain('DROPWISE_CRASH_AT must be <point>:<N>');
  });
});
