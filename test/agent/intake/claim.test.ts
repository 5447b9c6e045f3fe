import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimFile, claimTime, newClaimId, parseClaimedName } from '../../../src/agent/intake/claim.js';
import { makeTempDir } from '../../support/workspace.js';

describe('claim ids', () => {
  it('sort by time and parse back with the name', () => {
    const a = newClaimId(new Date('2026-11-21T12:00:00.123Z'));
    const b = newClaimId(new Date('2026-11-21T12:00:00.124Z'));
    expect(a).toMatch(/^20261121T120000123-[0-9a-f]{6}$/);
    expect([b, a].sort()).toEqual([a, b]);
    expect(parseClaimedName(`${a}__my file__x.xml`)).toEqual({ id: a, name: 'my file__x.xml' });
    expect(parseClaimedName('random.xml')).toBeUndefined();
  });

  it('give back the moment they were made (the age of a claimed file counts from it)', () => {
    const at = new Date('2026-11-21T12:00:00.123Z');
    expect(claimTime(newClaimId(at))).toEqual(at);
    expect(Number.isNaN(claimTime('not-a-claim').getTime())).toBe(true);
  });
});

describe('claimFile', () => {
  let dir: string;
  let dirs: { processing: string; tmp: string };
  beforeEach(async () => {
    dir = await makeTempDir();
    dirs = { processing: path.join(dir, 'work', 'processing'), tmp: path.join(dir, 'work', 'tmp') };
    await fs.mkdir(dirs.processing, { recursive: true });
    await fs.mkdir(dirs.tmp, { recursive: true });
  });

  it('moves the file into processing under <id>__<name>', async () => {
    await fs.writeFile(path.join(dir, 'ä b.xml'), 'x');
    const claimed = await claimFile(path.join(dir, 'ä b.xml'), dirs);
    expect(claimed?.name).toBe('ä b.xml');
    expect(path.basename(claimed?.path ?? '')).toBe(`${claimed?.id}__ä b.xml`);
    expect(await fs.readFile(claimed?.path ?? '', 'utf8')).toBe('x');
    await expect(fs.access(path.join(dir, 'ä b.xml'))).rejects.toThrow();
  });

  it('lets exactly one of two racing claimers win; the loser gets undefined', async () => {
    await fs.writeFile(path.join(dir, 'race.xml'), 'x');
    const results = await Promise.all([claimFile(path.join(dir, 'race.xml'), dirs), claimFile(path.join(dir, 'race.xml'), dirs)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await fs.readdir(dirs.processing)).toHaveLength(1);
  });

  it('returns undefined for a file that is gone', async () => {
    expect(await claimFile(path.join(dir, 'nothing.xml'), dirs)).toBeUndefined();
  });
});
