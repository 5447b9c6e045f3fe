// fast-check generators of JSON for the tests of the readers that work on a body's bytes.
import fc from 'fast-check';

/** Strings full of the characters that trip scanners: quotes, backslashes, brackets, multi-byte text. */
export const trickyString = fc.stringMatching(/^[a-z"\\{}[\],: é€😀\n]{0,12}$/u);
const leaf = fc.oneof(trickyString, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
/** Any JSON value, nested a few levels, with tricky strings for keys and text. */
export const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
})).value;
