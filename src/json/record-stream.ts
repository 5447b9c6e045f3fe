// Reads a JSON object whose members are long arrays (a GLExport, any "object of lists" response) one
// record at a time: a scanner finds where each element of each top-level array begins and ends, and
// hands over that element alone, parsed with JSON.parse or as its bytes (RawJson, for a transcoder).
// Only the chunk in hand and the record being read are ever held, so memory stays flat at any body
// size. Pull-based: the next chunk is read only when the consumer asks for the next batch, so a slow
// consumer pauses the source (and the socket behind it).
//
// The scanner works on the body's bytes: strings are skipped with Buffer#indexOf (native; most of a
// record's bytes are inside strings), structure is tracked byte by byte between them (every byte of
// JSON's structure is ASCII, and no byte of a multi-byte UTF-8 character is). JSON.parse, or the
// transcoder, checks each record in full; the scanner only has to find the records' boundaries.
import { DropwiseError } from '../errors.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, isSpace } from './json-bytes.js';

/** A record as the bytes of its JSON (UTF-8), from `start` to `end` of `bytes`. */
export interface RawJson {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/** What the scanner hands over of each record: `unknown` parsed, or RawJson. */
export type JsonStreamEvent<R = unknown> =
  /** One element of the top-level array `container`. */
  | { kind: 'item'; container: string; record: R }
  /** A top-level member that is not an array (e.g. `exportSettings`). */
  | { kind: 'value'; container: string; record: R }
  /** The top-level array `container` has ended after `count` items. */
  | { kind: 'end'; container: string; count: number };

export type RawJsonStreamEvent = JsonStreamEvent<RawJson>;

/** A UTF-8 byte-order mark, skipped at the start of the body. */
const BOM = [0xef, 0xbb, 0xbf];

/** Where the scanner is between records, i.e. what the next non-space character may be. */
const enum At {
  BeforeRoot,
  FirstMemberOrEnd,
  NextMember,
  MemberOrEnd,
  Colon,
  MemberValue,
  FirstItemOrEnd,
  NextItem,
  ItemOrEnd,
  Done,
}

/** What is being captured: nothing, a member's key, or a value of one of three shapes. */
const enum Capture {
  None,
  Key,
  Nested,
  Text,
  Bare,
}

/** A body that is not well-formed; `retryable` when it merely ended early (cut off). */
function malformed(message: string, truncated: boolean): DropwiseError {
  return new DropwiseError('DW_JSON_MALFORMED', message, { retryable: truncated });
}

function parseJson(raw: RawJson, what: string): unknown {
  try {
    return JSON.parse(raw.bytes.toString('utf8', raw.start, raw.end));
  } catch (err) {
    throw malformed(`${what} is not valid JSON: ${(err as Error).message}`, false);
  }
}

/** A record of `container` parsed from its bytes; DW_JSON_MALFORMED when it is not JSON. */
export function parseRecord(container: string, raw: RawJson): unknown {
  return parseJson(raw, `A record of "${container}"`);
}

/** The push side of the reader: feed it bytes, collect the events of the records completed so far. */
export class TopLevelRecordScanner<R = unknown> {
  private at: At = At.BeforeRoot;
  private capture: Capture = Capture.None;
  private inArray = false;
  private container = '';
  private count = 0;
  /** The parts of the key or value in hand that arrived in earlier chunks. */
  private pieces: Buffer[] = [];
  private depth = 0;
  private inString = false;
  /** Backslashes that ended the previous piece inside a string: they may escape its first quote. */
  private carriedBackslashes = 0;
  /** Bytes scanned before the current chunk, for error messages. */
  private offset = 0;
  /** The bytes of a byte-order mark seen at the start so far. */
  private bom = 0;

  /**
   * `raw`: records are handed over as their bytes (RawJson), else parsed. `root` 'array': the body is
   * one array (a page of a list endpoint) whose elements are the records, of the container ''.
   */
  constructor(
    private readonly raw = false,
    private readonly root: 'object' | 'array' = 'object',
  ) {}

