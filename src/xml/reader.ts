// Streaming XML reading with saxes: a document is read chunk by chunk and each child of the root is
// handed over as a small element tree, so a file of a million records needs the memory of one.
// Hostile input is refused: DOCTYPE (and with it every entity trick), absurd nesting, giant text.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { DropwiseError } from '../errors.js';
import { NO_FOLLOW } from '../fs/entry-kind.js';
import { DETECT_BYTES, StrictDecoder, detectEncoding } from './encoding.js';
import { escapeAttr, escapeText } from './escape.js';
import { createSafeParser, emptyFileError, malformedError, parserError } from './safe-parser.js';

/**
 * One element: its child elements, and its text apart. The file formats hold either a value or
 * elements in an element, never both mixed, so the order of text between children is not kept (the
 * whitespace between them is in `text`, which is only read for elements without children). Kept
 * apart, a record's tree costs a third of what it did as one list of elements and strings, where
 * every run of whitespace was an entry of its own.
 */
export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** Its text and CDATA, joined. */
  text: string;
  /** The line the element starts on, for error messages. */
  line: number;
}

/** The attributes of the many elements that have none: one object, not one each. */
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

export interface XmlReadLimits {
  /** Deepest element nesting accepted. */
  maxDepth: number;
  /** Longest text of one element, in characters. */
  maxTextLength: number;
  /** Most elements in one record. */
  maxRecordElements: number;
}

/** Characters given to the parser at a time (see readRecords). */
const PARSE_SLICE = 16 * 1024;

export const DEFAULT_LIMITS: XmlReadLimits = { maxDepth: 32, maxTextLength: 1_000_000, maxRecordElements: 100_000 };

export interface XmlRecord {
  /** 0-based position among the root's child elements. */
  index: number;
  element: XmlElement;
}

type Source = string | Readable;

async function open(source: Source): Promise<Readable> {
  if (typeof source !== 'string') return source;
  // Bytes: their encoding is the document's to say (encoding.ts). Never through a link.
  const handle = await fs.promises.open(source, fs.constants.O_RDONLY | NO_FOLLOW);
  return handle.createReadStream({ highWaterMark: 256 * 1024 });
}

/**
 * The text of a source: bytes decoded strictly in the document's own encoding (DW_XML_ENCODING for
 * bytes that are not), or the strings of a stream of text as they are.
 */
async function* decodedText(stream: Readable): AsyncGenerator<string> {
  let head: Buffer[] = [];
  let headBytes = 0;
  let decoder: StrictDecoder | undefined;
  let first = true;
  for await (const chunk of stream) {
    if (typeof chunk === 'string') {
      yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
      first = false;
      continue;
    }
    first = false;
    if (decoder) {
      yield decoder.write(chunk as Buffer);
      continue;
    }
    // Enough of the start to see the byte order mark and the XML declaration.
    head.push(chunk as Buffer);
    headBytes += (chunk as Buffer).length;
    if (headBytes < DETECT_BYTES) continue;
    const bytes = Buffer.concat(head);
    head = [];
    decoder = new StrictDecoder(detectEncoding(bytes));
    yield decoder.write(bytes);
  }
  if (!decoder && headBytes > 0) {
    const bytes = Buffer.concat(head);
    decoder = new StrictDecoder(detectEncoding(bytes));
    yield decoder.write(bytes);
  }
  if (decoder) yield decoder.end();
}

export interface ReadRecordsOptions {
  expectRoot?: string;
  limits?: Partial<XmlReadLimits>;
  onRoot?: (root: XmlElement) => void;
}

/**
 * Yields the children of the root element one at a time. The root's name is checked against
 * `expectRoot` when given. Throws DW_FILE_EMPTY, DW_XML_MALFORMED or DW_XML_UNSAFE.
 */
export async function* readRecords(source: Source, options: ReadRecordsOptions = {}): AsyncGenerator<XmlRecord> {
  for await (const batch of readRecordBatches(source, options)) for (const record of batch) yield record;
}

/**
 * readRecords() a batch at a time: the records each slice of text completed (up to a hundred or so).
 * For a reader that handles each record at once: a step of an async generator costs about as much as
 * building a small record's tree, so records one at a time made a file's pass a quarter slower.
 */
