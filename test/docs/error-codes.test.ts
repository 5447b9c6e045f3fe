// The README's error table is the operator's reference: every code dropwise can report is there, and
// nothing else, as fastify checks its Errors.md against its code.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The codes in the first column of the table under "When something goes wrong". */
function documentedCodes(): string[] {
  const section = readme.split(/^## When something goes wrong$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `DW_'));
  return rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(DW_[A-Z_]+)`/g)].map((m) => m[1] as string));
}

describe('README error table', () => {
  it('lists every code in ERROR_CODES once, and no other', () => {
    const documented = documentedCodes();
    expect(documented.length, 'the table was not found').toBeGreaterThan(0);
    expect(new Set(documented).size, 'a code is listed twice').toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
