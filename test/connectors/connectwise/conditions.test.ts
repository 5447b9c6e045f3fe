import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  andClause,
  buildConditionString,
  parseConditionValue,
  type ConditionSetting,
} from '../../../src/connectors/connectwise/conditions.js';
import { isDropwiseError } from '../../../src/errors.js';
import { evaluate, recordResolver } from '../../../src/simulator/query/evaluate.js';
import { parseConditions } from '../../../src/simulator/query/parser.js';
import { conditionRefusal as refusal } from '../../support/refusal.js';

const one = (field: string, comparison: string, value: string, list: 'conditions' | 'childConditions' | 'customFieldConditions' = 'conditions') =>
  buildConditionString(list, [{ field, comparison, value }]);

describe('buildConditionString', () => {
  it.each([
    ['Equal', '"Acme"', 'company/name = "Acme"'],
    ['Equals', '"Acme"', 'company/name = "Acme"'],
    ['NotEqual', '"Acme"', 'company/name != "Acme"'],
    ['GreaterThan', '10', 'company/name > 10'],
    ['GreaterThanOrEqual', '[2024-01-31T14:51:00Z]', 'company/name >= [2024-01-31T14:51:00Z]'],
    ['LessThan', '-2.5', 'company/name < -2.5'],
    ['LessThanOrEqual', '[2024-01-31]', 'company/name <= [2024-01-31]'],
    ['Contains', '"cm"', 'company/name contains "cm"'],
    ['NotContains', '"cm"', 'company/name not contains "cm"'],
    ['Like', '"A*"', 'company/name like "A*"'],
    ['NotLike', '"A%"', 'company/name not like "A%"'],
    ['In', '("A", "B")', 'company/name in ("A", "B")'],
    ['NotIn', '(1,2 ,3)', 'company/name not in (1, 2, 3)'],
    ['equal', 'null', 'company/name = null'],
    ['NotEqual', 'NULL', 'company/name != null'],
    ['Equal', 'true', 'company/name = True'],
    ['Equal', ' False ', 'company/name = False'],
  ])('%s %s', (comparison, value, expected) => {
    expect(one('company/name', comparison, value)).toBe(expected);
  });

  it('passes quoted strings through as written, escapes included', () => {
    expect(one('name', 'Equal', '"O\\"Brien"')).toBe('name = "O\\"Brien"');
    expect(one('name', 'Equal', '"say ""hi"""')).toBe('name = "say ""hi"""');
    expect(one('name', 'In', '("a,b", "c)")')).toBe('name in ("a,b", "c)")');
  });

  it('joins with And by default and groups And runs when an Or is present', () => {
    const c = (field: string, logicOperator?: string): ConditionSetting => ({ field, comparison: 'Equal', value: '1', logicOperator });
    expect(buildConditionString('conditions', [c('a'), c('b'), c('c')])).toBe('a = 1 and b = 1 and c = 1');
    expect(buildConditionString('conditions', [c('a', 'And'), c('b', 'Or'), c('c')])).toBe('(a = 1 and b = 1) or c = 1');
    expect(buildConditionString('conditions', [c('a', 'or'), c('b', 'AND'), c('c', 'Or')])).toBe('a = 1 or (b = 1 and c = 1)');
    expect(buildConditionString('conditions', [])).toBe('');
  });

  it('writes a custom field condition as caption plus value', () => {
    expect(one('Cost Centre', 'Equal', '"CC-101"', 'customFieldConditions')).toBe('(caption = "Cost Centre" and value = "CC-101")');
    expect(one('caption', 'Equal', '"Priority"', 'customFieldConditions')).toBe('caption = "Priority"');
  });

  it('names the condition and the reason when it refuses one', () => {
    const message = refusal(() =>
      buildConditionString('conditions', [
        { field: 'id', comparison: 'Equal', value: '1' },
        { field: 'company/name', comparison: 'Contains', value: 'Acme' },
      ]),
    );
    expect(message).toMatch(/^conditions #2 \(field "company\/name"\): value Acme: Acme is not a value: text needs double quotes/);
    expect(refusal(() => one('company/name', 'Contains', '12'))).toBe('conditions #1 (field "company/name"): Contains needs a quoted string value, e.g. "Acme"');
  });

  it.each([
    ['Equal', '"Acme', /never closed/],
    ['Equal', '"Ac"me"', /unbalanced quote/],
    ['Equal', 'Ac"me', /unbalanced quote/],
    ['Equal', "'Acme'", /needs double quotes/],
    ['Equal', '[2024-02-30T00:00:00Z]', /not an ISO 8601 datetime/],
    ['Equal', '[yesterday]', /not an ISO 8601 datetime/],
    ['Equal', '[2024-01-01', /never closed/],
    ['Equal', '', /needs a value/],
    ['GreaterThan', '"a"', /needs a number or a \[datetime\]/],
    ['LessThan', 'null', /null can only be used with Equal or NotEqual/],
    ['Like', 'True', /needs a quoted string/],
    ['In', '"a"', /needs a list of values/],
    ['In', '("a", null)', /null cannot be in a list/],
    ['In', '("a" "b")', /expected , or \)/],
    ['NotIn', '("a", "b"', /never closed/],
    ['In', '()', /a value is missing/],
    ['Equal', '1 2', /is not a value/],
    ['Between', '1', /comparison "Between" is not one of/],
  ])('refuses %s %s', (comparison, value, reason) => {
    expect(refusal(() => one('total', comparison, value))).toMatch(reason);
  });

  it('refuses fields that are not paths, bad logic operators and In in childConditions', () => {
    expect(refusal(() => one('company name', 'Equal', '1'))).toMatch(/field must be an API field name or path/);
    expect(refusal(() => one('company/', 'Equal', '1'))).toMatch(/field must be/);
    expect(refusal(() => buildConditionString('conditions', [{ field: 'a', comparison: 'Equal', value: '1', logicOperator: 'Xor' }]))).toMatch(/logicOperator "Xor" must be And or Or/);
    expect(refusal(() => one('lines/id', 'In', '(1)', 'childConditions'))).toMatch(/In is not supported by ConnectWise in childConditions/);
    expect(refusal(() => one('Cost "x"', 'Equal', '1', 'customFieldConditions'))).toMatch(/caption cannot contain a double quote/);
  });

  it('lists every bad condition in one error', () => {
    const message = refusal(() =>
      buildConditionString('conditions', [
        { field: 'a', comparison: 'Contains', value: '1' },
        { field: 'b', comparison: 'Equal', value: '2' },
        { field: 'c', comparison: 'In', value: '3' },
      ]),
    );
    expect(message).toMatch(/conditions #1 .*; conditions #3/);
  });
});

describe('andClause', () => {
  it('parenthesises the user conditions before adding the watermark', () => {
    expect(andClause('a = 1 or b = 2', '_info/lastUpdated > [2024-01-01T00:00:00Z]')).toBe('(a = 1 or b = 2) and _info/lastUpdated > [2024-01-01T00:00:00Z]');
    expect(andClause('', 'x = 1')).toBe('x = 1');
    expect(andClause('x = 1', '')).toBe('x = 1');
  });
});

// Properties: every valid setting becomes a query the sandbox's parser accepts, meaning exactly
// what the settings say (Or between And runs), and an unbalanced quote is never let through.
const FIELDS = ['total', 'name', 'closed', 'date'] as const;
const scalarFor = (field: (typeof FIELDS)[number]): fc.Arbitrary<string> => {
  switch (field) {
    case 'total':
      return fc.integer({ min: -5, max: 5 }).map(String);
    case 'name':
      return fc.constantFrom('"a"', '"b"', '"ab"', '"B"');
    case 'closed':
      return fc.constantFrom('True', 'False');
    case 'date':
      return fc.integer({ min: 1, max: 9 }).map((d) => `[2024-01-0${d}T00:00:00Z]`);
  }
};
const conditionArb: fc.Arbitrary<ConditionSetting> = fc.constantFrom(...FIELDS).chain((field) => {
  const comparisons = field === 'name' ? ['Equal', 'NotEqual', 'Contains', 'NotContains', 'Like', 'NotLike', 'In', 'NotIn'] : field === 'closed' ? ['Equal', 'NotEqual', 'In'] : ['Equal', 'NotEqual', 'GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'In', 'NotIn'];
  return fc.record({
    field: fc.constant(field),
    comparison: fc.constantFrom(...comparisons),
    scalar: scalarFor(field),
    list: fc.array(scalarFor(field), { minLength: 1, maxLength: 3 }),
    logicOperator: fc.constantFrom('And', 'Or', undefined),
  }).map(({ comparison, scalar, list, logicOperator }) => ({
    field,
    comparison,
    value: comparison.endsWith('In') ? `(${list.join(',')})` : scalar,
    logicOperator,
  }));
});
const recordArb = fc.record({
  total: fc.integer({ min: -5, max: 5 }),
  name: fc.constantFrom('a', 'b', 'ab', 'ba', 'A'),
  closed: fc.boolean(),
  date: fc.integer({ min: 1, max: 9 }).map((d) => `2024-01-0${d}T00:00:00Z`),
});

/** The connectives outside any parentheses (values here never contain brackets or the words). */
function topLevelConnectives(query: string): Set<string> {
  const found = new Set<string>();
  let depth = 0;
  for (const token of query.match(/\(|\)|\b(and|or)\b/g) ?? []) {
    if (token === '(') depth++;
    else if (token === ')') depth--;
    else if (depth === 0) found.add(token);
  }
  return found;
}

describe('condition properties', () => {
  it('a chain means Or between runs of And, whatever the server precedence', () => {
    fc.assert(
      fc.property(fc.array(conditionArb, { minLength: 1, maxLength: 6 }), fc.array(recordArb, { minLength: 1, maxLength: 5 }), (conditions, records) => {
        const query = buildConditionString('conditions', conditions);
        // Never relies on and/or precedence, which ConnectWise does not document.
        if (topLevelConnectives(query).size > 1) return false;
        const tree = parseConditions(query);
        if (!tree) return false;
        for (const record of records) {
          const each = conditions.map((c) => evaluate(parseConditions(buildConditionString('conditions', [c])) as NonNullable<typeof tree>, recordResolver(record)));
          // Reference semantics: split at Or, every condition of some run holds.
          let expected = false;
          let run = true;
          conditions.forEach((c, i) => {
            run = run && (each[i] as boolean);
            const last = i === conditions.length - 1;
            if (last || (c.logicOperator ?? 'And').toLowerCase() === 'or') {
              expected = expected || run;
              run = true;
            }
          });
          if (evaluate(tree, recordResolver(record)) !== expected) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('never lets an unbalanced quote through', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', ',', '(', ')') , maxLength: 12 }), (inner) => {
        const value = `"${inner}`;
        let built: string | undefined;
        try {
          built = one('name', 'Equal', value);
        } catch (err) {
          return isDropwiseError(err, 'DW_CONDITION_INVALID');
        }
        // Accepted: then it is one well-formed string literal the server reads as such.
        const tree = parseConditions(built);
        return tree?.kind === 'compare' && tree.value.type === 'string' && parseConditionValue(value).kind === 'string';
      }),
      { numRuns: 500 },
    );
  });
});
