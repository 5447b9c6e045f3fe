// PHP/Laravel bracket query strings (`filter_groups[0][filters][0][key]=updated_at`, `includes[]=lines`)
// read into nested objects and arrays, the way Traede's Laravel back end sees them.

export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };

export function parseBracketQuery(params: URLSearchParams): Record<string, QueryValue> {
  const root: Record<string, QueryValue> = {};
  for (const [rawKey, value] of params) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) continue;
    const path = [match[1] as string, ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string)];
    assign(root, path, value);
  }
  return normalise(root) as Record<string, QueryValue>;
}

function assign(target: Record<string, QueryValue>, path: string[], value: string): void {
  let node: Record<string, QueryValue> = target;
  for (let i = 0; i < path.length - 1; i++) {
    let key = path[i] as string;
    if (key === '') key = String(Object.keys(node).length);
    const existing = node[key];
    if (existing === undefined || typeof existing === 'string' || Array.isArray(existing)) node[key] = {};
    node = node[key] as Record<string, QueryValue>;
  }
  const last = path[path.length - 1] as string;
  node[last === '' ? String(Object.keys(node).length) : last] = value;
}

/** Objects whose keys are all indexes become arrays (ordered by index). */
function normalise(value: QueryValue): QueryValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, normalise(value[k] as QueryValue)] as const);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}
