import { describe, expect, it } from 'vitest';
import { parseExportInvoicesSettings } from '../../../src/tasks/traede/export-invoices-settings.js';

const problemOf = (raw: Record<string, unknown>): string => {
  try {
    parseExportInvoicesSettings(raw);
  } catch (err) {
    expect((err as { code?: string }).code).toBe('DW_SETTINGS_INVALID');
    return (err as Error).message;
  }
  throw new Error('expected DW_SETTINGS_INVALID');
};

describe('traede.export-invoices settings', () => {
  it('has the documented defaults', () => {
    expect(parseExportInvoicesSettings({ systemId: 'erp' })).toEqual({
      systemId: 'erp',
      notExportedSince: undefined,
      includeNonBooked: false,
      filterGroups: [],
      includeLines: true,
      outputFile: 'traede_invoices.xml',
      note: 'Exported by dropwise to {file}',
      writeEmptyFile: false,
    });
  });

  it('reads a task-request XML: strings, case-insensitive names, lists as containers', () => {
    const settings = parseExportInvoicesSettings({
      SystemId: ' erp ',
      notExportedSince: '2024-05-01T10:00:00+02:00',
      includeNonBooked: 'true',
      includeLines: 'False',
      writeEmptyFile: '1',
      note: 'In {file}',
      filterGroups: {
        filterGroup: {
          or: 'true',
          filters: {
            filter: [
              { key: 'updated_at', operator: 'GTE', value: '2024-01-01T00:00:00Z', not: 'false' },
              { key: 'created_at', operator: 'bt', value: '2024-01-01,2024-02-01' },
              { key: 'created_at', operator: 'in', value: { item: ['2024-03-01', '2024-03-02'] }, not: 'true' },
            ],
          },
        },
      },
    });
    expect(settings).toMatchObject({ systemId: 'erp', notExportedSince: '2024-05-01T08:00:00Z', includeNonBooked: true, includeLines: false, writeEmptyFile: true, note: 'In {file}' });
    expect(settings.filterGroups).toEqual([
      {
        or: true,
        filters: [
          { key: 'updated_at', operator: 'gte', value: '2024-01-01T00:00:00Z', not: false },
          { key: 'created_at', operator: 'bt', value: ['2024-01-01', '2024-02-01'], not: false },
          { key: 'created_at', operator: 'in', value: ['2024-03-01', '2024-03-02'], not: true },
        ],
      },
    ]);
  });

  it('reads config JSON filter groups', () => {
    const settings = parseExportInvoicesSettings({
      systemId: 'erp',
      filterGroups: [{ filters: [{ key: 'created_at', operator: 'gt', value: '2024-06-01' }] }, { or: true, filters: [{ key: 'updated_at', operator: 'in', value: ['2024-01-01'] }] }],
    });
    expect(settings.filterGroups).toEqual([
      { or: false, filters: [{ key: 'created_at', operator: 'gt', value: '2024-06-01', not: false }] },
      { or: true, filters: [{ key: 'updated_at', operator: 'in', value: ['2024-01-01'], not: false }] },
    ]);
  });

  it('requires systemId and refuses unknown settings', () => {
    const message = problemOf({ outputFile: 'x.xml', exportMode: 'All' });
    expect(message).toContain('"systemId" is required');
    expect(message).toContain('"exportMode" is not a setting of traede.export-invoices');
  });

  it('refuses a filter on another field or with an unknown operator, naming the group and filter', () => {
    const message = problemOf({
      systemId: 'erp',
      filterGroups: { filterGroup: [{ filters: { filter: { key: 'updated_at', operator: 'gte', value: '2024-01-01' } } }, { filters: { filter: [{ key: 'updated_at', operator: 'eq', value: '2024-01-01' }, { key: 'total_price', operator: 'like', value: '1' }] } }] },
    });
    expect(message).toContain('filter 2 of filter group 2: key "total_price" cannot be filtered on');
    expect(message).toContain('filter 2 of filter group 2: operator "like" is unknown');
    expect(message).not.toContain('group 1');
  });

  it('refuses unknown fields inside a filter and a group that is not an object', () => {
    expect(problemOf({ systemId: 'erp', filterGroups: [{ filters: [{ key: 'updated_at', operator: 'eq', value: '2024-01-01', negate: true }] }] })).toMatch(
      /filterGroups, group 1, filter 1\).*"negate" is not a setting/,
    );
    expect(problemOf({ systemId: 'erp', filterGroups: ['updated_at>2024'] })).toContain('"filterGroups" group 1 must be an object');
    expect(problemOf({ systemId: 'erp', filterGroups: [{ filters: [] }] })).toContain('filter group 1 has no filters');
  });

  it('refuses a notExportedSince that is not a datetime', () => {
    expect(problemOf({ systemId: 'erp', notExportedSince: 'last week' })).toContain('"notExportedSince" must be an ISO 8601 date');
  });
});
