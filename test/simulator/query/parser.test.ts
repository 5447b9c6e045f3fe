// The conditions parser: grammar, precedence, literals and error positions, plus property tests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, parseConditions, type Condition, type Literal } from '../../../src/simulator/query/parser.js';

/** Renders an AST back to condition text (fully parenthesised), for round-trip properties. */
function render(c: Condition): string {
  if (c.kind === 'and' || c.kind === 'or') return `(${render(c.left)} ${c.kind} ${render(c.right)})`;
  const field = c.path.join('/');
  if (c.kind === 'in') return `${field} ${c.negate ? 'not ' : ''}in (${c.values.map(literal).join(', ')})`;
  const op = c.op === 'contains' || c.op === 'like' ? `${c.negate ? 'not ' : ''}${c.op}` : c.op;
  return `${field} ${op} ${literal(c.value)}`;
}

function literal(l: Literal): string {
  switch (l.type) {
    case 'string':
      return `"${l.value.replace(/["\\]/g, '\\$&')}"`;
    case 'number':
      return String(l.value);
    case 'boolean':
      return l.value ? 'True' : 'False';
    case 'null':
      return 'null';
    case 'datetime':
      return `[${new Date(l.value).toISOString().replace('.000Z', 'Z')}]`;
  }
}

const RESERVED = ['and', 'or', 'not', 'in', 'like', 'contains', 'true', 'false', 'null'];
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((s) => !RESERVED.includes(s.toLowerCase()));
const path = fc.array(name, { minLength: 1, maxLength: 3 });
const literalArb: fc.Arbitrary<Literal> = fc.oneof(
  fc.string({ maxLength: 12 }).map((value) => ({ type: 'string' as const, value })),
  fc.integer({ min: 0, max: 1_000_000 }).map((value) => ({ type: 'number' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  fc.constant({ type: 'null' as const }),
  fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => ({ type: 'datetime' as const, value: s * 1000 })),
);
const comparison: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ kind: fc.constant('compare' as const), path, op: fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const), negate: fc.constant(false), value: literalArb }),
  fc.record({ kind: fc.constant('compare' as const), path, op: fc.constantFrom('contains', 'like' as const), negate: fc.boolean(), value: literalArb }),
  fc.record({ kind: fc.constant('in' as const), path, negate: fc.boolean(), values: fc.array(literalArb, { minLength: 1, maxLength: 4 }) }),
) as fc.Arbitrary<Condition>;
const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('c'), right: tie('c') }) as fc.Arbitrary<Condition>,
  ),
})).c;

describe('parseConditions', () => {
  it('round-trips any condition tree through its text form', () => {
    fc.assert(
      fc.property(condition, (tree) => {
        expect(parseConditions(render(tree))).toEqual(tree);
      }),
      { numRuns: 300 },
    );
  });

  it('reads keywords in any letter case', () => {
    fc.assert(
      fc.property(condition, fc.infiniteStream(fc.boolean()), (tree, flips) => {
        // Keywords only: a string literal that reads like one ("in") keeps its letters.
        const text = render(tree)
          .split(/("(?:[^"\\]|\\.)*")/)
          .map((part, i) =>
            i % 2 === 1
              ? part
              : part.replace(/\b(and|or|not|in|like|contains|True|False|null)\b/g, (w) => [...w].map((ch) => (flips.next().value ? ch.toUpperCase() : ch.toLowerCase())).join('')),
          )
          .join('');
        expect(parseConditions(text)).toEqual(tree);
      }),
      { numRuns: 200 },
    );
  });

  it('only ever fails with a ConditionSyntaxError carrying a position', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseConditions(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ConditionSyntaxError);
          expect((error as ConditionSyntaxError).pos).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('binds and tighter than or, and honours parentheses', () => {
    const flat = parseConditions('a = 1 or b = 2 and c = 3');
    expect(flat).toMatchObject({ kind: 'or', right: { kind: 'and' } });
    const grouped = parseConditions('(a = 1 or b = 2) and c = 3');
    expect(grouped).toMatchObject({ kind: 'and', left: { kind: 'or' } });
  });

  it('reads strings in either quote with backslash or doubled-quote escapes', () => {
    expect(parseConditions(`name = 'O\\'Brien'`)).toMatchObject({ value: { type: 'string', value: "O'Brien" } });
    expect(parseConditions(`name = 'O''Brien'`)).toMatchObject({ value: { type: 'string', value: "O'Brien" } });
    expect(parseConditions('name = "say ""hi"""')).toMatchObject({ value: { type: 'string', value: 'say "hi"' } });
  });

  it('treats a blank string as no filter', () => {
    expect(parseConditions('   ')).toBeUndefined();
  });

  it.each([
    ['total >', 7],
    ['total 5', 6],
    ['= 5', 0],
    ['name = "open', 7],
    ['date > [2024-13-45]', 7],
    ['date > [2024-01-01', 7],
    ['id in 1, 2', 6],
    ['id in (1 2)', 9],
    ['(a = 1', 6],
    ['a = 1)', 5],
    ['a = 1 and', 9],
    ['a ! 1', 2],
    ['a = 1 xor b = 2', 6],
    ['a = @', 4],
  ])('rejects %j at position %i', (text, pos) => {
    expect(() => parseConditions(text)).toThrow(ConditionSyntaxError);
    try {
      parseConditions(text);
    } catch (error) {
      expect((error as ConditionSyntaxError).pos).toBe(pos);
    }
  });
});
