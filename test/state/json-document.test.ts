import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonDocument } from '../../src/state/json-document.js';
import { makeTempDir } from '../support/workspace.js';

describe('JsonDocument', () => {
  it('leaves the last change on disk when writes overlap, and no temp file', async () => {
    const dir = await makeTempDir();
    const doc = new JsonDocument<{ n: number }>(path.join(dir, 'doc.json'), { n: 0 });
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      (await doc.data()).n = i;
      saves.push(doc.save());
    }
    await Promise.all(saves);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'doc.json'), 'utf8'))).toEqual({ n: 20 });
    expect(await fs.readdir(dir)).toEqual(['doc.json']);
  });

  it('reads back what it wrote', async () => {
    const file = path.join(await makeTempDir(), 'state', 'doc.json');
    const doc = new JsonDocument<{ names: string[] }>(file, { names: [] });
    (await doc.data()).names.push('a');
    await doc.save();
    expect(await new JsonDocument<{ names: string[] }>(file, { names: [] }).data()).toEqual({ names: ['a'] });
  });
});

describe('JsonDocument.flush', () => {
  it('waits for a write already under way: what was saved before a flush is on disk when it returns', async () => {
    const file = path.join(await makeTempDir(), 'state', 'doc.json');
    const doc = new JsonDocument<{ n: number }>(file, { n: 0 });
    (await doc.data()).n = 1;
    const saved = doc.save();
    // A store's flush before its lock is given back: must not return while the save is still writing.
    await doc.flush();
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual({ n: 1 });
    await saved;
  });
});
