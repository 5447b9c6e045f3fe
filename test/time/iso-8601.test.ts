import { describe, expect, it } from 'vitest';
import { isoDateTime, isoInstant } from '../../src/time/iso-8601.js';

describe('isoDateTime', () => {
  it.each([
    ['2018-10-11', '2018-10-11T00:00:00Z'],
    ['2018-10-11T10:20:30Z', '2018-10-11T10:20:30Z'],
    ['2018-10-11T10:20:30.999Z', '2018-10-11T10:20:30Z'],
    ['2018-10-11 10:20', '2018-10-11T10:20:00Z'],
    ['2018-10-11T10:20:30-0130', '2018-10-11T11:50:30Z'],
    ['2018-10-11T00:20:30+01:30', '2018-10-10T22:50:30Z'],
    ['2024-02-29T23:59:59.9999+23:59', '2024-02-29T00:00:59Z'],
    ['0048-02-29', '0048-02-29T00:00:00Z'],
    ['0050-06-01T12:00:00Z', '0050-06-01T12:00:00Z'],
  ])('%s → %s', (input, expected) => expect(isoDateTime(input)).toBe(expected));

  it.each(['11/10/2018', '2018-13-01', '2019-02-29', '2018-10-11T24:00:00Z', '2018-10-11T10:60', '2018-10-11Z', '2018-10-11T10:20:30+24:00', '2018-10-11T10:20:30+01:60', ''])('refuses %s', (input) => expect(isoDateTime(input)).toBeUndefined());

  it('reads milliseconds as Date.parse does: the first three digits, the rest cut off', () => {
    expect(isoInstant('2018-10-11T10:20:30.1Z')).toBe(Date.parse('2018-10-11T10:20:30.100Z'));
    expect(isoInstant('2018-10-11T10:20:30.98765+02:00')).toBe(Date.parse('2018-10-11T08:20:30.987Z'));
  });
});
