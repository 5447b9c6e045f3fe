// The bytes of JSON's structure (all ASCII), for the readers that work on a body's bytes: the record
// scanner (record-stream.ts) and the transcoder (xml/json-transcoder.ts).
export const QUOTE = 34;
export const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
export const COMMA = 44;
export const COLON = 58;

/** JSON's whitespace: space, \n, \r, \t. */
export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
