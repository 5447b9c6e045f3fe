import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileDurable } from '../../src/fs/fsync.js';
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
