// The few members of a JSON object a caller needs, parsed from the object's bytes while the others are
// skipped unread. The record exports hold their records as bytes (a transcoder writes them) and read of
// each only what paging and the reference lookups need: its id and the references it names.
import { CLOSE_BRACE, COLON, COMMA, OPEN_BRACE, QUOTE, skipSpace, stringEnd, valueEnd } from './json-bytes.js';
import type { RawJson } from './record-stream.js';

/** The key whose quotes are at `open` and `close`: most are their bytes; one with an escape is parsed. */
function keyAt(src: Buffer, open: number, close: number): string {
  const key = src.toString('utf8', open + 1, close);
  return key.includes('\\') ? (JSON.parse(src.toString('utf8', open, close + 1)) as string) : key;
}

/**
 * The members of the object in `raw` named in `keys`, parsed (a key given twice: its last value, as
 * JSON.parse keeps). Undefined when `raw` is not an object or not well-formed: the caller parses it
 * in full, and so reports what is wrong with it.
 */
export function pickMembers(raw: RawJson, keys: ReadonlySet<string>): Record<string, unknown> | undefined {
  const { bytes: src, end } = raw;
  let i = skipSpace(src, raw.start, end);
  if (src[i] !== OPEN_BRACE) return undefined;
  const picked: Record<string, unknown> = {};
  i = skipSpace(src, i + 1, end);
  if (src[i] === CLOSE_BRACE) return skipSpace(src, i + 1, end) === end ? picked : undefined;
  try {
    for (;;) {
      if (src[i] !== QUOTE) return undefined;
      const close = stringEnd(src, i + 1, end);
      if (close < 0) return undefined;
      const key = keyAt(src, i, close);
      i = skipSpace(src, close + 1, end);
      if (src[i] !== COLON) return undefined;
      const start = skipSpace(src, i + 1, end);
      const after = start < end ? valueEnd(src, start, end) : -1;
      if (after < 0) return undefined;
      if (keys.has(key)) picked[key] = JSON.parse(src.toString('utf8', start, after));
      i = skipSpace(src, after, end);
      if (src[i] === CLOSE_BRACE) return skipSpace(src, i + 1, end) === end ? picked : undefined;
      if (src[i] !== COMMA) return undefined;
      i = skipSpace(src, i + 1, end);
    }
  } catch {
    // A picked value or an escaped key that is not JSON.
    return undefined;
  }
}
