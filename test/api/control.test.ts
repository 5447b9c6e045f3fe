// Work handed to a running agent through its API, on real folders over real HTTP: a configured task
// run (202 with an id, followed to its end through GET /api/runs/:id, 409 while it runs) and a file
// the caller has claimed into work/processing (only a claimed name is taken, never a path or a link).
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { claimFile } from '../../src/agent/intake/claim.js';
import { logProgress } from '../../src/agent/pipeline/progress.js';
import { AgentApiClient } from '../../src/api/client.js';
import type { HandedOverRun } from '../../src/api/control.js';
import { LiveRuns } from '../../src/api/live-runs.js';
import { ApiServer } from '../../src/api/server.js';
import { DropwiseError, isDropwiseError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { TaskDefinition } from '../../src/tasks/types.js';
import { call } from '../support/http-call.js';
import { testTasks } from '../support/tasks.js';
import { createTestAgent, echoDocument, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

let harness: TestAgent | undefined;
let api: ApiServer | undefined;
afterEach(async () => {
  await api?.close();
  await harness?.agent.stop({ graceMs: 2000 });
  await harness?.runtime.close();
  api = undefined;
  harness = undefined;
});

/** test.gate: a configured task that reports progress and waits until the test opens the gate. */
let openGate = (): void => undefined;
const gateTask: TaskDefinition<Record<string, never>> = {
  type: 'test.gate',
  connector: 'traede',
  summary: 'Waits for the test',
  parseSettings: () => ({}),
  async run(_input, ctx) {
    ctx.progress({ records: 1, total: 2 });
    await new Promise<void>((resolve) => (openGate = resolve));
    if (ctx.signal.aborted) throw new DropwiseError('DW_SHUTDOWN', 'Stopped', { retryable: true });
    return { status: 'success', recordsIn: 2, recordsOk: 2, recordsFailed: 0, outputs: [] };
  },
};

async function start(): Promise<{ h: TestAgent; client: AgentApiClient; url: string }> {
  const liveRuns = new LiveRuns();
  harness = createTestAgent(await makeTempDir(), {
    config: { api: { port: 0 }, tasks: { gate: { type: 'test.gate', settings: {} }, broken: { type: 'test.export', settings: { outputFile: 'x.xml', fail: true } } } },
    tasks: [...testTasks, gateTask as TaskDefinition],
    deps: { progress: liveRuns.track(logProgress(silentLogger())) },
  });
  await harness.agent.start();
  api = await ApiServer.start({ config: harness.config, agent: harness.agent, log: silentLogger(), liveRuns });
  return { h: harness, client: await AgentApiClient.connect(harness.config, {}), url: api.url };
}

async function untilEnded(client: AgentApiClient, id: string): Promise<HandedOverRun> {
  for (;;) {
    const run = await client.get<HandedOverRun>(`/api/runs/${id}`);
    if (run.status !== 'running') return run;
    await sleep(50);
  }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!isDropwiseError(err)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err.message;
}

describe('handing work to the running agent', () => {
  it('runs a configured task at once, shows it running with its progress, refuses a second run with 409, and ends with its outcome', async () => {
    const { client, h } = await start();
    const started = await client.post<HandedOverRun>('/api/tasks/gate/run');
    expect(started).toMatchObject({ kind: 'task', name: 'gate', status: 'running', id: expect.stringMatching(/^h-/) });
    await waitFor(async () => (await client.get<HandedOverRun>(`/api/runs/${started.id}`)).progress?.records === 1, 5000);
    expect(await client.get<HandedOverRun>(`/api/runs/${started.id}`)).toMatchObject({ status: 'running', progress: { records: 1, total: 2 } });
    expect(await refusal(client.post('/api/tasks/gate/run'))).toBe("The agent's API answered POST /api/tasks/gate/run with 409: Task gate is running already; wait for that run to end (dropwise status shows it), then start it again");
    openGate();
    const ended = await untilEnded(client, started.id);
    expect(ended).toMatchObject({ status: 'success', outcome: { status: 'success', recordsIn: 2, recordsOk: 2, recordsFailed: 0 }, runId: expect.any(String) });
    expect(await h.runtime.store.runs.get(ended.runId!)).toMatchObject({ taskName: 'gate', trigger: 'cli', result: 'success' });
  });

  it("reports a failed task run's error, and refuses unknown tasks, unknown runs and a POST without the CSRF token", async () => {
    const { client, url } = await start();
    const started = await client.post<HandedOverRun>('/api/tasks/broken/run');
    const ended = await untilEnded(client, started.id);
    expect(ended).toMatchObject({ status: 'failed', outcome: { status: 'failed', error: { code: 'DW_TRAEDE_AUTH', fullMessage: 'Traede refused the token. Check the token in the config' } } });
    expect(await refusal(client.post('/api/tasks/nope/run'))).toContain('404: No task "nope" in the agent\'s config (tasks: gate, broken)');
    expect(await refusal(client.get('/api/runs/h-unknown'))).toContain('404: No run h-unknown was handed to this agent');
    expect((await call(`${url}/api/tasks/broken/run`, { method: 'POST' })).status).toBe(403);
  });

  it('processes a file the caller claimed into work/processing, as an inbox file', async () => {
    const { client, h } = await start();
    const outside = path.join(h.dir, 'elsewhere');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'hand.xml'), echoDocument('hand', 3));
    const claimed = await claimFile(path.join(outside, 'hand.xml'), h.agent.workspace);
    const started = await client.post<HandedOverRun>('/api/files', { claimed: path.basename(claimed!.path) });
    expect(started).toMatchObject({ kind: 'file', name: 'hand.xml', status: 'running' });
    const ended = await untilEnded(client, started.id);
    expect(ended).toMatchObject({ status: 'success', disposition: 'archived', route: { definition: { type: 'test.echo' } }, outcome: { recordsOk: 3 }, file: { name: 'hand.xml' } });
    await expect(fs.stat(ended.path!)).resolves.toBeTruthy();
    expect(await fs.readdir(h.agent.workspace.processing)).toEqual([]);
  });

  it('takes only a regular file directly in work/processing by its claimed name: no path, no link, nothing else', async () => {
    const { client, h, url } = await start();
    const secret = path.join(h.dir, 'secret.xml');
    await fs.writeFile(secret, echoDocument('secret', 1));
    const link = '20260101T000000000-abcdef__link.xml';
    await fs.symlink(secret, path.join(h.agent.workspace.processing, link));
    await fs.mkdir(path.join(h.agent.workspace.processing, '20260101T000000000-abcdef__folder.xml'));
    for (const [name, message] of [
      [link, `work/processing has no regular file ${link}`],
      ['20260101T000000000-abcdef__folder.xml', 'work/processing has no regular file 20260101T000000000-abcdef__folder.xml'],
      [`../${path.basename(h.dir)}/secret.xml`, 'is not the name of a claimed file in work/processing'],
      [secret, 'is not the name of a claimed file in work/processing'],
      ['20260101T000000000-abcdef__missing.xml', 'work/processing has no regular file'],
    ]) {
      expect(await refusal(client.post('/api/files', { claimed: name }))).toMatch(new RegExp(`400: .*${message!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
    const csrf = (await call(`${url}/api/session`)).json<{ csrfToken: string }>().csrfToken;
    const noBody = await call(`${url}/api/files`, { method: 'POST', headers: { 'x-dropwise-csrf': csrf }, body: 'not json' });
    expect(noBody.status).toBe(400);
    // Nothing was read through the link or moved.
    expect(await fs.readFile(secret, 'utf8')).toBe(echoDocument('secret', 1));
    expect((await fs.lstat(path.join(h.agent.workspace.processing, link))).isSymbolicLink()).toBe(true);
    expect(await fs.readdir(h.config.folders.success)).toEqual([]);
  });
});
