import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateName, placeFile, placeFileAt } from '../../src/fs/place-file.js';
import { makeTempDir } from '../support/workspace.js';

/** /dev/shm is another volume than the temp folder on most Linux machines; elsewhere the EXDEV tests are skipped. */
const shm = '/dev/shm';
const canCross = await fs.stat(shm).then(async (s) => s.dev !== (await fs.stat(await makeTempDir())).dev, () => false);

describe('candidateName', () => {
  it('numbers before the extension', () => {
    expect(candidateName('a.xml', 1)).toBe('a.xml');
    expect(candidateName('a.xml', 2)).toBe('a (2).xml');
    expect(candidateName('a.xml.error.xml', 3)).toBe('a (3).xml.error.xml');
    expect(candidateName('README', 2)).toBe('README (2)');
    expect(candidateName('.env', 2)).toBe('.env (2)');
  });
});

describe('placeFile', () => {
  it('never overwrites: a taken name gets the next free variant', async () => {
    const dir = await makeTempDir();
    const dest = path.join(dir, 'out');
    const placed: string[] = [];
    for (const content of ['one', 'two', 'three']) {
      const src = path.join(dir, `${content}.tmp`);
      await fs.writeFile(src, content);
      placed.push(await placeFile(src, dest, 'result.xml'));
      await expect(fs.access(src)).rejects.toThrow();
    }
    expect(placed.map((p) => path.basename(p))).toEqual(['result.xml', 'result (2).xml', 'result (3).xml']);
    expect(await fs.readFile(path.join(dest, 'result.xml'), 'utf8')).toBe('one');
    expect(await fs.readFile(path.join(dest, 'result (3).xml'), 'utf8')).toBe('three');
  });

  it('gives every concurrent placement of one name its own file', async () => {
    const dir = await makeTempDir();
    const sources = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const src = path.join(dir, `${i}.tmp`);
        await fs.writeFile(src, String(i));
        return src;
      }),
    );
    const placed = await Promise.all(sources.map((s) => placeFile(s, path.join(dir, 'out'), 'same.xml')));
    expect(new Set(placed).size).toBe(20);
    const contents = await Promise.all(placed.map((p) => fs.readFile(p, 'utf8')));
    expect(contents.sort()).toEqual(Array.from({ length: 20 }, (_, i) => String(i)).sort());
  });

  it('keeps the source when asked', async () => {
    const dir = await makeTempDir();
    const src = path.join(dir, 'keep.xml');
    await fs.writeFile(src, 'k');
    await placeFile(src, path.join(dir, 'out'), 'keep.xml', { keepSource: true });
    expect(await fs.readFile(src, 'utf8')).toBe('k');
  });

  it.skipIf(!canCross)('copies across volumes (EXDEV) and still appears whole under the name', async () => {
    const dir = await makeTempDir();
    const src = path.join(dir, 'x.xml');
    await fs.writeFile(src, 'cross');
    const dest = await fs.mkdtemp(path.join(shm, 'dropwise-'));
    const placed = await placeFile(src, dest, 'x.xml');
    expect(await fs.readFile(placed, 'utf8')).toBe('cross');
    expect(await fs.readdir(dest)).toEqual(['x.xml']);
    await fs.rm(dest, { recursive: true });
  });

  it.skipIf(!canCross)('placeFileAt across volumes is safe to repeat: an identical copy at the target counts as placed', async () => {
    const src = path.join(await makeTempDir(), 'y.xml');
    await fs.writeFile(src, 'same bytes');
    const dest = await fs.mkdtemp(path.join(shm, 'dropwise-'));
    const target = path.join(dest, 'y.xml');
    await placeFileAt(src, target, { keepSource: true });
    await placeFileAt(src, target);
    expect(await fs.readdir(dest)).toEqual(['y.xml']);
    await expect(fs.access(src)).rejects.toThrow();
    await fs.rm(dest, { recursive: true });
  });

  it('placeFileAt refuses a target that is some other file', async () => {
    const dir = await makeTempDir();
    await fs.writeFile(path.join(dir, 'a'), 'mine');
    await fs.writeFile(path.join(dir, 'b'), 'theirs');
    await expect(placeFileAt(path.join(dir, 'a'), path.join(dir, 'b'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(path.join(dir, 'b'), 'utf8')).toBe('theirs');
  });
});
