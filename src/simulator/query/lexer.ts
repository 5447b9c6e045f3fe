// Tokenizer for the ConnectWise `conditions` language (API-NOTES §2.1). Positions are kept so a
// malformed condition can be reported the way a person can act on ("at position 14").

export type TokenKind = 'word' | 'string' | 'number' | 'datetime' | 'op' | '(' | ')' | ',' | 'end';

export interface Token {
  kind: TokenKind;
  /** Raw text for words and operators; the decoded value for strings, numbers and datetimes. */
  text: string;
  pos: number;
}

export class ConditionSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} at position ${pos}`);
    this.name = 'ConditionSyntaxError';
  }
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_/]/;
const DIGIT = /[0-9]/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, pos: i });
      i++;
    } else if (c === '"' || c === "'") {
      const [text, next] = readString(source, i);
      tokens.push({ kind: 'string', text, pos: i });
      i = next;
    } else if (c === '[') {
      const close = source.indexOf(']', i);
      if (close < 0) throw new ConditionSyntaxError('Unterminated [datetime]', i);
      tokens.push({ kind: 'datetime', text: source.slice(i + 1, close).trim(), pos: i });
      i = close + 1;
    } else if (c === '=' || c === '<' || c === '>' || c === '!') {
      const two = source.slice(i, i + 2);
      const op = two === '!=' || two === '<=' || two === '>=' || two === '<>' ? two : c;
      if (op === '!') throw new ConditionSyntaxError("Unexpected '!'", i);
      tokens.push({ kind: 'op', text: op === '<>' ? '!=' : op, pos: i });
      i += op.length;
    } else if (DIGIT.test(c) || ((c === '-' || c === '.') && DIGIT.test(source.charAt(i + 1)))) {
      const m = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
      const text = m?.[0] ?? c;
      tokens.push({ kind: 'number', text, pos: i });
      i += text.length;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < source.length && WORD_PART.test(source.charAt(j))) j++;
      tokens.push({ kind: 'word', text: source.slice(i, j), pos: i });
      i = j;
    } else {
      throw new ConditionSyntaxError(`Unexpected character '${c}'`, i);
    }
  }
  tokens.push({ kind: 'end', text: '', pos: source.length });
  return tokens;
}

/**
 * ConnectWise documents no escape inside quotes; clients use either a backslash (`\'`) or SQL's
 * doubled quote (`''`), so both are accepted.
 */
function readString(source: string, start: number): [string, number] {
  const quote = source.charAt(start);
  let out = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === '\\' && i + 1 < source.length) {
      out += source.charAt(i + 1);
      i += 2;
    } else if (c === quote) {
      if (source.charAt(i + 1) === quote) {
        out += quote;
        i += 2;
      } else {
        return [out, i + 1];
      }
    } else {
      out += c;
      i++;
    }
  }
  throw new ConditionSyntaxError('Unterminated string', start);
}
