// The seed's Where Settings (Field / Comparison / Value / Logic Operator) turned into ConnectWise's
// query language (API-NOTES §2.1–2.2). Values pass through exactly as the user wrote them once they
// are proven well-formed: nothing is quoted or escaped behind the user's back, and a setting that
// cannot be a valid clause is refused before any request, naming the condition and the reason.
import { DropwiseError } from '../../errors.js';
import { isoInstant } from '../../time/iso-8601.js';

export type ConditionListName = 'conditions' | 'childConditions' | 'customFieldConditions';

/** One `<condition>` of a Where setting, as read from the task settings. */
export interface ConditionSetting {
  field: string;
  comparison: string;
  value: string;
  /** Joins this condition to the next one: And (default) or Or. */
  logicOperator?: string;
}

export const COMPARISONS = {
  Equal: '=',
  NotEqual: '!=',
  GreaterThan: '>',
  GreaterThanOrEqual: '>=',
  LessThan: '<',
  LessThanOrEqual: '<=',
  Contains: 'contains',
  NotContains: 'not contains',
  Like: 'like',
  NotLike: 'not like',
  In: 'in',
  NotIn: 'not in',
} as const;

export type Comparison = keyof typeof COMPARISONS;

// Zynk's lookup blocks spell it "Equals"; both are accepted.
const COMPARISON_ALIASES: Record<string, Comparison> = { equals: 'Equal', notequals: 'NotEqual' };

type ScalarKind = 'string' | 'number' | 'boolean' | 'datetime' | 'null';
type ValueKind = ScalarKind | 'list';

interface Scalar {
  kind: ScalarKind;
  text: string;
  end: number;
}

/** Where a value is refused: the reason, said so a person can fix the setting. */
class ValueProblem extends Error {}

const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** A [datetime] literal: ISO 8601 in its `T` form (ConnectWise's literal takes no blank). */
export function isIsoDateTime(text: string): boolean {
  return !text.includes(' ') && isoInstant(text) !== undefined;
}

/** Reads a double-quoted string starting at `start`; `\x` and `""` inside count as escaped. */
function readQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\') i++;
    else if (c === '"') {
      if (text.charAt(i + 1) !== '"') return i + 1;
      i++;
    }
  }
  throw new ValueProblem(`the quote opened at position ${start + 1} is never closed`);
}

/** One scalar value starting at `start` (leading blanks skipped); a bare word ends before any of `stops`. */
function readScalar(text: string, start: number, stops = ''): Scalar {
  let i = start;
  while (text.charAt(i) === ' ') i++;
  const c = text.charAt(i);
  if (c === '"') {
    const end = readQuoted(text, i);
    return { kind: 'string', text: text.slice(i, end), end };
  }
  if (c === '[') {
    const close = text.indexOf(']', i);
    if (close < 0) throw new ValueProblem('a [datetime] is never closed with ]');
    const inner = text.slice(i + 1, close).trim();
    if (!isIsoDateTime(inner)) throw new ValueProblem(`[${inner}] is not an ISO 8601 datetime, e.g. [2000-01-31T14:51:00Z]`);
    return { kind: 'datetime', text: `[${inner}]`, end: close + 1 };
  }
  let end = i;
  while (end < text.length && !stops.includes(text.charAt(end))) end++;
  const word = text.slice(i, end).trim();
  if (word === '') throw new ValueProblem('a value is missing');
  if (/^(true|false)$/i.test(word)) return { kind: 'boolean', text: word.toLowerCase() === 'true' ? 'True' : 'False', end };
  if (/^null$/i.test(word)) return { kind: 'null', text: 'null', end };
  if (NUMBER.test(word)) return { kind: 'number', text: word, end };
  if (word.includes('"')) throw new ValueProblem(`${word} has an unbalanced quote`);
  throw new ValueProblem(`${word} is not a value: text needs double quotes ("${word}"), booleans are True/False, dates [2000-01-31T14:51:00Z]`);
}

