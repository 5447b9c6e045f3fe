import { describe, expect, it } from 'vitest';
import { isoDateTime } from '../../src/time/iso-8601.js';

describe('isoDateTime', () => {
  it.each([
    ['2018-10-11', '2018-10-11T00:00:00Z'],
    ['2018-10-11T10:20:30Z', '2018-10-11T10:20:30Z'],
    ['2018-10-11T10:20:30.999Z', '2018-10-11T10:20:30Z'],
    ['2018-10-11 10:20', '2018-10-11T10:20:00Z'],
    ['2018-10-11T10:20:30-0130', '2018-10-11T11:50:30Z'],
  ])('%s → %s', (input, expected) => expect(isoDateTime(input)).toBe(expected));

  it.each(['11/10/2018', '2018-13-01', '2019-02-29', '2018-10-11T24:00:00Z', '2018-10-11T10:60', '2018-10-11Z', ''])('refuses %s', (input) => expect(isoDateTime(input)).toBeUndefined());
});
