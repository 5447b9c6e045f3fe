// Bruno `filter_groups` (Traede notes §4): groups are AND-ed; filters inside a group are AND-ed, or
// OR-ed when the group has `or=true`. Only `created_at` and `updated_at` are filterable here.
import { ApiError } from '../errors.js';
import { parseDateTime } from '../query/parser.js';
import type { Json } from '../query/list-query.js';
import type { QueryValue } from './query-string.js';

export const FILTERABLE = ['created_at', 'updated_at'];
const OPERATORS = ['ct', 'sw', 'ew', 'eq', 'gt', 'gte', 'lt', 'lte', 'in', 'bt'];

interface Filter {
  key: string;
  operator: string;
  value: QueryValue;
  not: boolean;
}

interface Group {
  or: boolean;
  filters: Filter[];
}

function fail(message: string): ApiError {
  return new ApiError(400, { status: 400, error: 'invalid_filter', message });
}

const truthy = (v: QueryValue | undefined): boolean => v === 'true' || v === '1';

export function parseFilterGroups(raw: QueryValue | undefined): Group[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw fail('filter_groups must be an array of groups');
  return raw.map((group, g) => {
    if (typeof group !== 'object' || Array.isArray(group) || !Array.isArray(group['filters'])) {
      throw fail(`filter_groups[${g}] needs a filters array`);
    }
    const filters = group['filters'].map((f, i): Filter => {
      // Bruno also accepts the positional form [key, operator, value, not].
      const item = Array.isArray(f) ? { key: f[0], operator: f[1], value: f[2], not: f[3] } : typeof f === 'object' ? f : {};
      const key = item['key'];
      if (typeof key !== 'string' || !FILTERABLE.includes(key)) {
        throw fail(`filter_groups[${g}][filters][${i}]: '${String(key)}' is not filterable; use ${FILTERABLE.join(' or ')}`);
      }
      const operator = typeof item['operator'] === 'string' && OPERATORS.includes(item['operator']) ? item['operator'] : 'eq';
      return { key, operator, value: item['value'] ?? '', not: truthy(item['not']) };
    });
    return { or: truthy(group['or']), filters };
  });
}

export function matchesGroups(record: Json, groups: Group[]): boolean {
  return groups.every((group) => (group.or ? group.filters.some((f) => matches(record, f)) : group.filters.every((f) => matches(record, f))));
}

function time(value: QueryValue): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = parseDateTime(value.trim());
  if (ms === undefined) throw fail(`'${value}' is not a date-time (use YYYY-MM-DD HH:MM:SS, UTC)`);
  return ms;
}

function matches(record: Json, filter: Filter): boolean {
  const field = record[filter.key];
  const text = typeof field === 'string' ? field : '';
  const { operator, value } = filter;
  if (value === 'null' || value === '') return (field === null || field === undefined) !== filter.not;
  const ms = text ? parseDateTime(text) : undefined;
  let result: boolean;
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  switch (operator) {
    case 'ct':
      result = typeof value === 'string' && text.toLowerCase().includes(value.toLowerCase());
      break;
    case 'sw':
      result = typeof value === 'string' && text.toLowerCase().startsWith(value.toLowerCase());
      break;
    case 'ew':
      result = typeof value === 'string' && text.toLowerCase().endsWith(value.toLowerCase());
      break;
    case 'in':
      result = list.some((v) => ms !== undefined && time(v) === ms);
      break;
    case 'bt': {
      const [from, to] = list.map(time);
      if (list.length !== 2 || from === undefined || to === undefined) throw fail('bt takes exactly two values');
      result = ms !== undefined && ms >= from && ms <= to;
      break;
    }
    default: {
      const other = time(value);
      const c = ms === undefined || other === undefined ? undefined : Math.sign(ms - other);
      result = c !== undefined && (operator === 'gt' ? c > 0 : operator === 'gte' ? c >= 0 : operator === 'lt' ? c < 0 : operator === 'lte' ? c <= 0 : c === 0);
    }
  }
  return result !== filter.not;
}
