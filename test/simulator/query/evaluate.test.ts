// The evaluator: a table of real-world condition strings (API-NOTES §2 and the seed settings), each
// with its expected match, plus algebraic properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, likeRegExp, recordResolver } from '../../../src/simulator/query/evaluate.js';
import { parseConditions } from '../../../src/simulator/query/parser.js';

const ticket = {
  id: 42,
  summary: 'Printer offline - Low Priority',
  closedFlag: false,
  budgetHours: 2.5,
  board: { id: 3, name: 'Service' },
  status: { id: 1, name: 'Open' },
  type: { name: 'MSP-SP-Desk' },
  company: { id: 143, identifier: 'TESTNEW', name: 'Angry Fox, Co.' },
  parentTicketId: null,
  locationId: 2,
  invoiceDate: '2024-01-15T00:00:00Z',
  _info: { lastUpdated: '2016-09-01T10:00:00Z', dateEntered: '2016-08-01T09:00:00Z' },
  customFields: [{ id: 1, caption: 'TomNumber', value: 'T-1' }],
  tags: ['[urgent]', 'remote'],
};

const matches = (text: string, record: unknown = ticket): boolean => {
  const c = parseConditions(text);
  return c === undefined || evaluate(c, recordResolver(record));
};

describe('conditions from the wild', () => {
  it.each([
    ['ClosedFlag = False AND _info/LastUpdated <= [2016-10-01T00:00:00Z] AND Board/ID = 3', true],
    ['closedFlag = false', true],
    ['closedFlag = true', false],
    ['summary = "Printer offline - Low Priority"', true],
    ["status/name = 'Open'", true],
    ["status/name = 'open'", true],
    ['board/id = 123', false],
    ['budgetHours >= 2.5', true],
    ['budgetHours > 2.5', false],
    ['lastUpdated > [2016-08-20T18:04:26Z]', false],
    ['_info/lastUpdated > [2016-08-20T18:04:26Z]', true],
    ['_info/dateEntered < [2016-08-01T09:00:01Z]', true],
    ['parentTicketId = null', true],
    ['parentTicketId != null', false],
    ['missingField = null', true],
    ['missingField = 3', false],
    ['Summary Not Contains "Low Priority"', false],
    ['Summary Contains "low priority"', true],
    ['type/name like "%SP%"', true],
    ['type/name like "*SP*"', true],
    ['type/name like "MSP_SP_Desk"', true],
    ['type/name like "SP%"', false],
    ['type/name not like "SP%"', true],
    ['board/id in (3, 2, 4)', true],
    ['board/id not in (3, 2, 4)', false],
    ['status/name in ("New","Open")', true],
    ['status/name in ("New", "Closed")', false],
    ['company/identifier = "TESTNEW"', true],
    ['company/name like "Angry Fox, Co."', true],
    ['locationId = 2 and invoiceDate <= [2024-01-31T00:00:00Z]', true],
    ['locationId = 2 and invoiceDate <= [2024-01-01T00:00:00Z]', false],
    ['board/id = 1 or board/id = 3 and closedFlag = false', true],
    ['(board/id = 1 or board/id = 3) and closedFlag = true', false],
    ['board/id = "3"', false],
    ['summary > 5', false],
    ['tags like "[[]urgent]"', true],
    ['tags contains "remote"', true],
    ['customFields/caption = "TomNumber"', true],
    ['id >= 42 AND id <= 42', true],
  ])('%s → %s', (text, expected) => {
    expect(matches(text)).toBe(expected);
  });

  it('childConditions: every comparison must hold for the same array element', () => {
    const contact = {
      communicationItems: [
        { value: 'john@x.com', communicationType: 'Phone' },
        { value: 'other@x.com', communicationType: 'Email' },
      ],
    };
    // Existential per comparison (plain conditions) matches; the childConditions filter is tested over HTTP.
    expect(matches('communicationItems/value like "john@x.com" AND communicationItems/communicationType="Email"', contact)).toBe(true);
  });
});

describe('evaluator properties', () => {
  const value = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null));
  const literal = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));

  it('and / or agree with && / ||', () => {
    fc.assert(
      fc.property(value, value, value, value, (a, b, x, y) => {
        const record = { a, b };
        const left = `a = ${literal(x)}`;
        const right = `b != ${literal(y)}`;
        expect(matches(`${left} and ${right}`, record)).toBe(matches(left, record) && matches(right, record));
        expect(matches(`${left} or ${right}`, record)).toBe(matches(left, record) || matches(right, record));
      }),
      { numRuns: 400 },
    );
  });

  it('not in is the complement of in for non-null values, and in is a chain of =', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 }), (a, list) => {
        const record = { a };
        const inList = matches(`a in (${list.join(',')})`, record);
        expect(matches(`a not in (${list.join(',')})`, record)).toBe(!inList);
        expect(inList).toBe(list.some((n) => matches(`a = ${n}`, record)));
      }),
    );
  });

  it('< and >= partition comparable numbers; = and != partition them', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.integer({ min: -1000, max: 1000 }), (a, n) => {
        expect(matches(`a < ${n}`, { a })).toBe(!matches(`a >= ${n}`, { a }));
        expect(matches(`a = ${n}`, { a })).toBe(!matches(`a != ${n}`, { a }));
      }),
    );
  });

  it('like without wildcards is case-insensitive equality', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9 .,-]{0,10}$/), fc.stringMatching(/^[A-Za-z0-9 .,-]{0,10}$/), (a, b) => {
        expect(likeRegExp(b).test(a)).toBe(a.toLowerCase() === b.toLowerCase());
      }),
    );
  });

  it('contains agrees with a case-insensitive includes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 4 }), (a, b) => {
        expect(matches(`a contains ${JSON.stringify(b)}`, { a })).toBe(a.toLowerCase().includes(b.toLowerCase()));
      }),
    );
  });
});
