// The filterGroups setting, from config/task-request JSON (`[{ or, filters: [{ key, operator, value, not }] }]`)
// or from a task-request XML (`<filterGroups><filterGroup><or>…</or><filters><filter>…`), into the
// connector's filter groups. Shape problems are found here; keys, operators and values are checked
// by the connector's own rules, so a bad filter is refused before any request.
import { filterGroupProblems, type TraedeFilter, type TraedeFilterGroup } from '../../connectors/traede/filter-groups.js';
import { SettingsReader } from '../settings.js';
import { isObject } from '../../json/is-object.js';

const LIST_OPERATORS: ReadonlySet<string> = new Set(['in', 'bt']);


/** A reader for one nested object; its errors name where it sits, e.g. `(filterGroups, group 2, filter 1)`. */
function nested(value: unknown, taskType: string, where: string, parent: SettingsReader): SettingsReader | undefined {
  if (isObject(value)) return new SettingsReader(value, `${taskType} (filterGroups, ${where})`);
  parent.problem(`"filterGroups" ${where} must be an object with its settings (was ${JSON.stringify(value)})`);
  return undefined;
}

function readFilter(reader: SettingsReader): TraedeFilter {
  const key = (reader.string('key', { required: true }) ?? '').toLowerCase();
  const operator = (reader.string('operator', { required: true }) ?? '').toLowerCase();
  // in/bt take a list: a JSON array, comma-separated text, or XML <value><item>…</item></value>.
  const value = LIST_OPERATORS.has(operator) ? reader.stringList('value', 'item') : (reader.string('value', { required: true }) ?? '');
  const not = reader.bool('not', false);
  reader.done();
  return { key, operator, value, not } as TraedeFilter;
}

/**
 * Reads the filterGroups setting. Problems go to `settings` (reported with the other settings'),
 * except a nested object's own unknown/mistyped fields, which throw DW_SETTINGS_INVALID naming it.
 */
export function readFilterGroups(settings: SettingsReader, taskType: string): TraedeFilterGroup[] {
  const groups: TraedeFilterGroup[] = [];
  settings.list('filterGroups', 'filterGroup').forEach((rawGroup, g) => {
    const group = nested(rawGroup, taskType, `group ${g + 1}`, settings);
    if (!group) return;
    const or = group.bool('or', false);
    const filters: TraedeFilter[] = [];
    group.list('filters', 'filter').forEach((rawFilter, f) => {
      const filter = nested(rawFilter, taskType, `group ${g + 1}, filter ${f + 1}`, settings);
      if (filter) filters.push(readFilter(filter));
    });
    group.done();
    groups.push({ or, filters });
  });
  for (const problem of filterGroupProblems(groups)) settings.problem(`"filterGroups": ${problem}`);
  return groups;
}