  /** Scans one chunk of the body; appends an event for every record it completes. */
  push(text: Buffer, out: JsonStreamEvent<R>[]): void {
    const n = text.length;
    let i = 0;
    // Where the capture in hand began in this chunk (0 when it began in an earlier one).
    let start = 0;
    while (i < n) {
      if (this.capture !== Capture.None) {
        const end = this.captureEnd(text, i);
        if (end < 0) {
          this.pieces.push(start === 0 ? text : text.subarray(start));
          break;
        }
        if (this.pieces.length > 0) {
          this.pieces.push(text.subarray(0, end));
          const whole = Buffer.concat(this.pieces);
          this.pieces = [];
          this.captured({ bytes: whole, start: 0, end: whole.length }, out);
        } else {
          this.captured({ bytes: text, start, end }, out);
        }
        i = end;
        continue;
      }
      const c = text[i] as number;
      if (this.at === At.BeforeRoot && this.offset + i === this.bom && this.bom < BOM.length && c === BOM[this.bom]) {
        this.bom++;
        i++;
      } else if (isSpace(c) && (this.bom === 0 || this.bom === BOM.length)) {
        i++;
      } else if (this.structural(c, i, out)) {
        start = i;
      } else {
        i++;
      }
    }
    this.offset += n;
  }

  /** Called at the end of the body: anything left open means the body was cut off. */
  finish(): void {
    if (this.at === At.Done && this.capture === Capture.None) return;
    if (this.at === At.BeforeRoot) throw malformed('The JSON body is empty', true);
    const inside = this.inArray ? `${this.container === '' ? '' : ` inside "${this.container}"`} after ${this.count} records` : this.container === '' ? '' : ` inside "${this.container}"`;
    throw malformed(`The JSON body ended early, after ${this.offset} bytes${inside}`, true);
  }

  /**
   * Handles one non-space character between records. Returns true when a key or a value begins at
   * this character (the capture then starts on it).
   */
  private structural(c: number, i: number, out: JsonStreamEvent<R>[]): boolean {
    switch (this.at) {
      case At.BeforeRoot:
        // A byte-order mark begun and not finished is not one (JSON.parse would see U+FFFD).
        if (c !== (this.root === 'array' ? OPEN_BRACKET : OPEN_BRACE) || (this.bom > 0 && this.bom < BOM.length)) throw malformed(`The JSON body is not an ${this.root}`, false);
        if (this.root === 'array') {
          this.inArray = true;
          this.at = At.FirstItemOrEnd;
        } else {
          this.at = At.FirstMemberOrEnd;
        }
        return false;
      case At.FirstMemberOrEnd:
      case At.NextMember:
        if (c === QUOTE) return this.begin(Capture.Key);
        if (c === CLOSE_BRACE && this.at === At.FirstMemberOrEnd) {
          this.at = At.Done;
          return false;
        }
        throw this.unexpected(c, i);
      case At.MemberOrEnd:
        if (c === COMMA) this.at = At.NextMember;
        else if (c === CLOSE_BRACE) this.at = At.Done;
        else throw this.unexpected(c, i);
        return false;
      case At.Colon:
        if (c !== COLON) throw this.unexpected(c, i);
        this.at = At.MemberValue;
        return false;
      case At.MemberValue:
        if (c === OPEN_BRACKET) {
          this.inArray = true;
          this.count = 0;
          this.at = At.FirstItemOrEnd;
          return false;
        }
        this.inArray = false;
        return this.beginValue(c, i);
      case At.FirstItemOrEnd:
      case At.NextItem:
        if (c === CLOSE_BRACKET && this.at === At.FirstItemOrEnd) {
          this.arrayEnd(out);
          return false;
        }
        return this.beginValue(c, i);
      case At.ItemOrEnd:
        if (c === COMMA) this.at = At.NextItem;
        else if (c === CLOSE_BRACKET) this.arrayEnd(out);
        else throw this.unexpected(c, i);
        return false;
      case At.Done:
        throw malformed(`Unexpected text after the end of the JSON body, at byte ${this.offset + i}`, false);
    }
  }

  private unexpected(c: number, i: number): DropwiseError {
    const what = c < 0x80 ? JSON.stringify(String.fromCharCode(c)) : `byte 0x${c.toString(16)}`;
    return malformed(`Unexpected character ${what} at byte ${this.offset + i} of the JSON body`, false);
  }

  private begin(capture: Capture): true {
    this.capture = capture;
    this.depth = 0;
    this.inString = false;
    this.carriedBackslashes = 0;
    return true;
  }

  private beginValue(c: number, i: number): true {
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.begin(Capture.Nested);
    if (c === QUOTE) return this.begin(Capture.Text);
    if (c === COMMA || c === COLON || c === CLOSE_BRACE || c === CLOSE_BRACKET) throw this.unexpected(c, i);
    return this.begin(Capture.Bare);
  }

  private arrayEnd(out: JsonStreamEvent<R>[]): void {
    out.push({ kind: 'end', container: this.container, count: this.count });
    this.inArray = false;
    this.at = this.root === 'array' ? At.Done : At.MemberOrEnd;
  }

