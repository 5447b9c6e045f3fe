// Traede's filter_groups (the Bruno syntax, API-NOTES §4): groups are AND-ed together, the filters
// inside one group are AND-ed, or OR-ed when the group says `or`. Export endpoints filter only on
// created_at/updated_at, so anything else is refused here, before a request is ever sent.
import { DropwiseError } from '../../errors.js';
import { isoInstant } from '../../time/iso-8601.js';

export const FILTER_KEYS = ['created_at', 'updated_at'] as const;
export const FILTER_OPERATORS = ['ct', 'sw', 'ew', 'eq', 'gt', 'gte', 'lt', 'lte', 'in', 'bt'] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface TraedeFilter {
  key: FilterKey;
  operator: FilterOperator;
  /** A datetime (ISO 8601 or `YYYY-MM-DD HH:MM:SS` UTC); text for ct/sw/ew; a list for in/bt; `null` with eq means IS NULL. */
  value: string | readonly string[];
  not: boolean;
}

export interface TraedeFilterGroup {
  or: boolean;
  filters: readonly TraedeFilter[];
}

/** Operators that match text (SQL LIKE) rather than compare datetimes. */
const TEXT_OPERATORS: ReadonlySet<string> = new Set(['ct', 'sw', 'ew']);

/**
 * An ISO 8601 date or date-time, or Traede's own `YYYY-MM-DD HH:MM:SS`, as Traede's datetime literal in
 * UTC. Without a zone the value is taken as UTC already (Traede's datetimes are UTC). Undefined when
 * the text is not such a value.
 */
export function traedeDateTime(text: string): string | undefined {
  const ms = isoInstant(text.trim());
  return ms === undefined ? undefined : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function describe(groupIndex: number, filterIndex?: number): string {
  return filterIndex === undefined ? `filter group ${groupIndex + 1}` : `filter ${filterIndex + 1} of filter group ${groupIndex + 1}`;
}

function valueProblem(filter: TraedeFilter): string | undefined {
  const { operator, value } = filter;
  if (operator === 'in' || operator === 'bt') {
    if (!Array.isArray(value)) return `operator ${operator} needs a list of datetimes`;
    if (operator === 'bt' && value.length !== 2) return 'operator bt needs exactly two datetimes (from and to)';
    if (value.length === 0) return 'operator in needs at least one datetime';
    const bad = value.find((v) => traedeDateTime(v) === undefined);
    return bad === undefined ? undefined : `"${bad}" is not a datetime`;
  }
  if (typeof value !== 'string') return `operator ${operator} takes one value, not a list`;
  if (TEXT_OPERATORS.has(operator)) return value === '' ? `operator ${operator} needs the text to look for` : undefined;
  if (value === 'null') return operator === 'eq' ? undefined : `"null" (is empty) can only be used with operator eq`;
  return traedeDateTime(value) === undefined ? `"${value}" is not a datetime (use e.g. 2024-01-31T00:00:00Z)` : undefined;
}

/** Every problem with the groups, each naming its group and filter; empty when they can be sent. */
export function filterGroupProblems(groups: readonly TraedeFilterGroup[]): string[] {
  const problems: string[] = [];
  groups.forEach((group, g) => {
    if (group.filters.length === 0) problems.push(`${describe(g)} has no filters`);
    group.filters.forEach((filter, f) => {
      const where = describe(g, f);
      if (!(FILTER_KEYS as readonly string[]).includes(filter.key)) {
        problems.push(`${where}: key "${filter.key}" cannot be filtered on (use ${FILTER_KEYS.join(' or ')})`);
      }
      if (!(FILTER_OPERATORS as readonly string[]).includes(filter.operator)) {
        problems.push(`${where}: operator "${filter.operator}" is unknown (use one of ${FILTER_OPERATORS.join(', ')})`);
        return;
      }
      const problem = valueProblem(filter);
      if (problem) problems.push(`${where}: ${problem}`);
    });
  });
  return problems;
}

/** Throws DW_SETTINGS_INVALID listing every problem with the groups. */
export function assertFilterGroups(groups: readonly TraedeFilterGroup[]): void {
  const problems = filterGroupProblems(groups);
  if (problems.length > 0) {
    throw new DropwiseError('DW_SETTINGS_INVALID', `Invalid Traede filter groups: ${problems.join('; ')}`, {
      field: 'filterGroups',
      hint: `Filter on ${FILTER_KEYS.join('/')} with operators ${FILTER_OPERATORS.join(', ')}`,
    });
  }
}

const wireValue = (operator: FilterOperator, value: string): string =>
  TEXT_OPERATORS.has(operator) || value === 'null' ? value : (traedeDateTime(value) as string);

/**
 * The groups as query parameters in PHP array notation:
 * `filter_groups[0][or]=true`, `filter_groups[0][filters][0][key]=updated_at`, …`[value][]=` for lists.
 * Checks the groups first (assertFilterGroups).
 */
export function filterGroupParams(groups: readonly TraedeFilterGroup[]): [string, string][] {
  assertFilterGroups(groups);
  const params: [string, string][] = [];
  groups.forEach((group, g) => {
    const base = `filter_groups[${g}]`;
    if (group.or) params.push([`${base}[or]`, 'true']);
    group.filters.forEach((filter, f) => {
      const at = `${base}[filters][${f}]`;
      params.push([`${at}[key]`, filter.key], [`${at}[operator]`, filter.operator]);
      if (typeof filter.value === 'string') params.push([`${at}[value]`, wireValue(filter.operator, filter.value)]);
      else for (const v of filter.value) params.push([`${at}[value][]`, wireValue(filter.operator, v)]);
      if (filter.not) params.push([`${at}[not]`, 'true']);
    });
  });
  return params;
}
