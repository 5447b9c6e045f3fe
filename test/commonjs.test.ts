// requireCommonJs, and the lint rule that keeps value imports of the CommonJS packages out of src/
// (through the project's own eslint.config.js, so a broken rule or wiring fails here).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireCommonJs } from '../src/commonjs.js';
import { ROOT } from './support/cli.js';
import { lintRule } from './support/lint-rule.js';

const messages = lintRule('@typescript-eslint/no-restricted-imports');

describe('requireCommonJs', () => {
  it("gives a package's module.exports, the object an import's default is", async () => {
    const saxes = requireCommonJs<typeof import('saxes')>('saxes');
    expect(typeof saxes.SaxesParser).toBe('function');
    expect(saxes).toBe((await import('saxes')).default);
  });

  it('loads the packages without starting the CommonJS lexer, which an import of one costs in resident memory', () => {
    // Two fresh processes, alike but for how winston, convict, commander and saxes are loaded.
    const rss = (load: string) => {
      const script = `import { createRequire } from 'node:module'; const names = ['winston', 'convict', 'commander', 'saxes'];
        ${load}
        globalThis.gc(); process.stdout.write(String(process.memoryUsage.rss()));`;
      const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return Number(run.stdout) / 2 ** 20;
    };
    const imported = rss('for (const name of names) await import(name);');
    const required = rss('const require = createRequire(import.meta.url); for (const name of names) require(name);');
    expect(imported - required).toBeGreaterThan(4);
  });
});

describe('the CommonJS import rule', () => {
  it.each([
    ['a default import of winston', 'src/log.ts', "import winston from 'winston';\nexport const w = winston;"],
    ['a named import from commander', 'src/commands/x.ts', "import { Command } from 'commander';\nexport const c = new Command();"],
    ['a namespace import of pg', 'src/state/postgres/x.ts', "import * as pg from 'pg';\nexport const p = pg;"],
  ])('fires on %s', async (_what, file, code) => {
    const [message, ...rest] = await messages(file, code);
    expect(rest).toEqual([]);
    expect(message).toContain('is CommonJS: load it with requireCommonJs');
  });

  it.each([
    ['a type import', 'src/log.ts', "import type * as Winston from 'winston';\nexport type L = Winston.Logger;"],
    ['an ES module package', 'src/agent/x.ts', "import { Cron } from 'croner';\nexport const c = Cron;"],
    ['the sandbox, which is left out', 'src/simulator/x.ts', "import { generate } from 'selfsigned';\nimport saxes from 'saxes';\nexport const g = [generate, saxes];"],
  ])('allows %s', async (_what, file, code) => {
    expect(await messages(file, code)).toEqual([]);
  });
});
