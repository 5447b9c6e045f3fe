// The generated field tables are exactly what the reference schemas say (regenerate with
// `npx tsx scripts/sandbox-fields.ts <reference folder>`), and the resolver reads them as ConnectWise
// reads names: case-insensitively, through references and arrays, any key under `_info`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveFieldTables, render } from '../../../scripts/sandbox-fields.js';
import { FIELD_TABLES } from '../../../src/simulator/schema/fields.generated.js';
import { apiVersionOf, recordsNode, resolveField, schemaNode, type FieldNode } from '../../../src/simulator/schema/fields.js';

function referenceDir(): string {
  for (let dir = path.resolve(import.meta.dirname, '../../../..'); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/reference/connectwise');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('shared/reference/connectwise not found above the repo');
  }
}

const leaf = (root: FieldNode, p: string): string | undefined => {
  const r = resolveField(root, p.split('/'));
  return 'node' in r ? (r.node.leaf ?? 'object') : `unknown:${r.unknown}`;
};

describe('field tables', () => {
  it('match the reference schemas (2022.1 and the 2025.1 deltas)', () => {
    const derived = deriveFieldTables(referenceDir());
    expect(FIELD_TABLES).toEqual(derived);
    expect(render(derived)).toContain("'2025.1': {");
    expect(Object.keys(FIELD_TABLES['2022.1'])).toEqual(expect.arrayContaining(['Invoice', 'Payment', 'BatchEntry', 'GLAccount', 'UnpostedInvoiceTaxableLevel']));
  });

  it('resolve paths case-insensitively through references, arrays and _info', () => {
    const invoice = schemaNode('Invoice', '2022.1') as FieldNode;
    expect(leaf(invoice, 'taxableFlag')).toBe('boolean');
    expect(leaf(invoice, 'Company/Identifier')).toBe('string');
    expect(leaf(invoice, 'date')).toBe('datetime');
    expect(leaf(invoice, 'total')).toBe('numeric');
    expect(leaf(invoice, 'company')).toBe('object');
    expect(leaf(invoice, '_info/lastUpdated')).toBe('any');
    expect(leaf(invoice, 'customFields/caption')).toBe('string');
    expect(leaf(invoice, 'compnay/identifier')).toBe('unknown:compnay');
    expect(leaf(invoice, 'company/nickname')).toBe('unknown:company/nickname');
    expect(leaf(invoice, 'glBatch/id')).toBe('unknown:glBatch');
    expect(leaf(schemaNode('Invoice', '2025.1') as FieldNode, 'glBatch/id')).toBe('numeric');
    expect(leaf(schemaNode('Invoice', '2025.1') as FieldNode, 'status/isClosed')).toBe('boolean');
  });

  it('derive the fields of entities without a reference schema from the records', () => {
    const node = recordsNode([{ id: 1, name: 'A', when: '2024-01-01T00:00:00Z', company: { id: 2 }, _info: { lastUpdated: 'x' } }, { id: 2, tags: [{ code: 'x' }] }]);
    expect(leaf(node, 'NAME')).toBe('string');
    expect(leaf(node, 'when')).toBe('datetime');
    expect(leaf(node, 'company/id')).toBe('numeric');
    expect(leaf(node, 'tags/code')).toBe('string');
    expect(leaf(node, '_info/dateEntered')).toBe('any');
    expect(leaf(node, 'nickname')).toBe('unknown:nickname');
  });

  it('read the version an Accept header pins (unpinned: the newest)', () => {
    expect(apiVersionOf('application/vnd.connectwise.com+json; version=2022.1, application/json')).toBe('2022.1');
    expect(apiVersionOf('application/vnd.connectwise.com+json; version=2019.3')).toBe('2022.1');
    expect(apiVersionOf('application/vnd.connectwise.com+json; version=2025.1')).toBe('2025.1');
    expect(apiVersionOf('application/vnd.connectwise.com+json; version=2026.4')).toBe('2025.1');
    expect(apiVersionOf('application/json')).toBe('2025.1');
    expect(apiVersionOf(undefined)).toBe('2025.1');
  });
});
