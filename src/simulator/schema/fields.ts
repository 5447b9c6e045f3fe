// What fields an entity has, for refusing the query names and literals ConnectWise refuses. Entities
// with a reference schema use the generated tables (fields.generated.ts); the few the reference lacks
// (contacts, agreements, catalog items, warehouses…) use the union of the sandbox's own records.
// Names match case-insensitively, as ConnectWise's do.
import { FIELD_TABLES } from './fields.generated.js';

export type ApiVersion = '2022.1' | '2025.1';

/** A leaf's kind: a JSON type, `any` for free-form members (`_info/*`, a custom field's value, whose members are `any` too). */
export type LeafKind = 'string' | 'numeric' | 'boolean' | 'datetime' | 'any';

export interface FieldNode {
  /** undefined for an object (a reference, a nested record). */
  leaf: LeafKind | undefined;
  child(name: string): FieldNode | undefined;
}

const ANY: FieldNode = { leaf: 'any', child: () => ANY };
const LEAVES: Record<string, LeafKind> = { s: 'string', n: 'numeric', b: 'boolean', d: 'datetime' };

function lookup(table: Record<string, string>, name: string): string | undefined {
  if (name in table) return table[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(table)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function schemaTable(name: string, version: ApiVersion): Record<string, string> | undefined {
  return (version === '2025.1' ? FIELD_TABLES['2025.1'][name] : undefined) ?? FIELD_TABLES['2022.1'][name];
}

function typeNode(code: string, version: ApiVersion): FieldNode | undefined {
  const element = code.replace(/\[\]$/, '');
  const leaf = LEAVES[element];
  if (leaf) return { leaf, child: () => undefined };
  if (element === 'o') return ANY;
  if (element === 'm') return { leaf: undefined, child: () => ANY };
  return schemaNode(element, version);
}

/** The fields of a reference schema (arrays are walked into, as conditions search their elements). */
export function schemaNode(name: string, version: ApiVersion): FieldNode | undefined {
  const table = schemaTable(name, version);
  if (!table) return undefined;
  return {
    leaf: undefined,
    child: (field) => {
      const code = lookup(table, field);
      return code === undefined ? undefined : typeNode(code, version);
    },
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface Shape {
  kinds: Set<LeafKind | 'object'>;
  children: Map<string, Shape>;
}

function merge(shape: Shape, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) merge(shape, item);
    return;
  }
  if (typeof value === 'object') {
    shape.kinds.add('object');
    for (const [key, member] of Object.entries(value)) {
      const lower = key.toLowerCase();
      let child = shape.children.get(lower);
      if (!child) shape.children.set(lower, (child = { kinds: new Set(), children: new Map() }));
      merge(child, member);
    }
    return;
  }
  shape.kinds.add(typeof value === 'number' ? 'numeric' : typeof value === 'boolean' ? 'boolean' : ISO_DATE.test(String(value)) ? 'datetime' : 'string');
}

function shapeNode(shape: Shape, path: string[]): FieldNode {
  // `_info` is a string map on every entity: any key is a field, as in the schemas.
  if (path[path.length - 1] === '_info') return { leaf: undefined, child: () => ANY };
  const kinds = [...shape.kinds];
  const leaf: LeafKind | undefined = kinds.includes('object') ? undefined : kinds.length === 1 ? (kinds[0] as LeafKind) : 'any';
  return {
    leaf,
    child: (name) => {
      const child = shape.children.get(name.toLowerCase());
      return child ? shapeNode(child, [...path, name.toLowerCase()]) : undefined;
    },
  };
}

/** The fields the given records have (for entities the reference schemas do not describe). */
export function recordsNode(records: Iterable<unknown>): FieldNode {
  const root: Shape = { kinds: new Set(['object']), children: new Map() };
  for (const record of records) merge(root, record);
  return shapeNode(root, []);
}

export type Resolved = { node: FieldNode } | { unknown: string };

/** Walks a `/` path; `unknown` is the path up to and including the first name that is not a field. */
export function resolveField(root: FieldNode, path: readonly string[]): Resolved {
  let node: FieldNode | undefined = root;
  for (let i = 0; i < path.length; i++) {
    node = node.child(path[i] as string);
    if (!node) return { unknown: path.slice(0, i + 1).join('/') };
  }
  return { node };
}

/** The API version an `Accept` header pins; unpinned requests get the newest model, as in ConnectWise. */
export function apiVersionOf(accept: string | undefined): ApiVersion {
  const match = /version\s*=\s*"?(\d{4})\.(\d+)/i.exec(accept ?? '');
  if (!match) return '2025.1';
  const [year, minor] = [Number(match[1]), Number(match[2])];
  return year > 2025 || (year === 2025 && minor >= 1) ? '2025.1' : '2022.1';
}
