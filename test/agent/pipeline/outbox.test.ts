import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunOutbox } from '../../../src/agent/pipeline/outbox.js';
import { DropwiseError, isDropwiseError } from '../../../src/errors.js';
import { filesUnder, makeTempDir } from '../../support/workspace.js';

async function outboxIn(dir: string) {
  const dirs = { tmp: path.join(dir, 'work', 'tmp'), success: path.join(dir, 'outbox', 'success'), fail: path.join(dir, 'outbox', 'fail') };
  return { dirs, outbox: new RunOutbox(dirs, 'run1') };
}

describe('RunOutbox', () => {
  it('commits a whole file under its name and leaves no temp file', async () => {
    const dir = await makeTempDir();
    const { dirs, outbox } = await outboxIn(dir);
    const out = await outbox.create('success', 'a.xml');
    out.stream.write('<a>');
    out.stream.write('</a>');
    const final = await out.commit();
    expect(final).toBe(path.join(dirs.success, 'a.xml'));
    expect(await fs.readFile(final, 'utf8')).toBe('<a></a>');
    expect(await fs.readdir(dirs.tmp)).toEqual([]);
    expect(outbox.committed).toEqual([final]);
  });

  it('places an output only through its guard, and nothing when the guard refuses (an agent fenced off)', async () => {
    const dir = await makeTempDir();
    const dirs = { tmp: path.join(dir, 'work', 'tmp'), success: path.join(dir, 'outbox', 'success'), fail: path.join(dir, 'outbox', 'fail') };
    const guarded: string[] = [];
    let refuse = false;
    const outbox = new RunOutbox(dirs, 'run1', undefined, async (place) => {
      if (refuse) throw new DropwiseError('DW_FENCED', 'fenced');
      guarded.push('held');
      return place();
    });
    const ok = await outbox.create('success', 'a.xml');
    ok.stream.end('<a/>');
    await ok.commit();
    expect(guarded).toEqual(['held']);
    refuse = true;
    const no = await outbox.create('success', 'b.xml');
    no.stream.end('<b/>');
    await expect(no.commit()).rejects.toMatchObject({ code: 'DW_FENCED' });
    expect(await fs.readdir(dirs.success)).toEqual(['a.xml']);
    expect(await fs.readdir(dirs.tmp)).toEqual([]);
  });

  it('does not clobber an output nobody has collected yet', async () => {
    const dir = await makeTempDir();
    const { dirs, outbox } = await outboxIn(dir);
    await fs.mkdir(dirs.fail, { recursive: true });
    await fs.writeFile(path.join(dirs.fail, 'f.xml'), 'old');
    const out = await outbox.create('fail', 'f.xml');
    out.stream.end('new');
    expect(path.basename(await out.commit())).toBe('f (2).xml');
    expect(await fs.readFile(path.join(dirs.fail, 'f.xml'), 'utf8')).toBe('old');
  });

  it('abort and abortOpen leave nothing behind', async () => {
    const dir = await makeTempDir();
    const { dirs, outbox } = await outboxIn(dir);
    const a = await outbox.create('success', 'a.xml');
    a.stream.write('partial');
    await a.abort();
    const b = await outbox.create('success', 'b.xml');
    b.stream.write('partial');
    // While open, the partial output is in work/tmp and nowhere else.
    expect(await filesUnder(dir)).toEqual([path.relative(dir, path.join(dirs.tmp, (await fs.readdir(dirs.tmp))[0] ?? 'none'))]);
    await outbox.abortOpen();
    expect(await filesUnder(dir)).toEqual([]);
    expect(await fs.readdir(dirs.tmp)).toEqual([]);
  });

  it('reports an outbox that cannot be written as DW_OUTPUT_WRITE, retryable', async () => {
    const dir = await makeTempDir();
    const { dirs, outbox } = await outboxIn(dir);
    await fs.mkdir(path.dirname(dirs.success), { recursive: true });
    await fs.writeFile(dirs.success, 'a file where the folder should be');
    const out = await outbox.create('success', 'a.xml');
    out.stream.end('x');
    const err: unknown = await out.commit().catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_OUTPUT_WRITE')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
    expect((err as Error).message).toContain(dirs.success);
    expect(await fs.readdir(dirs.tmp)).toEqual([]);
  });
});