  private captured(raw: RawJson, out: JsonStreamEvent<R>[]): void {
    const capture = this.capture;
    this.capture = Capture.None;
    if (capture === Capture.Key) {
      this.container = parseJson(raw, 'A member name of the JSON body') as string;
      this.at = At.Colon;
      return;
    }
    const record = (this.raw ? raw : parseRecord(this.container, raw)) as R;
    if (this.inArray) {
      out.push({ kind: 'item', container: this.container, record });
      this.count++;
      this.at = At.ItemOrEnd;
    } else {
      out.push({ kind: 'value', container: this.container, record });
      this.at = At.MemberOrEnd;
    }
  }

  /** The index just past the end of the key or value in hand, or -1 when it goes on past `text`. */
  private captureEnd(text: Buffer, from: number): number {
    switch (this.capture) {
      case Capture.Key:
      case Capture.Text:
        return this.stringEnd(text, from);
      case Capture.Bare:
        return bareEnd(text, from);
      default:
        return this.nestedEnd(text, from);
    }
  }

  /** An object or array: depth is tracked outside strings; strings are skipped whole. */
  private nestedEnd(text: Buffer, from: number): number {
    let i = from;
    if (this.inString) {
      i = this.stringEnd(text, i);
      if (i < 0) return -1;
    }
    let depth = this.depth;
    const n = text.length;
    while (i < n) {
      const c = text[i];
      if (c === QUOTE) {
        i = this.stringEnd(text, i);
        if (i < 0) {
          this.depth = depth;
          return -1;
        }
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          this.depth = 0;
          return i + 1;
        }
      }
      i++;
    }
    this.depth = depth;
    return -1;
  }

  /**
   * The index just past the closing quote of a string, or -1 when it goes on past `text`. Outside a
   * string, `from` is the opening quote; inside one (continued from an earlier piece) it is 0.
   */
  private stringEnd(text: Buffer, from: number): number {
    let start = from;
    if (!this.inString) {
      start = from + 1;
      this.inString = true;
      this.carriedBackslashes = 0;
    }
    let q = text.indexOf(QUOTE, start);
    while (q >= 0) {
      // A quote is escaped when an odd run of backslashes precedes it.
      let k = q - 1;
      while (k >= start && text[k] === BACKSLASH) k--;
      const run = q - 1 - k + (k < start ? this.carriedBackslashes : 0);
      if ((run & 1) === 0) {
        this.inString = false;
        this.carriedBackslashes = 0;
        return q + 1;
      }
      q = text.indexOf(QUOTE, q + 1);
    }
    let k = text.length - 1;
    while (k >= start && text[k] === BACKSLASH) k--;
    this.carriedBackslashes = text.length - 1 - k + (k < start ? this.carriedBackslashes : 0);
    return -1;
  }
}

/** Numbers, true, false, null: they end at the next delimiter. */
function bareEnd(text: Buffer, from: number): number {
  const n = text.length;
  for (let i = from; i < n; i++) {
    const c = text[i] as number;
    if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || isSpace(c)) return i;
  }
  return -1;
}

const asBuffer = (chunk: Uint8Array | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));

async function* scan<R>(source: AsyncIterable<Uint8Array | string>, raw: boolean): AsyncGenerator<JsonStreamEvent<R>[], void, undefined> {
  const scanner = new TopLevelRecordScanner<R>(raw);
  for await (const chunk of source) {
    const events: JsonStreamEvent<R>[] = [];
    scanner.push(asBuffer(chunk), events);
    if (events.length > 0) yield events;
  }
  scanner.finish();
}

/**
 * The records of a JSON body read as a stream, parsed: one batch of events per chunk of the source
 * (chunks that complete no record yield nothing). The next chunk is pulled only when the caller asks
 * for the next batch. Throws DW_JSON_MALFORMED (retryable when the body was cut off).
 */
export function readTopLevelRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<JsonStreamEvent[], void, undefined> {
  return scan<unknown>(source, false);
}

/**
 * readTopLevelRecords with each record as its bytes (RawJson), unchecked: the consumer parses it
 * (parseRecord) or transcodes it, and either says when it is not JSON.
 */
export function readRawTopLevelRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<RawJsonStreamEvent[], void, undefined> {
  return scan<RawJson>(source, true);
}

/** The elements of a whole JSON array body (a page of a list endpoint) as their bytes. Throws DW_JSON_MALFORMED. */
export function rawArrayElements(body: Buffer): RawJson[] {
  const scanner = new TopLevelRecordScanner<RawJson>(true, 'array');
  const events: RawJsonStreamEvent[] = [];
  scanner.push(body, events);
  scanner.finish();
  return events.flatMap((event) => (event.kind === 'item' ? [event.record] : []));
}
