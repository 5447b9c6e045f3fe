// Escaping for XML 1.0 text and attribute values. Characters XML forbids outright (most C0 controls,
// lone surrogates, U+FFFE/U+FFFF) cannot be escaped, so they are replaced with U+FFFD: a downstream
// parser would otherwise reject the whole file because of one bad byte in one field.

// eslint-disable-next-line no-control-regex
const FORBIDDEN_SOURCE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.source;
const HAS_FORBIDDEN = new RegExp(FORBIDDEN_SOURCE);
const FORBIDDEN = new RegExp(FORBIDDEN_SOURCE, 'g');
// One cheap character-class test decides whether a value needs any work at all (most do not).
// eslint-disable-next-line no-control-regex
const NEEDS_TEXT_WORK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F&<>\r\uD800-\uDFFF\uFFFE\uFFFF]/;
const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"\r\n\t]/;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' };

function clean(value: string): string {
  return HAS_FORBIDDEN.test(value) ? value.replace(FORBIDDEN, '\uFFFD') : value;
}

export function escapeText(value: string): string {
  if (!NEEDS_TEXT_WORK.test(value)) return value;
  const s = clean(value);
  // \r would be normalised away by a parser; keep it as a character reference.
  return TEXT_SPECIAL.test(s) || s.includes('\r') ? s.replace(/[&<>\r]/g, (c) => ENTITIES[c] as string) : s;
}

export function escapeAttr(value: string): string {
  const s = clean(value);
  return ATTR_SPECIAL.test(s) ? s.replace(/[&<>"\r\n\t]/g, (c) => ENTITIES[c] as string) : s;
}
