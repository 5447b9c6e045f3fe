// What the agent does when the state is damaged (a run history is set aside; watermarks and the truth
// table refuse the start), and when a file left for a retry disappears: it is not retried forever.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/state/lock-file.js';
import { captureLogger } from '../support/capture-log.js';
import { createTestAgent, echoDocument, filesUnder, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

const running: TestAgent[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

describe('agent: state and work folder trouble', () => {
  it('a damaged run history is set aside with a loud warning, and files are processed with a new one', async () => {
    const dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'state'), { recursive: true });
    await fs.writeFile(path.join(dir, 'state', 'runs.json'), '{ "runs": [ torn');
    const { log, lines } = captureLogger();
    const t = createTestAgent(dir, { deps: { log } });
    running.push(t);
    await t.agent.start();
    const warning = lines.find((l) => l.message.includes('THE RUN HISTORY WAS DAMAGED'));
    expect(warning?.level).toBe('error');
    const aside = (await fs.readdir(path.join(dir, 'state'))).filter((n) => n.startsWith('runs.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(warning?.message).toContain(aside[0]);
    expect(await fs.readFile(path.join(dir, 'state', aside[0] as string), 'utf8')).toBe('{ "runs": [ torn');
    await fs.writeFile(path.join(dir, 'inbox', 'a.xml'), echoDocument('a', 1));
    const [result] = await t.processed(1, 10_000);
    expect(result).toMatchObject({ disposition: 'archived' });
    expect((await t.runtime.store.runs.recent(5)).map((r) => r.result)).toEqual(['success']);
  });

  it.each([
    ['watermarks', 'watermarks.json', 'exported again'],
    ['the truth table', path.join('truth', 'truth-07.json'), 'creating records twice'],
    ['the truth log', path.join('truth', 'truth.log'), 'creating records twice'],
  ])('damaged %s refuse the start (DW_STATE_READ, saying how to repair) and leave no lock behind', async (_, file, hint) => {
    const dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'state', 'truth'), { recursive: true });
    await fs.writeFile(path.join(dir, 'state', file), '{"torn": \n{"entries"\n');
    const t = createTestAgent(dir);
    const started = t.agent.start();
    await expect(started).rejects.toMatchObject({ code: 'DW_STATE_READ', message: expect.stringContaining(file), hint: expect.stringContaining(hint) });
    expect(await fs.readFile(path.join(dir, 'state', file), 'utf8')).toBe('{"torn": \n{"entries"\n');
    await (await acquireLock(path.join(dir, 'state'), 'run')).release();
    await (await acquireLock(path.join(dir, 'work'), 'run')).release();
  });

  it('a file that vanished from work/processing while waiting for a retry is not tried again', async () => {
    const { log, lines } = captureLogger();
    const t = createTestAgent(await makeTempDir(), { deps: { log, retryDelayMs: 200 } });
    running.push(t);
    await t.agent.start();
    const success = path.join(t.dir, 'outbox', 'success');
    await fs.rm(success, { recursive: true });
    await fs.writeFile(success, 'not a folder');
    await fs.writeFile(path.join(t.dir, 'inbox', 'gone.xml'), echoDocument('g', 1));
    const [first] = await t.processed(1);
    expect(first).toMatchObject({ disposition: 'retry' });
    await fs.rm(first?.file.path as string);
    await waitFor(() => lines.some((l) => l.message.includes('is no longer in work/processing')), 5000);
    const seen = t.results.length;
    await sleep(1000);
    expect(t.results).toHaveLength(seen);
    expect(await filesUnder(path.join(t.dir, 'work', 'processing'))).toEqual([]);
  });
});
