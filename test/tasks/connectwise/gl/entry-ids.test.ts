import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRunArtifacts } from '../../../../src/state/run-artifacts.js';
import { GL_ENTRY_ID_PROPERTIES, GlEntryIdSink, INLINE_IDS_LIMIT, SIDECAR_FILES_KEPT, glEntryIdsOf } from '../../../../src/tasks/connectwise/gl/entry-ids.js';

const dirs: string[] = [];
function sidecar(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-glids-'));
  dirs.push(dir);
  return path.join(dir, 'gl-entry-ids', 'run-1.txt');
}

/** The run artifacts of run-1 whose GL entry id sidecar is `file` (from sidecar()). */
const artifactsOf = (file: string) => new FileRunArtifacts(path.dirname(path.dirname(file)), 'run-1');

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('glEntryIdsOf', () => {
  it('reads the ids each kind of record carries, and none from the others', () => {
    expect(glEntryIdsOf('transactions', { glEntryIds: '1010, 1011,1012' })).toEqual(['1010', '1011', '1012']);
    expect(glEntryIdsOf('expenses', { id: 500000007, offset: { id: 500000007 } })).toEqual(['500000007']);
    expect(glEntryIdsOf('purchaseTransactions', { id: 'PO #1', purchaseDetail: [{ id: 1299 }, { id: 1300 }, {}] })).toEqual(['1299', '1300']);
    expect(glEntryIdsOf('expenseBills', { id: 500000007, detail: [{ id: [500000007] }] })).toEqual([]);
    expect(glEntryIdsOf('customers', { id: 8 })).toEqual([]);
    expect(glEntryIdsOf('transactions', { glEntryIds: null })).toEqual([]);
  });

  it('needs only the properties GL_ENTRY_ID_PROPERTIES names (all the GL export parses of a record)', () => {
    const fixtures = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures');
    const records: [string, unknown][] = [['expenses', { id: 7, offset: { id: 8 }, memo: 'x' }]];
    for (const name of ['invoices', 'procurement']) {
      const doc = JSON.parse(fs.readFileSync(path.join(fixtures, `seed-002-${name}.json`), 'utf8')) as Record<string, unknown>;
      for (const [container, list] of Object.entries(doc)) if (Array.isArray(list)) for (const record of list) records.push([container, record]);
    }
    const found = new Set<string>();
    for (const [container, record] of records) {
      const only = Object.fromEntries((GL_ENTRY_ID_PROPERTIES[container] ?? []).filter((key) => key in (record as object)).map((key) => [key, (record as Record<string, unknown>)[key]]));
      expect(glEntryIdsOf(container, only)).toEqual(glEntryIdsOf(container, record));
      if (glEntryIdsOf(container, record).length > 0) found.add(container);
    }
    // Each kind of record that carries ids was checked with some.
    expect([...found].sort()).toEqual(Object.keys(GL_ENTRY_ID_PROPERTIES).sort());
  });
});

describe('GlEntryIdSink', () => {
  it('keeps a short list inline', async () => {
    const file = sidecar();
    const sink = new GlEntryIdSink(artifactsOf(file), 5);
    await sink.add('transactions', { glEntryIds: '1,2,3' });
    await sink.add('expenses', { id: 9 });
    expect(await sink.finish()).toEqual({ glEntryIds: ['1', '2', '3', '9'], glEntryIdCount: 4 });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('moves a long list to the sidecar file, in order, and keeps a count and the path', async () => {
    const file = sidecar();
    const sink = new GlEntryIdSink(artifactsOf(file), 5);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      await sink.add('transactions', { glEntryIds: `${i * 2},${i * 2 + 1}` });
      expected.push(String(i * 2), String(i * 2 + 1));
    }
    expect(await sink.finish()).toEqual({ glEntryIdCount: 10_000, glEntryIdsFile: file });
    expect(fs.readFileSync(file, 'utf8')).toBe(`${expected.join('\n')}\n`);
  });

  it('keeps at most 500 ids inline by default: one more goes to the sidecar', async () => {
    expect(INLINE_IDS_LIMIT).toBe(500);
    const ids = (n: number) => ({ glEntryIds: Array.from({ length: n }, (_, i) => i + 1).join(',') });
    const inline = new GlEntryIdSink(artifactsOf(sidecar()));
    await inline.add('transactions', ids(500));
    expect(await inline.finish()).toMatchObject({ glEntryIdCount: 500, glEntryIds: expect.any(Array) as unknown });
    const file = sidecar();
    const spilled = new GlEntryIdSink(artifactsOf(file));
    await spilled.add('transactions', ids(501));
    expect(await spilled.finish()).toEqual({ glEntryIdCount: 501, glEntryIdsFile: file });
  });

  it('keeps only the newest 200 sidecar files when it writes a new one', async () => {
    expect(SIDECAR_FILES_KEPT).toBe(200);
    const file = sidecar();
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    // 205 earlier runs, older by the minute: run-old-0 is the oldest.
    const now = Date.now() / 1000;
    for (let i = 0; i < 205; i++) {
      const old = path.join(dir, `run-old-${i}.txt`);
      fs.writeFileSync(old, '1\n');
      fs.utimesSync(old, now - (205 - i) * 60, now - (205 - i) * 60);
    }
    fs.writeFileSync(path.join(dir, 'notes.md'), 'not a sidecar');
    const sink = new GlEntryIdSink(artifactsOf(file), 1);
    await sink.add('transactions', { glEntryIds: '1,2' });
    await sink.finish();
    const left = fs.readdirSync(dir).filter((n) => n.endsWith('.txt'));
    expect(left).toHaveLength(200);
    expect(left).toContain('run-1.txt');
    expect(left.filter((n) => n.startsWith('run-old-')).sort()).toEqual(Array.from({ length: 199 }, (_, i) => `run-old-${i + 6}.txt`).sort());
    expect(fs.existsSync(path.join(dir, 'notes.md'))).toBe(true);
  });

  it('drops what a failed attempt collected, sidecar included', async () => {
    const file = sidecar();
    const sink = new GlEntryIdSink(artifactsOf(file), 1);
    await sink.add('transactions', { glEntryIds: '1,2,3' });
    await sink.discard();
    expect(fs.existsSync(file)).toBe(false);
    await sink.add('expenses', { id: 7 });
    expect(await sink.finish()).toEqual({ glEntryIds: ['7'], glEntryIdCount: 1 });
  });
});
