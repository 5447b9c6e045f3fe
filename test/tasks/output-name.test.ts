import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputName, outputNameProblem, usableOutputBase } from '../../src/tasks/output-name.js';
import { builtInTasks } from '../../src/tasks/registry.js';
import type { TaskDefinition } from '../../src/tasks/types.js';

describe('checkOutputName', () => {
  it.each(['.', '..', '../escape.xml', '..\\escape.xml', 'a/b.xml', 'a\\b.xml', '/etc/passwd', 'C:evil.xml', 'c:\\x.xml', 'nul\u0000.xml', 'tab\there.xml', 'CON', 'con.xml', 'LPT1.txt', 'com9', 'trailing.', 'trailing ', '', 'a<b>.xml', 'x'.repeat(201), 'ø'.repeat(121)])(
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

describe('usableOutputBase: the default output names of any name the inbox accepted', () => {
  it('keeps a plain base as it is', () => {
    expect(usableOutputBase('receipts march')).toBe('receipts march');
  });

  it.each([
    ['characters Linux allows but an output name may not have', 'pay <1> "a|b"?*:\\x'],
    ['a 188-character name (its _success.xml name would pass 200)', 'q'.repeat(188)],
    ['a 251-byte name', 'p'.repeat(251)],
    ['a name of two-byte characters', 'ø'.repeat(127)],
    ['a name of characters beyond the BMP', '😀'.repeat(63)],
  ])('derives a usable _success.xml and _fail.xml name from %s', (_, base) => {
    const derived = usableOutputBase(base);
    for (const suffix of ['_success.xml', '_fail.xml']) expect(outputNameProblem(`${derived}${suffix}`)).toBeUndefined();
  });

  it('any base at all gives usable names', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 255 }), (base) => {
        fc.pre(base.trim() !== '');
        expect(outputNameProblem(`${usableOutputBase(base)}_success.xml`)).toBeUndefined();
      }),
    );
  });
});
