import { describe, expect, it } from 'vitest';
import { readConditionSettings } from '../../../src/tasks/connectwise/condition-settings.js';
import { conditionRefusal as refusal } from '../../support/refusal.js';

describe('readConditionSettings', () => {
  it('reads XML items (any key case) and typed JSON values', () => {
    expect(
      readConditionSettings('conditions', [
        { Field: 'company/identifier', Comparison: 'Equal', Value: '"TESTNEW"', LogicOperator: 'Or' },
        { field: 'total', comparison: 'GreaterThan', value: 10 },
        { field: 'closed', comparison: 'Equal', value: true },
      ]),
    ).toEqual([
      { field: 'company/identifier', comparison: 'Equal', value: '"TESTNEW"', logicOperator: 'Or' },
      { field: 'total', comparison: 'GreaterThan', value: '10', logicOperator: undefined },
      { field: 'closed', comparison: 'Equal', value: 'True', logicOperator: undefined },
    ]);
  });

  it('refuses unknown keys, missing fields and non-objects', () => {
    expect(refusal(() => readConditionSettings('conditions', [{ field: 'a', comparison: 'Equal', value: '1', op: 'x' }]))).toMatch(/"op" is not part of a condition/);
    expect(refusal(() => readConditionSettings('childConditions', [{ value: '1' }]))).toMatch(/childConditions #1: field and comparison are required/);
    expect(refusal(() => readConditionSettings('conditions', ['a = 1']))).toMatch(/must be a condition/);
  });
});
