// Moving a dead agent's claims into this agent's work folder: files, claim logs and journal entries,
// the names they were dropped with kept; what another agent left elsewhere untouched.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveClaims } from '../../../src/agent/intake/adoption.js';
import { claimedFile } from '../../../src/agent/intake/claim.js';
import { listClaimed } from '../../../src/agent/intake/recovery.js';
import { Journal, readJournal } from '../../../src/agent/pipeline/journal.js';
import { createFolders, workspaceOf } from '../../../src/agent/workspace.js';
import { makeTempDir } from '../../support/workspace.js';

describe('moveClaims', () => {
  it('moves every claim with its claim log and journal entries, durably journalled here', async () => {
    const root = await makeTempDir('dw-adopt-');
    const folders = (name: string) => ({ inbox: path.join(root, 'inbox'), success: path.join(root, 'out/s'), fail: path.join(root, 'out/f'), archive: path.join(root, 'archive'), work: path.join(root, 'work', name), state: path.join(root, 'state') });
    const dead = workspaceOf(folders('dead'));
    const own = workspaceOf(folders('own'));
    await createFolders(dead);
    await createFolders(own);
    // The dead agent's work: two claims (one with a name too long for its path), a claim log, its journal.
    const long = `${'n'.repeat(300)}.xml`;
    const a = claimedFile(dead.processing, '20261202T000000001-aaaaaa', 'a.xml');
    const b = claimedFile(dead.processing, '20261202T000000002-bbbbbb', long);
    await fs.writeFile(a.path, '<a/>');
    await fs.writeFile(b.path, '<b/>');
    await fs.mkdir(path.join(dead.work, 'claims'));
    await fs.writeFile(path.join(dead.work, 'claims', `${a.id}.log`), 'record 0 done\n');
    const deadJournal = await Journal.open(dead.journal, { compact: false });
    await deadJournal.record({ event: 'claimed', id: a.id, name: 'a.xml' }, { durable: true });
    await deadJournal.record({ event: 'claimed', id: b.id, name: long }, { durable: true });
    await deadJournal.record({ event: 'output', id: a.id, folder: 'success', name: 'a_success.xml', target: path.join(root, 'out/s/a_success.xml'), sha1: 'x', placed: true }, { durable: true });
    await deadJournal.record({ event: 'claimed', id: 'finished-one', name: 'c.xml' }, { durable: true });
    await deadJournal.close();

    const journal = await Journal.open(own.journal, { compact: false });
    const moved = await moveClaims(dead.work, own, journal);
    await journal.close();

    expect(moved.map((f) => [f.id, f.name])).toEqual([
      [a.id, 'a.xml'],
      [b.id, long],
    ]);
    for (const f of moved) expect(path.dirname(f.path)).toBe(own.processing);
    expect(await listClaimed(dead.processing)).toEqual([]);
    expect((await listClaimed(own.processing)).map((f) => f.id)).toEqual([a.id, b.id]);
    expect(await fs.readFile(path.join(own.work, 'claims', `${a.id}.log`), 'utf8')).toBe('record 0 done\n');
    // The journal here knows what the dead agent's run placed, so the resumed run does not place it twice.
    const entries = await readJournal(own.journal);
    expect(entries.map((e) => `${e.event} ${e.id}`)).toEqual([`claimed ${a.id}`, `output ${a.id}`, `claimed ${b.id}`]);
    const reopened = await Journal.open(own.journal, { compact: false });
    expect(reopened.droppedName(b.id)).toBe(long);
    expect(reopened.outputsOf(a.id)).toHaveLength(1);
    await reopened.close();
    // Nothing left to move a second time.
    const again = await Journal.open(own.journal, { compact: false });
    expect(await moveClaims(dead.work, own, again)).toEqual([]);
    await again.close();
  });

  it('adopts a claim the dead agent never journalled under the name its path carries', async () => {
    const root = await makeTempDir('dw-adopt-');
    const folders = (name: string) => ({ inbox: path.join(root, 'inbox'), success: path.join(root, 's'), fail: path.join(root, 'f'), archive: path.join(root, 'a'), work: path.join(root, 'work', name), state: path.join(root, 'state') });
    const dead = workspaceOf(folders('dead'));
    const own = workspaceOf(folders('own'));
    await createFolders(dead);
    await createFolders(own);
    const a = claimedFile(dead.processing, '20261202T000000001-aaaaaa', 'a.xml');
    await fs.writeFile(a.path, '<a/>');
    const journal = await Journal.open(own.journal, { compact: false });
    expect((await moveClaims(dead.work, own, journal)).map((f) => f.name)).toEqual(['a.xml']);
    expect(journal.droppedName(a.id)).toBe('a.xml');
    await journal.close();
  });
});
