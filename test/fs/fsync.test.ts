import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDurableTemps, writeFileDurable } from '../../src/fs/fsync.js';
import { makeTempDir } from '../support/workspace.js';

describe('writeFileDurable', () => {
  it('replaces the file whole and leaves no temp file beside it', async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'doc.json');
    await writeFileDurable(file, 'first');
    await writeFileDurable(file, 'second');
    expect(await fs.readFile(file, 'utf8')).toBe('second');
    expect(await fs.readdir(dir)).toEqual(['doc.json']);
  });
});

describe('removeDurableTemps', () => {
  it('removes only the temp files writeFileDurable leaves when it is cut short, and copes with a missing folder', async () => {
    const dir = await makeTempDir();
    await fs.writeFile(path.join(dir, 'truth-04.json'), '{"whole":true}');
    await fs.writeFile(path.join(dir, '.truth-04.json.tmp'), '{"half');
    await fs.writeFile(path.join(dir, 'notes.tmp'), 'not one of ours');
    expect(await removeDurableTemps(dir)).toBe(1);
    expect((await fs.readdir(dir)).sort()).toEqual(['notes.tmp', 'truth-04.json']);
    expect(await removeDurableTemps(path.join(dir, 'missing'))).toBe(0);
  });
});