function expectEnd(text: string, at: number): void {
  const rest = text.slice(at).trim();
  if (rest !== '') throw new ValueProblem(`unexpected ${rest} after the value${rest.includes('"') ? ' (an unbalanced quote?)' : ''}`);
}

/** A parsed value: its kind and its text for the query (as written, blanks normalised in lists). */
export function parseConditionValue(raw: string): { kind: ValueKind; text: string } {
  const text = raw.trim();
  if (text.startsWith('(')) {
    const items: Scalar[] = [];
    let at = 1;
    for (;;) {
      const item = readScalar(text, at, ',)');
      items.push(item);
      at = item.end;
      while (text.charAt(at) === ' ') at++;
      const sep = text.charAt(at);
      if (sep === ')') break;
      if (sep !== ',') throw new ValueProblem(sep === '' ? 'the list is never closed with )' : `expected , or ) in the list but found ${text.slice(at)}`);
      at++;
    }
    expectEnd(text, at + 1);
    const nullItem = items.find((i) => i.kind === 'null');
    if (nullItem) throw new ValueProblem('null cannot be in a list; use a separate Equal null condition');
    return { kind: 'list', text: `(${items.map((i) => i.text).join(', ')})` };
  }
  const value = readScalar(text, 0);
  expectEnd(text, value.end);
  return { kind: value.kind, text: value.text };
}

/** Which value kinds each comparison takes, and an example for the error message. */
const RULES: Record<Comparison, { kinds: ValueKind[]; needs: string }> = {
  Equal: { kinds: ['string', 'number', 'boolean', 'datetime', 'null'], needs: 'a value, e.g. "Acme", 42, True, [2000-01-31T14:51:00Z] or null' },
  NotEqual: { kinds: ['string', 'number', 'boolean', 'datetime', 'null'], needs: 'a value, e.g. "Acme", 42, True, [2000-01-31T14:51:00Z] or null' },
  GreaterThan: { kinds: ['number', 'datetime'], needs: 'a number or a [datetime], e.g. 100 or [2000-01-31T14:51:00Z]' },
  GreaterThanOrEqual: { kinds: ['number', 'datetime'], needs: 'a number or a [datetime], e.g. 100 or [2000-01-31T14:51:00Z]' },
  LessThan: { kinds: ['number', 'datetime'], needs: 'a number or a [datetime], e.g. 100 or [2000-01-31T14:51:00Z]' },
  LessThanOrEqual: { kinds: ['number', 'datetime'], needs: 'a number or a [datetime], e.g. 100 or [2000-01-31T14:51:00Z]' },
  Contains: { kinds: ['string'], needs: 'a quoted string value, e.g. "Acme"' },
  NotContains: { kinds: ['string'], needs: 'a quoted string value, e.g. "Acme"' },
  Like: { kinds: ['string'], needs: 'a quoted string value, e.g. "Acme*"' },
  NotLike: { kinds: ['string'], needs: 'a quoted string value, e.g. "Acme*"' },
  In: { kinds: ['list'], needs: 'a list of values in brackets, e.g. ("John", "Ben")' },
  NotIn: { kinds: ['list'], needs: 'a list of values in brackets, e.g. ("John", "Ben")' },
};

export function comparisonOf(name: string): Comparison | undefined {
  const key = name.trim().toLowerCase();
  return (Object.keys(COMPARISONS) as Comparison[]).find((c) => c.toLowerCase() === key) ?? COMPARISON_ALIASES[key];
}

function logicOf(name: string | undefined): 'and' | 'or' | undefined {
  const key = (name ?? '').trim().toLowerCase();
  if (key === '' || key === 'and') return 'and';
  return key === 'or' ? 'or' : undefined;
}

