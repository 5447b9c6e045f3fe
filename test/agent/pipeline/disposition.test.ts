// Disposal after a crash at any step: the redo finds what the earlier attempt placed, so an original is
// never in two places, and never in outbox/fail without its .error.xml. The crash is simulated by
// running the first steps of a disposal by hand, then the whole disposal again with a reopened journal.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimedFile, newClaimId, type ClaimedFile } from '../../../src/agent/intake/claim.js';
import { archiveDay, disposeDone, disposeFailed, type DisposalPlan } from '../../../src/agent/pipeline/disposition.js';
import { Journal } from '../../../src/agent/pipeline/journal.js';
import { placeFileAt } from '../../../src/fs/place-file.js';
import { DropwiseError } from '../../../src/errors.js';
import { filesUnder, makeTempDir } from '../../support/workspace.js';

interface Setup {
  dir: string;
  folders: { archive: string; fail: string; work: string };
  claimed: ClaimedFile;
  journalFile: string;
}

async function setup(name = 'p.xml', content = '<x/>'): Promise<Setup> {
  const dir = await makeTempDir();
  const folders = { archive: path.join(dir, 'archive'), fail: path.join(dir, 'fail'), work: path.join(dir, 'work') };
  await fs.mkdir(path.join(folders.work, 'processing'), { recursive: true });
  const claimed = claimedFile(path.join(folders.work, 'processing'), newClaimId(), name);
  await fs.writeFile(claimed.path, content);
  return { dir, folders, claimed, journalFile: path.join(folders.work, 'journal.log') };
}

/** A disposal plan kept in the journal, as the agent keeps it; reopened = what a restart reads back. */
async function journalPlan(s: Setup): Promise<{ plan: DisposalPlan; close: () => Promise<void> }> {
  const journal = await Journal.open(s.journalFile, { compact: false });
  return {
    plan: {
      previous: (kind) => journal.plannedTarget(s.claimed.id, kind),
      record: (kind, target) => journal.record({ event: 'disposing', id: s.claimed.id, kind, target }, { durable: true }),
    },
    close: () => journal.close(),
  };
}

const error = new DropwiseError('DW_XML_MALFORMED', 'bad', { hint: 'Fix it' });

describe('disposeDone after a crash', () => {
  it('linked into the archive but not yet removed from work/processing: the redo keeps the one copy', async () => {
    const s = await setup();
    const first = await journalPlan(s);
    const target = path.join(s.folders.archive, archiveDay(), path.basename(s.claimed.path));
    await first.plan.record('archive', target);
    await placeFileAt(s.claimed.path, target, { keepSource: true });
    await first.close(); // crash

    const redo = await journalPlan(s);
    const result = await disposeDone(s.claimed, s.folders, 'archive', redo.plan);
    await redo.close();
    expect(result).toEqual({ disposition: 'archived', path: target });
    expect(await filesUnder(s.folders.archive)).toEqual([path.join(archiveDay(), path.basename(s.claimed.path))]);
    expect(await filesUnder(path.join(s.folders.work, 'processing'))).toEqual([]);
  });

  it('even without a recorded target: the same unique name holding the same file counts as placed', async () => {
    const s = await setup();
    const target = path.join(s.folders.archive, archiveDay(), path.basename(s.claimed.path));
    await placeFileAt(s.claimed.path, target, { keepSource: true });
    const none: DisposalPlan = { previous: () => undefined, record: async () => undefined };
    await disposeDone(s.claimed, s.folders, 'archive', none);
    expect(await filesUnder(s.folders.archive)).toHaveLength(1);
  });

  it('archived and removed, but the journal never heard: the redo finds it done (no ENOENT)', async () => {
    const s = await setup();
    const first = await journalPlan(s);
    await disposeDone(s.claimed, s.folders, 'archive', first.plan);
    await first.close();
    const redo = await journalPlan(s);
    await expect(disposeDone(s.claimed, s.folders, 'archive', redo.plan)).resolves.toMatchObject({ disposition: 'archived' });
    await redo.close();
    await expect(disposeDone(s.claimed, s.folders, 'delete', redo.plan)).resolves.toEqual({ disposition: 'deleted' });
    expect(await filesUnder(s.folders.archive)).toHaveLength(1);
  });
});

describe('disposeFailed after a crash', () => {
  const failFiles = (s: Setup) => filesUnder(s.folders.fail);

  it.each([
    ['the original was placed, its .error.xml not yet', 1],
    ['both were placed, the original not yet removed from work/processing', 2],
    ['everything was done but the journal never heard', 3],
  ])('%s: the redo leaves one original with its .error.xml', async (_, steps) => {
    const s = await setup('q.xml', 'junk');
    const first = await journalPlan(s);
    const target = path.join(s.folders.fail, 'q.xml');
    await first.plan.record('fail', target);
    await placeFileAt(s.claimed.path, target, { keepSource: true });
    if (steps >= 2) await fs.writeFile(`${target}.error.xml`, 'earlier attempt');
    if (steps >= 3) await fs.rm(s.claimed.path);
    await first.close(); // crash

    const redo = await journalPlan(s);
    const result = await disposeFailed(s.claimed, error, s.folders, redo.plan);
    await redo.close();
    expect(result).toEqual({ disposition: 'failed', path: target, errorPath: `${target}.error.xml` });
    expect(await failFiles(s)).toEqual(['q.xml', 'q.xml.error.xml']);
    expect(await fs.readFile(target, 'utf8')).toBe('junk');
    expect(await filesUnder(s.folders.work)).toEqual(['journal.log']);
  });

  it('chooses a name free together with its .error.xml, and never overwrites', async () => {
    const s = await setup('q.xml', 'new');
    await fs.mkdir(s.folders.fail, { recursive: true });
    await fs.writeFile(path.join(s.folders.fail, 'q.xml.error.xml'), 'an old error whose file was collected');
    const { plan, close } = await journalPlan(s);
    const result = await disposeFailed(s.claimed, error, s.folders, plan);
    await close();
    expect(result.path).toBe(path.join(s.folders.fail, 'q (2).xml'));
    expect(await failFiles(s)).toEqual(['q (2).xml', 'q (2).xml.error.xml', 'q.xml.error.xml']);
    expect(await fs.readFile(path.join(s.folders.fail, 'q (2).xml.error.xml'), 'utf8')).toContain('<code>DW_XML_MALFORMED</code>');
  });
});
