// Evaluates a parsed condition against a record. Loose semantics as the notes describe (§2.1): a
// missing field is null, a type mismatch is false rather than an error, string comparisons ignore
// case (SQL Server collation), and any comparison with null other than `= null` / `!= null` is false.
import { parseDateTime, type Condition, type Literal } from './parser.js';

/** Every value a path reaches; arrays on the way are searched element by element. */
export type Resolver = (path: string[]) => unknown[];

/** Case-insensitive key lookup, exact match first (the common case). */
export function getKey(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

export function resolvePath(value: unknown, path: readonly string[], from = 0): unknown[] {
  if (from === path.length) return Array.isArray(value) ? value : [value];
  if (Array.isArray(value)) return value.flatMap((item) => resolvePath(item, path, from));
  if (value === null || typeof value !== 'object') return [];
  return resolvePath(getKey(value as Record<string, unknown>, path[from] as string), path, from + 1);
}

export function recordResolver(record: unknown): Resolver {
  return (path) => resolvePath(record, path);
}

export function evaluate(condition: Condition, resolve: Resolver): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluate(condition.left, resolve) && evaluate(condition.right, resolve);
    case 'or':
      return evaluate(condition.left, resolve) || evaluate(condition.right, resolve);
    case 'in':
      return someValue(resolve(condition.path), (v) => {
        if (v === null || v === undefined) return false;
        const found = condition.values.some((lit) => compare(v, '=', lit));
        return condition.negate ? !found : found;
      });
    case 'compare': {
      const { op, value: lit, negate } = condition;
      if (lit.type === 'null' && (op === '=' || op === '!=')) {
        const isNull = resolve(condition.path).every((v) => v === null || v === undefined);
        return op === '=' ? isNull : !isNull;
      }
      return someValue(resolve(condition.path), (v) => {
        if (v === null || v === undefined) return false;
        const result = op === 'contains' || op === 'like' ? matchText(v, op, lit) : compare(v, op, lit);
        return result === undefined ? false : negate ? !result : result;
      });
    }
  }
}

function someValue(values: unknown[], test: (v: unknown) => boolean): boolean {
  return values.length === 0 ? test(undefined) : values.some(test);
}

/** Orders two values of one kind; undefined means "not comparable" (a type mismatch). */
function order(value: unknown, lit: Literal): number | undefined {
  switch (lit.type) {
    case 'string':
      if (typeof value !== 'string') return undefined;
      return compareText(value, lit.value);
    case 'number':
      return typeof value === 'number' ? Math.sign(value - lit.value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? Number(value) - Number(lit.value) : undefined;
    case 'datetime': {
      const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
      return ms === undefined ? undefined : Math.sign(ms - lit.value);
    }
    case 'null':
      return undefined;
  }
}

export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function compare(value: unknown, op: string, lit: Literal): boolean {
  const o = order(value, lit);
  if (o === undefined) return false;
  switch (op) {
    case '=':
      return o === 0;
    case '!=':
      return o !== 0;
    case '<':
      return o < 0;
    case '<=':
      return o <= 0;
    case '>':
      return o > 0;
    default:
      return o >= 0;
  }
}

function matchText(value: unknown, op: 'contains' | 'like', lit: Literal): boolean | undefined {
  if (typeof value !== 'string' || lit.type !== 'string') return undefined;
  if (op === 'contains') return value.toLowerCase().includes(lit.value.toLowerCase());
  return likeRegExp(lit.value).test(value);
}

const likeCache = new Map<string, RegExp>();

/** SQL LIKE as ConnectWise accepts it: `*` or `%` any run, `_` one character, `[abc]` a set (so `[[]` is a literal `[`). */
export function likeRegExp(pattern: string): RegExp {
  const cached = likeCache.get(pattern);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    const close = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*' || c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else if (close > 0) {
      source += `[${pattern.slice(i + 1, close).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, 'i');
  if (likeCache.size > 500) likeCache.clear();
  likeCache.set(pattern, re);
  return re;
}