export async function* readRecordBatches(source: Source, options: ReadRecordsOptions = {}): AsyncGenerator<XmlRecord[]> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const parser = createSafeParser();
  let queue: XmlRecord[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let index = 0;
  let recordElements = 0;
  let sawContent = false;
  // saxes hands over a text, CDATA or attribute only once it is complete, so a giant one would sit in
  // memory first: count the input read since the parser last reported anything, and stop early.
  let charsWithoutEvent = 0;
  const eventSeen = () => (charsWithoutEvent = 0);
  const tooLong = (): never => {
    throw new DropwiseError('DW_XML_UNSAFE', `A text, CDATA section or attribute is longer than ${limits.maxTextLength} characters (line ${parser.line})`, {
      hint: 'The file formats hold short values; check the file was produced correctly',
    });
  };

  parser.on('opentag', (tag) => {
    if (stack.length >= limits.maxDepth) {
      throw new DropwiseError('DW_XML_UNSAFE', `Elements are nested more than ${limits.maxDepth} deep (line ${parser.line})`, {
        hint: 'The file formats nest only a few levels; check the file was produced correctly',
      });
    }
    eventSeen();
    const attributes = tag.attributes as Record<string, string>;
    let hasAttributes = false;
    for (const name in attributes) {
      hasAttributes = true;
      if ((attributes[name] as string).length > limits.maxTextLength) tooLong();
    }
    // A plain object (saxes' has no prototype); most elements have no attributes: no copy for them.
    const el: XmlElement = { name: tag.name, attributes: hasAttributes ? { ...attributes } : NO_ATTRIBUTES, children: [], text: '', line: parser.line };
    if (!root) {
      root = el;
      if (options.expectRoot !== undefined && el.name !== options.expectRoot) {
        throw new DropwiseError('DW_UNKNOWN_ROOT', `The root element is <${el.name}>, expected <${options.expectRoot}>`, {
          hint: `Send a file whose root element is <${options.expectRoot}>`,
        });
      }
      options.onRoot?.(el);
    } else {
      if (stack.length === 1) recordElements = 0;
      if (++recordElements > limits.maxRecordElements) {
        throw new DropwiseError('DW_XML_UNSAFE', `Record ${index + 1} has more than ${limits.maxRecordElements} elements (line ${parser.line})`);
      }
      // Only the current record is kept; the root's children are not accumulated.
      if (stack.length > 1) (stack[stack.length - 1] as XmlElement).children.push(el);
    }
    stack.push(el);
  });
  parser.on('text', (text) => {
    eventSeen();
    const top = stack[stack.length - 1];
    if (!top || stack.length === 1) return;
    if (text.length > limits.maxTextLength) tooLong();
    top.text += text;
  });
  parser.on('cdata', (text) => {
    eventSeen();
    if (text.length > limits.maxTextLength) tooLong();
    const top = stack[stack.length - 1];
    if (top && stack.length > 1) top.text += text;
  });
  parser.on('comment', eventSeen);
  parser.on('processinginstruction', eventSeen);
  parser.on('closetag', () => {
    eventSeen();
    const el = stack.pop();
    if (el && stack.length === 1) queue.push({ index: index++, element: el });
  });

  const stream = await open(source);
  try {
    for await (const text of decodedText(stream)) {
      if (!sawContent && text.trim() !== '') sawContent = true;
      // The parser gets the text a slice at a time and the records each slice completed are handed
      // over before the next: a whole 256 KB chunk completed ~1,300 payment records at once, which
      // all outlived the young generation (garbage collection was a third of the reading time).
      for (let at = 0; at < text.length; at += PARSE_SLICE) {
        const slice = text.length <= PARSE_SLICE ? text : text.slice(at, at + PARSE_SLICE);
        try {
          parser.write(slice);
        } catch (err) {
          throw parserError(err, parser.line);
        }
        charsWithoutEvent += slice.length;
        if (charsWithoutEvent > limits.maxTextLength + slice.length) tooLong();
        if (queue.length > 0) {
          yield queue;
          queue = [];
        }
      }
    }
    if (!sawContent) throw emptyFileError();
    try {
      parser.close();
    } catch (err) {
      throw parserError(err, parser.line);
    }
    if (!root) throw malformedError('there is no root element', parser.line);
    if (queue.length > 0) yield queue;
  } finally {
    stream.destroy();
  }
}

/** Reads a whole small document (task requests) into one element tree. */
export async function readDocument(source: Source, limits: Partial<XmlReadLimits> = {}): Promise<XmlElement> {
  let root: XmlElement | undefined;
  for await (const record of readRecords(source, { limits, onRoot: (r) => (root = r) })) (root as unknown as XmlElement).children.push(record.element);
  return root as unknown as XmlElement;
}


/** Whether an element carries xsi:nil="true" (any prefix). */
export function isNil(el: XmlElement): boolean {
  if (el.attributes === NO_ATTRIBUTES) return false;
  for (const name in el.attributes) if (el.attributes[name] === 'true' && /(^|:)nil$/.test(name)) return true;
  return false;
}

/**
 * An element as a plain value: text-only → string (trimmed), xsi:nil → null, children → object,
 * repeated child names → arrays. Attributes other than xsi:nil are ignored.
 */
export function elementToValue(el: XmlElement): unknown {
  if (isNil(el)) return null;
  const kids = el.children;
  if (kids.length === 0) return el.text.trim();
  const out: Record<string, unknown> = {};
  const repeated = new Set<string>();
  for (const kid of kids) {
    const value = elementToValue(kid);
    // defineProperty, not assignment: an element named __proto__ must stay a plain field.
    if (!Object.hasOwn(out, kid.name)) Object.defineProperty(out, kid.name, { value, enumerable: true, writable: true, configurable: true });
    else if (repeated.has(kid.name)) (out[kid.name] as unknown[]).push(value);
    else {
      out[kid.name] = [out[kid.name], value];
      repeated.add(kid.name);
    }
  }
  return out;
}

/** Writes an element back as indented XML text, as it came in (used for records in fail files). */
export function elementToXml(el: XmlElement, depth: number, extra: string[] = []): string {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(el.attributes)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  const kids = el.children;
  if (kids.length === 0 && extra.length === 0) {
    const text = el.text;
    return text === '' ? `${pad}<${el.name}${attrs} />\n` : `${pad}<${el.name}${attrs}>${escapeText(text)}</${el.name}>\n`;
  }
  const inner = kids.map((k) => elementToXml(k, depth + 1)).join('') + extra.join('');
  return `${pad}<${el.name}${attrs}>\n${inner}${pad}</${el.name}>\n`;
}
