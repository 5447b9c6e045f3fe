// Turns the standard query parameters of a ConnectWise GET (API-NOTES §2.2–2.3) into a filter,
// a sort, a projection and a paging request. Paging itself lives in paging.ts.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, invalid } from '../errors.js';
import { evaluate, recordResolver, resolvePath, compareText, getKey, type Resolver } from './evaluate.js';
import { ConditionSyntaxError, parseConditions, type Condition, type Literal } from './parser.js';
import { resolveField, schemaNode, type ApiVersion, type FieldNode, type LeafKind } from '../schema/fields.js';

export type Json = Record<string, unknown>;

export interface SortKey {
  path: string[];
  descending: boolean;
}

export interface ListQuery {
  filter: ((record: Json) => boolean) | undefined;
  orderBy: SortKey[];
  fields: string[][] | undefined;
  page: number;
  pageSize: number;
  forwardOnly: boolean;
  pageId: number;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 1000;

/**
 * Which refusals are documented and which inferred. Documented (Developer Guide, API-NOTES §2): the
 * grammar (paths with `/`, quoted strings, bare numbers and True/False, [datetimes], null, the
 * operators, `in` not in childConditions), paging bounds and forward-only's ban on orderBy.
 * Observed in real answers: an unknown name in conditions is `{"code":"ApiFindCondition","message":
 * "typeids is not a recognized name."}` (a PowerShell client's issue log), a wrong-typed literal is
 * "Expected a boolean value, not a numeric." Inferred (never seen, built to match): the same answer for
 * unknown names in childConditions, customFieldConditions, orderBy and fields; the other type pairs
 * ("Expected a numeric value, not a string." …); string fields accepting [datetimes] (date-like
 * strings such as UnpostedInvoice.invoiceDate) and date fields accepting quoted strings; `like` and
 * `contains` wanting a string on both sides; naming a reference (`company = 5`) being refused.
 */
export class QueryRefusal extends ApiError {
  constructor(message: string) {
    super(400, { code: 'ApiFindCondition', message });
  }
}

/** Query parameter names are case-insensitive (ASP.NET model binding): `Conditions=`, `pagesize=`. */
export function queryParam(params: URLSearchParams, name: string): string | null {
  const direct = params.get(name);
  if (direct !== null) return direct;
  const lower = name.toLowerCase();
  for (const [key, value] of params) if (key.toLowerCase() === lower) return value;
  return null;
}

/** The entity's fields, for refusing unknown names; omitted, nothing is checked. */
export interface QueryFields {
  entity: FieldNode;
  version: ApiVersion;
}

export function parseListQuery(params: URLSearchParams, headers: IncomingHttpHeaders, fields?: QueryFields): ListQuery {
  const entity = fields?.entity;
  const customField = fields ? schemaNode('CustomFieldValue', fields.version) : undefined;
  const filters = [
    conditionFilter(params, 'conditions', entity, (c) => (r) => evaluate(c, recordResolver(r))),
    conditionFilter(params, 'childConditions', entity, childFilter),
    conditionFilter(params, 'customFieldConditions', customField, customFieldFilter),
  ].filter((f): f is (r: Json) => boolean => f !== undefined);
  const forwardOnly = String(headers['pagination-type'] ?? '').toLowerCase() === 'forward-only';
  const orderBy = parseOrderBy(queryParam(params, 'orderBy') ?? '');
  if (forwardOnly && orderBy.length > 0) {
    throw invalid('orderBy', 'orderBy', 'InvalidField', 'orderBy is not supported with forward-only pagination; results are ordered by id.');
  }
  if (entity) for (const key of orderBy) knownLeaf(entity, key.path);
  const fieldsParam = queryParam(params, 'fields');
  const projection = fieldsParam ? fieldsParam.split(',').map((f) => f.trim().split('/')).filter((p) => p[0] !== '') : undefined;
  if (entity) for (const path of projection ?? []) known(entity, path);
  return {
    filter: filters.length === 0 ? undefined : (r) => filters.every((f) => f(r)),
    orderBy,
    fields: projection,
    page: intParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER, 'The field page must be greater than 0.'),
    pageSize: intParam(params, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, `The field pageSize must be between 1 and ${MAX_PAGE_SIZE}.`),
    forwardOnly,
    pageId: intParam(params, 'pageId', 0, 0, Number.MAX_SAFE_INTEGER, 'The field pageId must be a non-negative integer.'),
  };
}

