import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDropwiseError } from '../../src/errors.js';
import { rawArrayElements, readTopLevelRecords, type JsonStreamEvent } from '../../src/json/record-stream.js';
import { jsonValue, trickyString } from '../support/json-arbitraries.js';

/** What the reader must produce, derived from JSON.parse of the whole body. */
function expectedEvents(body: string): JsonStreamEvent[] {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  const events: JsonStreamEvent[] = [];
  for (const [container, value] of Object.entries(parsed)) {
    if (!Array.isArray(value)) {
      events.push({ kind: 'value', container, record: value });
      continue;
    }
    for (const record of value) events.push({ kind: 'item', container, record });
    events.push({ kind: 'end', container, count: value.length });
  }
  return events;
}

/** Cuts `bytes` at the given offsets (which may fall inside a UTF-8 sequence or an escape). */
function* chunksAt(bytes: Buffer, cuts: number[]): Generator<Buffer> {
  let last = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= last || cut >= bytes.length) continue;
    yield bytes.subarray(last, cut);
    last = cut;
  }
  yield bytes.subarray(last);
}

async function readAll(source: Iterable<Buffer | string> | AsyncIterable<Buffer | string>): Promise<JsonStreamEvent[]> {
  const iterable: AsyncIterable<Buffer | string> = Symbol.asyncIterator in source ? source : (async function* () { yield* source; })();
  const events: JsonStreamEvent[] = [];
  for await (const batch of readTopLevelRecords(iterable)) events.push(...batch);
  return events;
}

async function readError(source: Iterable<Buffer | string>): Promise<unknown> {
  try {
    await readAll(source);
  } catch (err) {
    return err;
  }
  return undefined;
}

const body = fc.dictionary(trickyString, fc.oneof(fc.array(jsonValue, { maxLength: 6 }), jsonValue), { maxKeys: 5 });

describe('readTopLevelRecords', () => {
  it('yields every element of every top-level array, and other members as values, however the body is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), async (doc, pretty, cutSeeds) => {
        const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
        const bytes = Buffer.from(text, 'utf8');
        const cuts = cutSeeds.map((s) => s % (bytes.length + 1));
        expect(await readAll(chunksAt(bytes, cuts))).toEqual(expectedEvents(text));
      }),
      { numRuns: 400 },
    );
  });

  it('reads a body fed one byte at a time (escapes, quotes and UTF-8 split across chunks)', async () => {
    const text = JSON.stringify({
      exportSettings: { a: 'x\\', b: '\\"}]' },
      transactions: [{ memo: 'a \\\\" b', t: '€😀' }, { memo: '\\\\\\"' }, 'plain', 12.5, null, [1, [2]]],
      vendors: [],
    });
    const bytes = Buffer.from(text, 'utf8');
    expect(await readAll(chunksAt(bytes, Array.from({ length: bytes.length }, (_, i) => i)))).toEqual(expectedEvents(text));
  });

  it('accepts a byte-order mark and whitespace around the root', async () => {
    expect(await readAll(['\uFEFF  {"a" : [ 1 , 2 ] }\n'])).toEqual([
      { kind: 'item', container: 'a', record: 1 },
      { kind: 'item', container: 'a', record: 2 },
      { kind: 'end', container: 'a', count: 2 },
    ]);
  });

  it('hands records over while the body is still arriving (one batch per chunk)', async () => {
    const batches: JsonStreamEvent[][] = [];
    let pulled = 0;
    async function* source(): AsyncGenerator<string> {
      for (const piece of ['{"customers":[{"id":1},', '{"id":2}', '],"transactions":[{"id":3}]}']) {
        pulled++;
        yield piece;
      }
    }
    for await (const batch of readTopLevelRecords(source())) {
      batches.push(batch);
      // The consumer works on a batch before the next chunk is pulled.
      expect(pulled).toBe(batches.length === 3 ? 3 : batches.length);
    }
    expect(batches.map((b) => b.map((e) => e.kind))).toEqual([['item'], ['item'], ['end', 'item', 'end']]);
  });

  it('says a body cut off at any point ended early, as a retryable error', async () => {
    const text = JSON.stringify({ exportSettings: { x: 1 }, customers: [{ id: 1, name: 'A "quoted" \\ name' }], transactions: [{ id: 2, detail: [{ id: 3 }] }, 7] });
    for (let cut = 0; cut < text.length; cut++) {
      const err = await readError([text.slice(0, cut)]);
      expect(isDropwiseError(err, 'DW_JSON_MALFORMED'), `cut at ${cut}`).toBe(true);
      expect((err as { retryable: boolean }).retryable, `cut at ${cut}: ${(err as Error).message}`).toBe(true);
    }
  });

  it('names the container and the records read when a body is cut off', async () => {
    const err = await readError(['{"customers":[{"id":1}],"transactions":[{"id":2},{"id":']);
    expect((err as Error).message).toMatch(/inside "transactions" after 1 records/);
  });

  it.each([
    ['not an object', '[1,2]'],
    ['a bad record', '{"a":[{"id":1,}]}'],
    ['a missing comma', '{"a":[{"id":1} {"id":2}]}'],
    ['a missing colon', '{"a" [1]}'],
    ['a trailing comma between members', '{"a":[1],}'],
    ['a trailing comma in an array', '{"a":[1,]}'],
    ['text after the end', '{"a":[1]} x'],
    ['a bad bare value', '{"a":[tru]}'],
  ])('refuses %s as malformed, not retryable', async (_name, text) => {
    const err = await readError([text]);
    expect(isDropwiseError(err, 'DW_JSON_MALFORMED')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(false);
  });

  it('passes a source error through unchanged', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield '{"a":[1,';
      throw new Error('socket hang up');
    }
    await expect(readAll(failing())).rejects.toThrow('socket hang up');
  });
});

describe('rawArrayElements', () => {
  const texts = (body: string): string[] => rawArrayElements(Buffer.from(body)).map((raw) => raw.bytes.toString('utf8', raw.start, raw.end));

  it('hands over every element of an array body as its bytes, however it is spaced', () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { maxLength: 6 }), fc.boolean(), (page, pretty) => {
        const text = JSON.stringify(page, null, pretty ? 2 : undefined);
        expect(texts(text).map((t) => JSON.parse(t) as unknown)).toEqual(page);
      }),
      { numRuns: 300 },
    );
  });

  it('reads an empty page, and a byte-order mark before it', () => {
    expect(texts(' [ ] ')).toEqual([]);
    expect(texts('\uFEFF[{"id":1}]')).toEqual(['{"id":1}']);
  });

  it.each([
    ['an object', '{"a":[1]}', false],
    ['text after the end', '[1] x', false],
    ['a trailing comma', '[1,]', false],
    ['a page cut off', '[{"id":1},{"id":', true],
  ])('refuses %s as DW_JSON_MALFORMED', (_what, body, retryable) => {
    let err: unknown;
    try {
      rawArrayElements(Buffer.from(body));
    } catch (e) {
      err = e;
    }
    expect(isDropwiseError(err, 'DW_JSON_MALFORMED')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(retryable);
  });

  it('says how many records a cut-off page held', () => {
    expect(() => rawArrayElements(Buffer.from('[{"id":1},{"id":'))).toThrow(/after 1 records/);
  });
});
