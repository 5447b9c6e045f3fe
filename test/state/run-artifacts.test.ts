import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRunArtifacts } from '../../src/state/run-artifacts.js';

const dirs: string[] = [];
function stateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-artifacts-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('FileRunArtifacts', () => {
  it('shows nothing at the final name until commit, then the whole text and no temp file', async () => {
    const dir = stateDir();
    const artifact = await new FileRunArtifacts(dir, 'run-7').create('ids', 10);
    expect(artifact.path).toBe(path.join(dir, 'ids', 'run-7.txt'));
    await artifact.write('1\n');
    await artifact.write('2\n');
    expect(fs.existsSync(artifact.path)).toBe(false);
    expect(await artifact.commit()).toBe(artifact.path);
    expect(fs.readFileSync(artifact.path, 'utf8')).toBe('1\n2\n');
    expect(fs.readdirSync(path.join(dir, 'ids'))).toEqual(['run-7.txt']);
  });

  it('leaves nothing behind when discarded', async () => {
    const dir = stateDir();
    const artifact = await new FileRunArtifacts(dir, 'run-8').create('ids', 10);
    await artifact.write('1\n');
    await artifact.discard();
    expect(fs.readdirSync(path.join(dir, 'ids'))).toEqual([]);
  });

  it('keeps only the newest `keep` artifacts of its kind, the new one included, and leaves other files alone', async () => {
    const dir = stateDir();
    const kind = path.join(dir, 'ids');
    fs.mkdirSync(kind);
    const now = Date.now() / 1000;
    for (let i = 0; i < 4; i++) {
      const old = path.join(kind, `old-${i}.txt`);
      fs.writeFileSync(old, 'x\n');
      fs.utimesSync(old, now - (4 - i) * 60, now - (4 - i) * 60);
    }
    fs.writeFileSync(path.join(kind, 'notes.md'), 'kept');
    const artifact = await new FileRunArtifacts(dir, 'new').create('ids', 3);
    await artifact.write('y\n');
    await artifact.commit();
    expect(fs.readdirSync(kind).sort()).toEqual(['new.txt', 'notes.md', 'old-2.txt', 'old-3.txt']);
  });
});