function known(root: FieldNode, path: string[]): FieldNode {
  const resolved = resolveField(root, path);
  if ('unknown' in resolved) throw new QueryRefusal(`${resolved.unknown} is not a recognized name.`);
  return resolved.node;
}

function knownLeaf(root: FieldNode, path: string[]): LeafKind {
  const node = known(root, path);
  if (node.leaf === undefined) {
    const name = path.join('/');
    throw new QueryRefusal(`${name} is an object, not a value; name one of its fields, such as ${name}/id.`);
  }
  return node.leaf;
}

const LITERAL_KIND: Record<Literal['type'], LeafKind | 'null'> = { string: 'string', number: 'numeric', boolean: 'boolean', datetime: 'datetime', null: 'null' };

/** Literals a field of each kind takes besides null (see QueryRefusal for what is inferred). */
const ACCEPTS: Record<LeafKind, readonly LeafKind[]> = {
  string: ['string', 'datetime'],
  datetime: ['datetime', 'string'],
  numeric: ['numeric'],
  boolean: ['boolean'],
  any: ['string', 'datetime', 'numeric', 'boolean'],
};

function checkLiteral(field: LeafKind, literal: Literal): void {
  const kind = LITERAL_KIND[literal.type];
  if (kind === 'null' || ACCEPTS[field].includes(kind)) return;
  throw new QueryRefusal(`Expected a ${field} value, not a ${kind}.`);
}

/** Every name in the condition must be a field of the entity, and every literal of its type. */
function checkCondition(c: Condition, root: FieldNode): void {
  if (c.kind === 'and' || c.kind === 'or') {
    checkCondition(c.left, root);
    checkCondition(c.right, root);
    return;
  }
  const field = knownLeaf(root, c.path);
  if (c.kind === 'in') {
    for (const value of c.values) checkLiteral(field, value);
  } else if (c.op === 'like' || c.op === 'contains') {
    if (c.value.type !== 'string') throw new QueryRefusal(`Expected a string value, not a ${String(LITERAL_KIND[c.value.type])}.`);
    if (field !== 'string' && field !== 'datetime' && field !== 'any') throw new QueryRefusal(`Expected a ${field} value, not a string.`);
  } else checkLiteral(field, c.value);
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number, message: string): number {
  const raw = queryParam(params, name);
  if (raw === null || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, name, 'OutOfRange', message);
  }
  return value;
}

function conditionFilter(
  params: URLSearchParams,
  name: string,
  fields: FieldNode | undefined,
  build: (c: Condition) => (r: Json) => boolean,
): ((r: Json) => boolean) | undefined {
  const source = queryParam(params, name);
  if (source === null) return undefined;
  let condition: Condition | undefined;
  try {
    condition = parseConditions(source);
    if (condition && name === 'childConditions' && usesIn(condition)) {
      throw new ConditionSyntaxError('The in operator is not supported in childConditions', source.search(/\bin\b/i));
    }
  } catch (error) {
    if (error instanceof ConditionSyntaxError) {
      throw new ApiError(400, {
        code: 'InvalidObject',
        message: `${name} object is invalid`,
        errors: [{ code: 'InvalidCondition', message: `${name}: ${error.message}`, resource: name, field: name }],
      });
    }
    throw error;
  }
  if (condition && fields) checkCondition(condition, fields);
  return condition ? build(condition) : undefined;
}

