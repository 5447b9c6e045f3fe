// `nullFields` of the ConnectWise exports. ConnectWise leaves null properties out of its JSON; Zynk's
// XML had them (seed 000: `<applyToId xsi:nil="true" />`). "schema" writes a record the way Zynk did,
// from the 2022.1 schema's types: value types (numbers, booleans, date-times) as xsi:nil when absent
// or null, strings, references and arrays left out then, properties in the schema's order and the
// fields it does not know after them. A reference's own content is written as the API gave it (the
// seed's <company> keeps id, name, identifier). "omit" writes what the API sent, in its order.
import type { XmlShape } from '../../../xml/json-to-xml.js';
import { EXPORT_FIELDS } from './export-fields.generated.js';

export const NULL_FIELDS_OPTIONS = ['schema', 'omit'] as const;
export type NullFields = (typeof NULL_FIELDS_OPTIONS)[number];

const VALUE_TYPES = new Set(['n', 'b', 'd']);

/**
 * Older names of 2022.1 properties that data still carries (seed 002's GL transactions say
 * shipCompanyType where 2022.1 says shipToCompanyType): written in the place of the schema's name.
 */
const OLDER_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  GLExportTransaction: { shipToCompanyAccountNumber: 'shipCompanyAccountNumber', shipToCompanyType: 'shipCompanyType', shipToTaxId: 'shipTaxId' },
};
const shapes = new Map<string, XmlShape>();

/** Nested schemas that are shaped too: not references, whose content stays as the API gave it. */
function shapedSchema(code: string): string | undefined {
  const name = code.replace(/\[\]$/, '');
  return EXPORT_FIELDS[name] !== undefined && !name.endsWith('Reference') ? name : undefined;
}

function schemaShape(schema: string): XmlShape {
  const known = shapes.get(schema);
  if (known) return known;
  const fields = EXPORT_FIELDS[schema];
  if (fields === undefined) throw new Error(`no export fields for schema ${schema}`);
  const children: Record<string, XmlShape> = {};
  const older = OLDER_NAMES[schema] ?? {};
  const order = fields.flatMap(([name]) => (older[name] === undefined ? [name] : [name, older[name]]));
  const shape: XmlShape = { order, known: new Set(order), nil: new Set(fields.filter(([, code]) => VALUE_TYPES.has(code)).map(([name]) => name)), children };
  // Registered before its children are built: schemas may contain themselves.
  shapes.set(schema, shape);
  for (const [name, code] of fields) {
    const nested = shapedSchema(code);
    if (nested !== undefined) children[name] = schemaShape(nested);
  }
  return shape;
}

/**
 * The shape of a record of `schema` for `nullFields`, or undefined for "omit". `leading` properties
 * come first whatever the schema's order (Zynk starts every list record with id, externalId, _info).
 */
export function exportShape(schema: string, nullFields: NullFields, leading: readonly string[] = []): XmlShape | undefined {
  if (nullFields === 'omit') return undefined;
  const shape = schemaShape(schema);
  if (leading.length === 0) return shape;
  const order = [...leading, ...shape.order.filter((name) => !leading.includes(name))];
  return { ...shape, order, known: new Set(order) };
}
