// The generated export field table is exactly what the 2022.1 reference schema says (regenerate with
// `npx tsx scripts/export-fields.ts <reference folder>`), in the schema's property order.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveExportFields, renderExportFields } from '../../../../scripts/export-fields.js';
import { EXPORT_FIELDS } from '../../../../src/tasks/connectwise/schema/export-fields.generated.js';

function referenceDir(): string {
  for (let dir = path.resolve(import.meta.dirname, '../../../../..'); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/reference/connectwise');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('shared/reference/connectwise not found above the repo');
  }
}

describe('export field table', () => {
  it('matches the reference 2022.1 schema, in its order', () => {
    const derived = deriveExportFields(referenceDir());
    expect(EXPORT_FIELDS).toEqual(derived);
    expect(renderExportFields(derived)).toContain('export const EXPORT_FIELDS');
    expect(Object.keys(EXPORT_FIELDS)).toEqual(expect.arrayContaining(['Invoice', 'AccountingBatch', 'GLExport', 'GLExportTransaction', 'GLExportTransactionDetail', 'CompanyReference']));
    const invoice = EXPORT_FIELDS['Invoice'] ?? [];
    expect(invoice.slice(0, 3)).toEqual([['id', 'n'], ['invoiceNumber', 's'], ['type', 's']]);
    expect(invoice).toContainEqual(['applyToId', 'n']);
    expect(invoice).toContainEqual(['date', 'd']);
    expect(invoice).toContainEqual(['customFields', 'CustomFieldValue[]']);
  });
});
