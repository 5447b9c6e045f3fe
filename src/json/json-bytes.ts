// The bytes of JSON's structure (all ASCII) and the skips every reader of a body's bytes needs: the
// record scanner (record-stream.ts), the member picker (pick-members.ts), the transcoder (xml/json-transcoder.ts).
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

/** The index of the quote that ends the string whose text begins at `from`, or -1 when it does not end before `end`. */
export function stringEnd(src: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = src[i] as number;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/**
 * The index past the value that begins at `i` (a non-space byte), found by its structure alone, or -1
 * when it does not end before `end`. It does not check the value: whoever reads it does.
 */
export function valueEnd(src: Buffer, i: number, end: number): number {
  const c = src[i] as number;
  if (c === QUOTE) {
    const close = stringEnd(src, i + 1, end);
    return close < 0 ? -1 : close + 1;
  }
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (; i < end; i++) {
      const d = src[i] as number;
      if (d === QUOTE) {
        i = stringEnd(src, i + 1, end);
        if (i < 0) return -1;
      } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    return -1;
  }
  for (; i < end; i++) {
    const d = src[i] as number;
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) return i;
  }
  return i;
}

/** The index of the first byte at or past `i` that is not whitespace (`end` when there is none). */
export function skipSpace(src: Buffer, i: number, end: number): number {
  while (i < end && isSpace(src[i] as number)) i++;
  return i;
}
