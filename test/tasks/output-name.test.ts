import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputName, outputNameProblem } from '../../src/tasks/output-name.js';
import { builtInTasks } from '../../src/tasks/registry.js';
import type { TaskDefinition } from '../../src/tasks/types.js';

describe('checkOutputName', () => {
  it.each(['.', '..', '../escape.xml', '..\\escape.xml', 'a/b.xml', 'a\\b.xml', '/etc/passwd', 'C:evil.xml', 'c:\\x.xml', 'nul\u0000.xml', 'tab\there.xml', 'CON', 'con.xml', 'LPT1.txt', 'com9', 'trailing.', 'trailing ', '', 'a<b>.xml', 'x'.repeat(201)])(
    'refuses %j with DW_OUTPUT_PATH',
    (name) => {
      expect(() => checkOutputName(name)).toThrowError(expect.objectContaining({ code: 'DW_OUTPUT_PATH' }) as Error);
    },
  );

  it.each(['invoices.xml', 'receipts..march_success.xml', 'a..b.xml', '..hidden.xml', 'console.xml', 'ünïcødé résumé.xml'])('accepts %j', (name) => {
    expect(outputNameProblem(name)).toBeUndefined();
  });

  it('never accepts a name that resolves outside the folder or names a folder', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z./\\:. ]{0,12}$/), (name) => {
        if (outputNameProblem(name) !== undefined) return true;
        const base = path.resolve('/out');
        const resolved = path.resolve(base, name);
        return path.dirname(resolved) === base && path.basename(resolved) === name;
      }),
    );
  });
});

describe('every task checks its output names while parsing its settings', () => {
  // The least each task needs besides its output names; an import gets its dropped file's name.
  const required: Record<string, Record<string, unknown>> = { 'traede.export-invoices': { systemId: 'accounting' } };
  const outputSettings = (def: TaskDefinition) => (def.inputRoot === undefined ? ['outputFile'] : ['successFile', 'failFile']);
  const cases = builtInTasks.flatMap((def) => outputSettings(def).map((setting) => [def.type, setting, def] as const));

  it.each(cases)('%s refuses a bad %s', (_type, setting, def) => {
    const parse = (value: string) => def.parseSettings({ ...required[def.type], [setting]: value }, def.inputRoot === undefined ? undefined : { name: 'p.xml' });
    expect(() => parse('../escape.xml')).toThrowError(expect.objectContaining({ code: 'DW_SETTINGS_INVALID', message: expect.stringContaining(`"${setting}"`) as string }) as Error);
    expect(() => parse('a..b.xml')).not.toThrow();
  });
});
