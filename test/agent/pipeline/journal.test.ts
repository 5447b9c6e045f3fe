import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, compactEntries, readJournal, type JournalEntry } from '../../../src/agent/pipeline/journal.js';
import { makeTempDir } from '../../support/workspace.js';

describe('Journal', () => {
  it('appends entries, remembers the latest per claim, and skips a line torn by a crash', async () => {
    const file = path.join(await makeTempDir(), 'work', 'journal.log');
    const journal = await Journal.open(file, { compact: false });
    await journal.record({ event: 'claimed', id: 'a', name: 'a.xml' }, { durable: true });
    await journal.record({ event: 'committed', id: 'a', status: 'success', outputs: ['/x'] });
    await journal.close();
    await fs.appendFile(file, '{"event":"claimed","id":"b"'); // torn
    const entries = await readJournal(file);
    expect(entries.map((e) => e.event)).toEqual(['claimed', 'committed']);
    const reopened = await Journal.open(file, { compact: false });
    expect(reopened.latestFor('a')?.event).toBe('committed');
    await reopened.close();
  });

  it('compaction keeps unfinished claims and the newest finished ones', () => {
    const at = '2026-01-01T00:00:00Z';
    const entries: JournalEntry[] = [];
    for (let i = 0; i < 5; i++) {
      entries.push({ event: 'claimed', id: `f${i}`, name: `${i}.xml`, at });
      entries.push({ event: 'finished', id: `f${i}`, disposition: 'archived', at });
    }
    entries.push({ event: 'claimed', id: 'open', name: 'open.xml', at });
    const kept = compactEntries(entries, 2);
    expect([...new Set(kept.map((e) => e.id))]).toEqual(['f3', 'f4', 'open']);
  });

  it('compacts the file when opened with compact', async () => {
    const file = path.join(await makeTempDir(), 'journal.log');
    const lines = Array.from({ length: 300 }, (_, i) => [
      JSON.stringify({ event: 'claimed', id: `f${i}`, name: 'x', at: 'now' }),
      JSON.stringify({ event: 'finished', id: `f${i}`, disposition: 'archived', at: 'now' }),
    ]).flat();
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    const journal = await Journal.open(file, { compact: true });
    await journal.close();
    expect((await readJournal(file)).length).toBe(400);
  });
});

describe('Journal compaction of claims whose file is gone', () => {
  it('drops unfinished claims no longer in work/processing (a finished entry lost in a crash)', async () => {
    const file = path.join(await makeTempDir(), 'journal.log');
    const journal = await Journal.open(file, { compact: false });
    await journal.record({ event: 'claimed', id: 'orphan', name: 'o.xml' });
    await journal.record({ event: 'committed', id: 'orphan', status: 'success', outputs: [] });
    await journal.record({ event: 'claimed', id: 'waiting', name: 'w.xml' });
    await journal.record({ event: 'claimed', id: 'done', name: 'd.xml' });
    await journal.record({ event: 'finished', id: 'done', disposition: 'archived' });
    await journal.close();
    const compacted = await Journal.open(file, { compact: true, inProcessing: new Set(['waiting']) });
    await compacted.close();
    expect([...new Set((await readJournal(file)).map((e) => e.id))]).toEqual(['waiting', 'done']);
  });
});

describe('Journal: an entry that could not be written', () => {
  it('is not remembered: the journal answers what a restart would read back', async () => {
    const file = path.join(await makeTempDir(), 'journal.log');
    const journal = await Journal.open(file, { compact: false });
    await journal.record({ event: 'claimed', id: 'a', name: 'a.xml' }, { durable: true });
    await journal.close(); // every later append fails (the handle is gone), as on a full or failing disk
    await expect(journal.record({ event: 'committed', id: 'a', status: 'success', outputs: ['/x'] }, { durable: true })).rejects.toThrow();
    expect(journal.latestFor('a')?.event).toBe('claimed');
    expect((await readJournal(file)).map((e) => e.event)).toEqual(['claimed']);
  });
});