function usesIn(c: Condition): boolean {
  return c.kind === 'in' || ((c.kind === 'and' || c.kind === 'or') && (usesIn(c.left) || usesIn(c.right)));
}

function roots(c: Condition, into = new Set<string>()): Set<string> {
  if (c.kind === 'and' || c.kind === 'or') {
    roots(c.left, into);
    roots(c.right, into);
  } else into.add((c.path[0] ?? '').toLowerCase());
  return into;
}

/**
 * childConditions are about elements of one array (`communicationItems/value … AND
 * communicationItems/type …` should hold for the same element). When every comparison names the
 * same array, the whole expression is tried per element; otherwise each comparison is existential.
 */
function childFilter(c: Condition): (r: Json) => boolean {
  const names = roots(c);
  const [root] = names;
  return (record) => {
    const elements = names.size === 1 && root !== undefined ? getKey(record, root) : undefined;
    if (!Array.isArray(elements)) return evaluate(c, recordResolver(record));
    return elements.some((element) => evaluate(c, (path) => resolvePath(element, path, 1)));
  };
}

/** customFieldConditions use the pseudo-fields `caption` and `value` of one custom field at a time. */
function customFieldFilter(c: Condition): (r: Json) => boolean {
  return (record) => {
    const fields = getKey(record, 'customFields');
    if (!Array.isArray(fields)) return false;
    return fields.some((field) => {
      const resolve: Resolver = (path) => resolvePath(field, path);
      return evaluate(c, resolve);
    });
  };
}

function parseOrderBy(source: string): SortKey[] {
  if (source.trim() === '') return [];
  return source.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const [field, direction = 'asc', extra] = words;
    const dir = direction.toLowerCase();
    if (!field || extra !== undefined || (dir !== 'asc' && dir !== 'desc') || !/^[A-Za-z_][\w/]*$/.test(field)) {
      throw invalid('orderBy', 'orderBy', 'InvalidField', `orderBy '${part.trim()}' is invalid; use 'field asc|desc'.`);
    }
    return { path: field.split('/'), descending: dir === 'desc' };
  });
}

function sortValue(record: Json, path: string[]): unknown {
  return resolvePath(record, path)[0];
}

/** SQL Server order: nulls first ascending; ties fall back to id so pages never overlap. */
export function sortRecords(records: Json[], keys: SortKey[]): Json[] {
  const all = [...keys, { path: ['id'], descending: false }];
  return records.sort((a, b) => {
    for (const key of all) {
      const x = sortValue(a, key.path);
      const y = sortValue(b, key.path);
      const c = compareValues(x, y);
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  });
}

function compareValues(x: unknown, y: unknown): number {
  const xNull = x === null || x === undefined;
  const yNull = y === null || y === undefined;
  if (xNull || yNull) return xNull === yNull ? 0 : xNull ? -1 : 1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'boolean' && typeof y === 'boolean') return Number(x) - Number(y);
  return compareText(String(x), String(y));
}

/** `fields=id,company/name`: keep only those paths, nested objects kept as objects. */
export function project(record: Json, fields: string[][] | undefined): Json {
  if (!fields) return record;
  const out: Json = {};
  for (const path of fields) copyPath(record, out, path);
  return out;
}

function copyPath(from: unknown, to: Json, path: string[]): void {
  if (from === null || typeof from !== 'object' || Array.isArray(from)) return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  const source = from as Json;
  const key = Object.keys(source).find((k) => k.toLowerCase() === head.toLowerCase());
  if (key === undefined) return;
  const value = source[key];
  if (rest.length === 0 || value === null || typeof value !== 'object') {
    to[key] = value;
  } else if (Array.isArray(value)) {
    to[key] = value.map((item) => {
      const inner: Json = {};
      copyPath(item, inner, rest);
      return inner;
    });
  } else {
    const inner = (typeof to[key] === 'object' && to[key] !== null ? to[key] : {}) as Json;
    copyPath(value, inner, rest);
    to[key] = inner;
  }
}
