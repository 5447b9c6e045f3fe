// The temp folders tests make (makeTempDir, test/support/temp-dir.ts) are removed once their test file
// has finished, by the setup file test/support/temp-dir-cleanup.ts, after the file's own afterAll hooks.
// Seen from outside: a vitest of its own runs a fixture file with the suite's setup files, and then the
// folders that file made are gone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, finished } from './support/cli.js';
import { makeTempDir } from './support/temp-dir.js';

const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const FIXTURE_CONFIG = path.join(ROOT, 'test', 'support', 'temp-dir-fixture', 'vitest.config.ts');

describe('the temp folder cleanup', () => {
  it('removes the folders a test file made, after its own afterAll hooks, and never fails the file', async () => {
    const report = path.join(await makeTempDir('dw-cleanup-report-'), 'made.json');
    // The child is a vitest of its own, not a worker of this one; its output without colours.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'FORCE_COLOR'));
    const child = spawn(process.execPath, [VITEST, 'run', '--config', FIXTURE_CONFIG], { cwd: ROOT, env: { ...env, NO_COLOR: '1', DW_TEMP_DIR_REPORT: report }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run = await finished(child);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+2 passed \(2\)/);
    expect(run.stdout + run.stderr).not.toContain('temp-dir cleanup: could not remove');

    const made = JSON.parse(fs.readFileSync(report, 'utf8')) as string[];
    try {
      expect(made).toHaveLength(3);
      for (const dir of made) expect(path.dirname(dir)).toBe(os.tmpdir());
      expect(made.filter((dir) => fs.existsSync(dir))).toEqual([]);
    } finally {
      for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
