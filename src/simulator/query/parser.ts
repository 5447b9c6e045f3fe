// Recursive-descent parser for `conditions` → AST. Grammar (API-NOTES §2.1; `and` binds tighter
// than `or`, keywords are case-insensitive):
//   expr       := conj ( OR conj )*
//   conj       := term ( AND term )*
//   term       := '(' expr ')' | comparison
//   comparison := path ( cmpOp literal | [NOT] (CONTAINS|LIKE) literal | [NOT] IN '(' literal (',' literal)* ')' )
//   literal    := string | number | TRUE | FALSE | NULL | [datetime]
import { ConditionSyntaxError, tokenize, type Token } from './lexer.js';

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'datetime'; value: number };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'like';

export type Condition =
  | { kind: 'and'; left: Condition; right: Condition }
  | { kind: 'or'; left: Condition; right: Condition }
  | { kind: 'compare'; path: string[]; op: CompareOp; negate: boolean; value: Literal }
  | { kind: 'in'; path: string[]; negate: boolean; values: Literal[] };

export { ConditionSyntaxError };

/** Parses a conditions string; an empty or blank string yields `undefined` (no filter). */
export function parseConditions(source: string): Condition | undefined {
  const tokens = tokenize(source);
  if (tokens.length === 1) return undefined;
  const parser = new Parser(tokens);
  const tree = parser.expr();
  parser.expectEnd();
  return tree;
}

function isWord(token: Token, word: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === word;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    // The token list always ends with an 'end' token, and the index never moves past it.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw new ConditionSyntaxError(`Unexpected '${token.text}'`, token.pos);
  }

  expr(): Condition {
    let left = this.conj();
    while (isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.conj() };
    }
    return left;
  }

  private conj(): Condition {
    let left = this.term();
    while (isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.term() };
    }
    return left;
  }

  private term(): Condition {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      const inner = this.expr();
      const close = this.next();
      if (close.kind !== ')') throw new ConditionSyntaxError("Expected ')'", close.pos);
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Condition {
    const field = this.next();
    if (field.kind !== 'word' || field.text.endsWith('/') || field.text.includes('//')) {
      throw new ConditionSyntaxError(`Expected a field name but found '${field.text || 'end of input'}'`, field.pos);
    }
    const path = field.text.split('/');
    let token = this.next();
    if (token.kind === 'op') return { kind: 'compare', path, op: token.text as CompareOp, negate: false, value: this.literal() };
    let negate = false;
    if (isWord(token, 'not')) {
      negate = true;
      token = this.next();
    }
    if (isWord(token, 'contains') || isWord(token, 'like')) {
      const op = token.text.toLowerCase() as CompareOp;
      return { kind: 'compare', path, op, negate, value: this.literal() };
    }
    if (isWord(token, 'in')) return { kind: 'in', path, negate, values: this.list() };
    throw new ConditionSyntaxError(
      `Expected an operator after '${field.text}' but found '${token.text || 'end of input'}'`,
      token.pos,
    );
  }

  private list(): Literal[] {
    const open = this.next();
    if (open.kind !== '(') throw new ConditionSyntaxError("Expected '(' after in", open.pos);
    const values = [this.literal()];
    for (;;) {
      const token = this.next();
      if (token.kind === ')') return values;
      if (token.kind !== ',') throw new ConditionSyntaxError("Expected ',' or ')' in list", token.pos);
      values.push(this.literal());
    }
  }

  private literal(): Literal {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { type: 'string', value: token.text };
      case 'number':
        return { type: 'number', value: Number(token.text) };
      case 'datetime': {
        const value = parseDateTime(token.text);
        if (value === undefined) throw new ConditionSyntaxError(`Invalid datetime [${token.text}]`, token.pos);
        return { type: 'datetime', value };
      }
      case 'word': {
        const word = token.text.toLowerCase();
        if (word === 'true' || word === 'false') return { type: 'boolean', value: word === 'true' };
        if (word === 'null') return { type: 'null' };
        break;
      }
      default:
        break;
    }
    throw new ConditionSyntaxError(`Expected a value but found '${token.text || 'end of input'}'`, token.pos);
  }
}

/** ISO date or date-time; a value without a zone is read as UTC, as ConnectWise stores UTC. */
export function parseDateTime(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const normalised = text.replace(' ', 'T') + (hasZone || !text.includes(':') ? '' : 'Z');
  const ms = Date.parse(text.includes(':') ? normalised : `${normalised}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
