// Turns the standard query parameters of a ConnectWise GET (API-NOTES §2.2–2.3) into a filter,
// a sort, a projection and a paging request. Paging itself lives in paging.ts.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, invalid } from '../errors.js';
import { evaluate, recordResolver, resolvePath, compareText, getKey, type Resolver } from './evaluate.js';
import { ConditionSyntaxError, parseConditions, type Condition } from './parser.js';

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

export function parseListQuery(params: URLSearchParams, headers: IncomingHttpHeaders): ListQuery {
  const filters = [
    conditionFilter(params, 'conditions', (c) => (r) => evaluate(c, recordResolver(r))),
    conditionFilter(params, 'childConditions', childFilter),
    conditionFilter(params, 'customFieldConditions', customFieldFilter),
  ].filter((f): f is (r: Json) => boolean => f !== undefined);
  const forwardOnly = String(headers['pagination-type'] ?? '').toLowerCase() === 'forward-only';
  const orderBy = parseOrderBy(params.get('orderBy') ?? params.get('orderby') ?? '');
  if (forwardOnly && orderBy.length > 0) {
    throw invalid('orderBy', 'orderBy', 'InvalidField', 'orderBy is not supported with forward-only pagination; results are ordered by id.');
  }
  const fieldsParam = params.get('fields');
  return {
    filter: filters.length === 0 ? undefined : (r) => filters.every((f) => f(r)),
    orderBy,
    fields: fieldsParam ? fieldsParam.split(',').map((f) => f.trim().split('/')).filter((p) => p[0] !== '') : undefined,
    page: intParam(params, 'page', 1, 1, Number.MAX_SAFE_INTEGER, 'The field page must be greater than 0.'),
    pageSize: intParam(params, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, `The field pageSize must be between 1 and ${MAX_PAGE_SIZE}.`),
    forwardOnly,
    pageId: intParam(params, 'pageId', 0, 0, Number.MAX_SAFE_INTEGER, 'The field pageId must be a non-negative integer.'),
  };
}

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number, message: string): number {
  const raw = params.get(name);
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
  build: (c: Condition) => (r: Json) => boolean,
): ((r: Json) => boolean) | undefined {
  const source = params.get(name);
  if (source === null) return undefined;
  try {
    const condition = parseConditions(source);
    if (condition && name === 'childConditions' && usesIn(condition)) {
      throw new ConditionSyntaxError('The in operator is not supported in childConditions', source.search(/\bin\b/i));
    }
    return condition ? build(condition) : undefined;
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
