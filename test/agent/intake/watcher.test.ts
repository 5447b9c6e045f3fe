// Entries of the inbox that are not regular files (links, FIFOs, sockets, folders) are refused the same
// way whether a file event or the sweep finds them: moved as they are, unread, to outbox/fail with an
// .error.xml saying why. A link's target is never read, imported or moved.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../support/capture-log.js';
import { createTestAgent, echoDocument, filesUnder, makeTempDir, waitFor, type TestAgent } from '../../support/workspace.js';

const running: TestAgent[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

async function refusedIn(t: TestAgent, name: string): Promise<string> {
  const errorFile = path.join(t.config.folders.fail, `${name}.error.xml`);
  await waitFor(async () => (await fs.readdir(t.config.folders.fail)).includes(`${name}.error.xml`), 20_000, () => `${name}.error.xml in outbox/fail`);
  return fs.readFile(errorFile, 'utf8');
}

describe.skipIf(process.platform === 'win32')('inbox entries that are not regular files', () => {
  it('are refused unread, on the sweep at start and on file events after it', async () => {
    const dir = await makeTempDir();
    const elsewhere = path.join(dir, 'elsewhere');
    await fs.mkdir(elsewhere);
    // A document the agent would import happily if it read through the link.
    const target = path.join(elsewhere, 'payments.xml');
    await fs.writeFile(target, echoDocument('secret', 2));
    const capture = captureLogger();
    const agent = createTestAgent(dir, { deps: { log: capture.log } });
    running.push(agent);
    const inbox = agent.config.folders.inbox;
    await fs.mkdir(inbox, { recursive: true });
    await fs.symlink(target, path.join(inbox, 'at-start.xml'));
    await agent.agent.start();

    await fs.symlink(target, path.join(inbox, 'by-event.xml'));
    execFileSync('mkfifo', [path.join(inbox, 'pipe.xml')]);
    await fs.mkdir(path.join(inbox, 'folder.xml'));
    await fs.writeFile(path.join(inbox, 'folder.xml', 'inside.xml'), echoDocument('inside', 1));
    const socket = net.createServer().listen(path.join(inbox, 'socket.xml'));
    try {
      for (const [name, kind] of [['at-start.xml', 'symbolic link'], ['by-event.xml', 'symbolic link'], ['pipe.xml', 'FIFO'], ['folder.xml', 'folder'], ['socket.xml', 'socket']]) {
        const errorXml = await refusedIn(agent, name as string);
        expect(errorXml).toContain('<code>DW_FILE_NOT_REGULAR</code>');
        expect(errorXml).toContain(`is a ${kind}, not a regular file`);
      }
    } finally {
      socket.close();
    }
    const fail = agent.config.folders.fail;
    // The links themselves were moved: still links, to the same target, which is where it was and unread.
    for (const name of ['at-start.xml', 'by-event.xml']) {
      expect((await fs.lstat(path.join(fail, name))).isSymbolicLink()).toBe(true);
      expect(await fs.readlink(path.join(fail, name))).toBe(target);
    }
    expect((await fs.lstat(path.join(fail, 'pipe.xml'))).isFIFO()).toBe(true);
    expect(await fs.readFile(path.join(fail, 'folder.xml', 'inside.xml'), 'utf8')).toContain('inside');
    expect(await fs.readFile(target, 'utf8')).toBe(echoDocument('secret', 2));
    expect(await fs.readdir(inbox)).toEqual([]);
    expect(await filesUnder(agent.config.folders.success)).toEqual([]);
    expect(await filesUnder(path.join(agent.config.folders.work, 'processing'))).toEqual([]);
    expect(agent.results).toEqual([]);
    expect(capture.lines).toContainEqual({ level: 'warn', message: expect.stringMatching(/^Refused by-event\.xml: .* is a symbolic link.*moved, unread, to /) });
  });

  it('leaves the agent\'s own folders alone when they sit inside the inbox', async () => {
    const dir = await makeTempDir();
    const inbox = path.join(dir, 'drop');
    const agent = createTestAgent(dir, { config: { folders: { inbox, success: path.join(inbox, 'out', 'ok'), fail: path.join(dir, 'fail') } } });
    running.push(agent);
    await agent.agent.start();
    await fs.writeFile(path.join(inbox, 'a.xml'), echoDocument('a', 1));
    await agent.processed(1);
    await fs.mkdir(path.join(inbox, 'stray'));
    await refusedIn(agent, 'stray');
    expect((await fs.readdir(inbox)).sort()).toEqual(['out']);
    expect(await filesUnder(path.join(inbox, 'out', 'ok'))).toEqual(['a.out.xml']);
  });
});

describe('InboxWatcher room', () => {
  it('hands over no more files than the agent has room for, and the rest once it has room again', async () => {
    const { InboxWatcher } = await import('../../../src/agent/intake/watcher.js');
    const inbox = await makeTempDir();
    for (let i = 0; i < 6; i++) await fs.writeFile(path.join(inbox, `f${i}.xml`), '<a/>');
    let room = 2;
    const taken: string[] = [];
    const watcher = new InboxWatcher({
      inbox,
      stabilityMs: 0,
      sweepMs: 60_000,
      usePolling: false,
      pollIntervalMs: 1000,
      log: captureLogger().log,
      room: () => room,
      onReady: async (name) => {
        taken.push(name);
        room--;
      },
    });
    await watcher.start();
    try {
      await waitFor(() => taken.length === 2, 5000, () => 'two files taken');
      // Several checks go by without room: the other four stay in the inbox, still watched.
      await new Promise((r) => setTimeout(r, 300));
      expect(taken).toHaveLength(2);
      expect(watcher.pending).toBe(4);
      room = 10;
      await waitFor(() => taken.length === 6, 5000, () => 'the other four taken');
      expect(new Set(taken).size).toBe(6);
    } finally {
      await watcher.stop();
    }
  });
});

describe('InboxWatcher usePolling', () => {
  it('finds a file dropped after the start by listing the inbox every pollIntervalMs, without file events', async () => {
    const { InboxWatcher } = await import('../../../src/agent/intake/watcher.js');
    const inbox = await makeTempDir();
    const taken: string[] = [];
    const watcher = new InboxWatcher({ inbox, stabilityMs: 0, sweepMs: 600_000, usePolling: true, pollIntervalMs: 100, log: captureLogger().log, onReady: async (name) => void taken.push(name) });
    await watcher.start();
    try {
      await fs.writeFile(path.join(inbox, 'late.xml'), '<a/>');
      await waitFor(() => taken.includes('late.xml'), 3000, () => 'the file found by a listing');
    } finally {
      await watcher.stop();
    }
  });
});
