// The package as npm ships it: `npm pack` builds dist/ (prepack), the bin is the CLI, and importing the
// package by its name gives the library entry without running the CLI. (The tarball itself and a
// global install are checked by hand: they take a build and an install from the registry.)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};

describe('package', () => {
  it('builds dist/ when packed, and ships it', () => {
    expect(pkg.scripts['prepack']).toContain('npm run build');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'config']));
    expect(pkg.bin['dropwise']).toBe('dist/cli.js');
  });

  it('imports by its name without running the CLI', () => {
    // A self-reference resolves through `exports`, as an installed package would.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import('${pkg.name}'); console.log(Object.keys(m).sort().join(','))`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('DropwiseError,ERROR_CODES,isDropwiseError,loadConfig');
  });
});
