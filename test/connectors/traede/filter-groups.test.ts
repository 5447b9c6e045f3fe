import { describe, expect, it } from 'vitest';
import { isDropwiseError } from '../../../src/errors.js';
import {
  filterGroupParams,
  filterGroupProblems,
  traedeDateTime,
  type TraedeFilter,
  type TraedeFilterGroup,
} from '../../../src/connectors/traede/filter-groups.js';

const filter = (f: Partial<TraedeFilter>): TraedeFilter => ({ key: 'updated_at', operator: 'gte', value: '2024-01-01T00:00:00Z', not: false, ...f });

/** The params as one readable query string, brackets left as they are. */
const query = (groups: TraedeFilterGroup[]) => filterGroupParams(groups).map(([k, v]) => `${k}=${v}`).join('&');

describe('traedeDateTime', () => {
  it.each([
    ['2024-01-31T10:20:30Z', '2024-01-31 10:20:30'],
    ['2024-01-31T10:20:30.999Z', '2024-01-31 10:20:30'],
    ['2024-01-31', '2024-01-31 00:00:00'],
    ['2024-01-31T10:20', '2024-01-31 10:20:00'],
    ['2024-01-31 10:20:30', '2024-01-31 10:20:30'],
    ['2024-01-31T01:20:30+02:00', '2024-01-30 23:20:30'],
    ['2024-01-31T22:00:00-0230', '2024-02-01 00:30:00'],
  ])('%s → %s (UTC)', (input, expected) => {
    expect(traedeDateTime(input)).toBe(expected);
  });

  it.each(['2024-02-30', '2024-13-01', 'yesterday', '31/01/2024', '2024-01-31T25:00:00Z', ''])('refuses %j', (input) => {
    expect(traedeDateTime(input)).toBeUndefined();
  });
});

describe('filterGroupParams', () => {
  it('encodes groups, filters, or and not in PHP array notation with UTC datetimes', () => {
    const groups: TraedeFilterGroup[] = [
      { or: false, filters: [filter({ value: '2024-01-01T00:00:00+01:00' })] },
      { or: true, filters: [filter({ key: 'created_at', operator: 'gt', value: '2024-06-01' }), filter({ key: 'created_at', operator: 'eq', value: 'null', not: true })] },
    ];
    expect(query(groups)).toBe(
      [
        'filter_groups[0][filters][0][key]=updated_at',
        'filter_groups[0][filters][0][operator]=gte',
        'filter_groups[0][filters][0][value]=2023-12-31 23:00:00',
        'filter_groups[1][or]=true',
        'filter_groups[1][filters][0][key]=created_at',
        'filter_groups[1][filters][0][operator]=gt',
        'filter_groups[1][filters][0][value]=2024-06-01 00:00:00',
        'filter_groups[1][filters][1][key]=created_at',
        'filter_groups[1][filters][1][operator]=eq',
        'filter_groups[1][filters][1][value]=null',
        'filter_groups[1][filters][1][not]=true',
      ].join('&'),
    );
  });

  it('sends in/bt values as arrays and text operators as given', () => {
    const groups: TraedeFilterGroup[] = [
      { or: false, filters: [filter({ operator: 'bt', value: ['2024-01-01', '2024-02-01T12:00:00Z'] }), filter({ key: 'created_at', operator: 'sw', value: '2024-05' })] },
      { or: false, filters: [filter({ operator: 'in', value: ['2024-03-03 03:03:03'] })] },
    ];
    expect(filterGroupParams(groups)).toEqual([
      ['filter_groups[0][filters][0][key]', 'updated_at'],
      ['filter_groups[0][filters][0][operator]', 'bt'],
      ['filter_groups[0][filters][0][value][]', '2024-01-01 00:00:00'],
      ['filter_groups[0][filters][0][value][]', '2024-02-01 12:00:00'],
      ['filter_groups[0][filters][1][key]', 'created_at'],
      ['filter_groups[0][filters][1][operator]', 'sw'],
      ['filter_groups[0][filters][1][value]', '2024-05'],
      ['filter_groups[1][filters][0][key]', 'updated_at'],
      ['filter_groups[1][filters][0][operator]', 'in'],
      ['filter_groups[1][filters][0][value][]', '2024-03-03 03:03:03'],
    ]);
  });

  it('is empty without groups', () => {
    expect(filterGroupParams([])).toEqual([]);
  });

  it('survives URL encoding: a PHP/URLSearchParams reader gets the same pairs back', () => {
    const params = filterGroupParams([{ or: true, filters: [filter({}), filter({ operator: 'lt', value: '2024-12-31T23:59:59Z', not: true })] }]);
    const wire = new URLSearchParams(params).toString();
    expect(wire).not.toMatch(/[[\] ]/);
    expect([...new URLSearchParams(wire)]).toEqual(params);
  });

  it('refuses bad keys, operators and values with DW_SETTINGS_INVALID naming group and filter', () => {
    const bad = [
      { or: false, filters: [filter({}), filter({ key: 'invoice_number' as never })] },
      { or: false, filters: [filter({ operator: 'like' as never })] },
      { or: false, filters: [] },
      { or: false, filters: [filter({ operator: 'bt', value: ['2024-01-01'] }), filter({ value: 'soon' }), filter({ operator: 'gt', value: 'null' }), filter({ operator: 'eq', value: ['2024-01-01'] })] },
    ];
    expect(filterGroupProblems(bad)).toEqual([
      'filter 2 of filter group 1: key "invoice_number" cannot be filtered on (use created_at or updated_at)',
      'filter 1 of filter group 2: operator "like" is unknown (use one of ct, sw, ew, eq, gt, gte, lt, lte, in, bt)',
      'filter group 3 has no filters',
      'filter 1 of filter group 4: operator bt needs exactly two datetimes (from and to)',
      'filter 2 of filter group 4: "soon" is not a datetime (use e.g. 2024-01-31T00:00:00Z)',
      'filter 3 of filter group 4: "null" (is empty) can only be used with operator eq',
      'filter 4 of filter group 4: operator eq takes one value, not a list',
    ]);
    let thrown: unknown;
    try {
      filterGroupParams(bad);
    } catch (err) {
      thrown = err;
    }
    expect(isDropwiseError(thrown, 'DW_SETTINGS_INVALID')).toBe(true);
    expect((thrown as Error).message).toContain('filter 2 of filter group 1');
  });
});