/** One condition as a clause; throws ValueProblem saying what is wrong with it. */
function clauseOf(list: ConditionListName, c: ConditionSetting): string {
  const comparison = comparisonOf(c.comparison);
  if (!comparison) throw new ValueProblem(`comparison "${c.comparison}" is not one of ${Object.keys(COMPARISONS).join(', ')}`);
  if (list === 'childConditions' && (comparison === 'In' || comparison === 'NotIn')) {
    throw new ValueProblem(`${comparison} is not supported by ConnectWise in childConditions; use Equal conditions joined with Or`);
  }
  if (logicOf(c.logicOperator) === undefined) throw new ValueProblem(`logicOperator "${c.logicOperator ?? ''}" must be And or Or`);
  if (c.value.trim() === '') throw new ValueProblem(`${comparison} needs ${RULES[comparison].needs}`);
  let value;
  try {
    value = parseConditionValue(c.value);
  } catch (err) {
    if (!(err instanceof ValueProblem)) throw err;
    throw new ValueProblem(`value ${c.value.trim()}: ${err.message}`);
  }
  if (!RULES[comparison].kinds.includes(value.kind)) {
    throw new ValueProblem(value.kind === 'null' ? `null can only be used with Equal or NotEqual` : `${comparison} needs ${RULES[comparison].needs}`);
  }
  const operator = COMPARISONS[comparison];
  const field = c.field.trim();
  // A custom field is named by its caption (free text); the clause is about that field's value.
  if (list === 'customFieldConditions' && !/^(caption|value)$/i.test(field)) {
    if (field.includes('"')) throw new ValueProblem('a custom field caption cannot contain a double quote');
    return `(caption = "${field}" and value ${operator} ${value.text})`;
  }
  if (!FIELD_PATH.test(field)) throw new ValueProblem('the field must be an API field name or path, e.g. company/identifier or _info/lastUpdated');
  return `${field} ${operator} ${value.text}`;
}

/** How a condition is named in a message: `conditions #2 (field "company/identifier")`. */
export function conditionLabel(list: ConditionListName, index: number, field: string): string {
  return `${list} #${index + 1}${field.trim() === '' ? '' : ` (field "${field.trim()}")`}`;
}

/**
 * The query string for one Where setting ('' for none). Condition i's logicOperator joins it to
 * condition i+1. ConnectWise documents no precedence between and/or, so runs of And-joined
 * conditions are put in parentheses whenever an Or is present: `(a and b) or c`, as SQL reads it.
 * Throws DW_CONDITION_INVALID listing every bad condition.
 */
export function buildConditionString(list: ConditionListName, conditions: readonly ConditionSetting[]): string {
  const problems: string[] = [];
  const clauses: string[] = [];
  conditions.forEach((c, i) => {
    try {
      clauses.push(clauseOf(list, c));
    } catch (err) {
      if (!(err instanceof ValueProblem)) throw err;
      problems.push(`${conditionLabel(list, i, c.field)}: ${err.message}`);
    }
  });
  if (problems.length > 0) {
    throw new DropwiseError('DW_CONDITION_INVALID', problems.join('; '), {
      field: list,
      hint: 'Strings need double quotes ("Acme"), booleans are True/False, dates [2000-01-31T14:51:00Z], In/NotIn lists ("a", "b")',
    });
  }
  const groups: string[][] = [[]];
  clauses.forEach((clause, i) => {
    (groups[groups.length - 1] as string[]).push(clause);
    if (i < clauses.length - 1 && logicOf(conditions[i]?.logicOperator) === 'or') groups.push([]);
  });
  if (groups.length === 1) return clauses.join(' and ');
  return groups.map((g) => (g.length > 1 ? `(${g.join(' and ')})` : (g[0] as string))).join(' or ');
}

/** `user` and `extra` both required: `(user) and extra`; either alone when the other is empty. */
export function andClause(user: string, extra: string): string {
  if (user.trim() === '') return extra;
  if (extra.trim() === '') return user;
  return `(${user}) and ${extra}`;
}
