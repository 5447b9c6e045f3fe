// What the agent does when the state cannot be read, and when a file left for a retry disappears:
// neither is retried forever.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../support/capture-log.js';
import { createTestAgent, echoDocument, filesUnder, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

const running: TestAgent[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

describe('agent: state and work folder trouble', () => {
  it('an unreadable run history fails the file clearly (DW_STATE_READ), once, instead of retrying it forever', async () => {
    const dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'state'), { recursive: true });
    await fs.writeFile(path.join(dir, 'state', 'runs.json'), '{ "runs": [ torn');
    const t = createTestAgent(dir, { deps: { retryDelayMs: 50 } });
    running.push(t);
    await t.agent.start();
    await fs.writeFile(path.join(dir, 'inbox', 'a.xml'), echoDocument('a', 1));
    const [result] = await t.processed(1, 10_000);
    expect(result).toMatchObject({ disposition: 'failed', error: { code: 'DW_STATE_READ' } });
    const errorXml = await fs.readFile(path.join(dir, 'outbox', 'fail', 'a.xml.error.xml'), 'utf8');
    expect(errorXml).toContain('<code>DW_STATE_READ</code>');
    expect(errorXml).toContain('runs.json');
    await sleep(500);
    expect(t.results).toHaveLength(1);
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
