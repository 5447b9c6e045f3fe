// The Where settings (conditions, childConditions, customFieldConditions) as they arrive in a task's
// settings, read into conditions for the clause builder in connectors/connectwise/conditions.ts.
import { conditionLabel, type ConditionListName, type ConditionSetting } from '../../connectors/connectwise/conditions.js';
import { DropwiseError } from '../../errors.js';

const CONDITION_KEYS = ['field', 'comparison', 'value', 'logicOperator'] as const;

/**
 * Reads the items of a Where setting as they arrive: objects from JSON, or from XML task requests
 * (`<condition><field>…</field>…</condition>`, keys in any case, values as strings). JSON numbers
 * and booleans are taken as their query text (42, True).
 */
export function readConditionSettings(list: ConditionListName, items: readonly unknown[]): ConditionSetting[] {
  const problems: string[] = [];
  const out: ConditionSetting[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${conditionLabel(list, i, '')}: must be a condition with field, comparison and value`);
      return;
    }
    const values: Partial<Record<(typeof CONDITION_KEYS)[number], string>> = {};
    for (const [key, v] of Object.entries(item)) {
      const name = CONDITION_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      if (name === undefined) {
        problems.push(`${conditionLabel(list, i, '')}: "${key}" is not part of a condition (use ${CONDITION_KEYS.join(', ')})`);
      } else if (typeof v === 'string' || typeof v === 'number') {
        values[name] = String(v);
      } else if (typeof v === 'boolean') {
        values[name] = v ? 'True' : 'False';
      } else if (v !== null && v !== undefined) {
        problems.push(`${conditionLabel(list, i, '')}: ${name} must be text`);
      }
    }
    const missing = (['field', 'comparison'] as const).filter((k) => (values[k] ?? '').trim() === '');
    if (missing.length > 0) problems.push(`${conditionLabel(list, i, values.field ?? '')}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`);
    out.push({ field: values.field ?? '', comparison: values.comparison ?? '', value: values.value ?? '', logicOperator: values.logicOperator });
  });
  if (problems.length > 0) throw new DropwiseError('DW_CONDITION_INVALID', problems.join('; '), { field: list });
  return out;
}
