import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickMembers } from '../../src/json/pick-members.js';
import { jsonValue, trickyString } from '../support/json-arbitraries.js';

/** `text` as a span of a larger buffer, as a page hands its records over. */
function rawOf(text: string): { bytes: Buffer; start: number; end: number } {
  const bytes = Buffer.from(`[0,${text},1]`);
  return { bytes, start: 3, end: bytes.length - 3 };
}

describe('pickMembers', () => {
  it('parses the named members as JSON.parse of the whole object has them, however the object is spaced', () => {
    fc.assert(
      fc.property(fc.dictionary(trickyString, jsonValue, { maxKeys: 6 }), fc.array(trickyString, { maxLength: 3 }), fc.boolean(), (record, extraKeys, pretty) => {
        const text = JSON.stringify(record, null, pretty ? 2 : undefined);
        const keys = new Set([...Object.keys(record).slice(0, 2), ...extraKeys]);
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const want = Object.fromEntries([...keys].filter((k) => Object.hasOwn(parsed, k)).map((k) => [k, parsed[k]]));
        expect(pickMembers(rawOf(text), keys)).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a key with an escape by its value, and keeps the last of a key given twice', () => {
    expect(pickMembers(rawOf('{"\\u0069d":7,"name":"a","name":"b"}'), new Set(['id', 'name']))).toEqual({ id: 7, name: 'b' });
  });

  it('never parses the members it skips', () => {
    // A skipped member that is not valid JSON inside: only its structure is followed.
    expect(pickMembers(rawOf('{"junk":[tru, 01],"id":3}'), new Set(['id']))).toEqual({ id: 3 });
  });

  it.each([
    ['an array', '[1]'],
    ['a string', '"x"'],
    ['a trailing comma', '{"id":1,}'],
    ['a missing colon', '{"id" 1}'],
    ['a picked value that is not JSON', '{"id":01}'],
    ['an object cut off', '{"id":1,"a":"x'],
    ['text after the end', '{"id":1} x'],
    ['a bad escape in a key', '{"\\q":1}'],
  ])('gives up on %s (the caller parses it and reports the fault)', (_what, text) => {
    expect(pickMembers(rawOf(text), new Set(['id']))).toBeUndefined();
  });

  it('picks nothing of an empty object', () => {
    expect(pickMembers(rawOf(' {} '), new Set(['id']))).toEqual({});
  });
});
