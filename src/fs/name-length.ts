// File names are limited to 255 bytes on Linux and macOS (255 UTF-16 units on Windows, never more than
// the UTF-8 bytes). dropwise adds to the names it was given (`<claim id>__`, ` (2)`, `.error.xml`), so
// a name the inbox accepted can be too long where it goes next: it is shortened there, never refused.

export const MAX_NAME_BYTES = 255;

/**
 * `name` itself when it fits in `maxBytes` (UTF-8); otherwise its start, a `~`, and its extension,
 * cut between characters so the result stays valid text.
 */
export function fitName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 32 ? name.slice(dot) : '';
  const budget = maxBytes - Buffer.byteLength(ext) - 1;
  let stem = '';
  let used = 0;
  for (const ch of name.slice(0, name.length - ext.length)) {
    const bytes = Buffer.byteLength(ch);
    if (used + bytes > budget) break;
    stem += ch;
    used += bytes;
  }
  return `${stem}~${ext}`;
}
