// The pipeline end to end, in-process, on real temp folders, with the test tasks of test/support/tasks.ts.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimedFile, newClaimId } from '../../src/agent/intake/claim.js';
import { archiveDay } from '../../src/agent/pipeline/disposition.js';
import { Journal } from '../../src/agent/pipeline/journal.js';
import { captureLogger } from '../support/capture-log.js';
import { createTestAgent, echoDocument, filesUnder, makeTempDir, waitFor, type TestAgent } from '../support/workspace.js';

const running: TestAgent[] = [];

async function started(options: Parameters<typeof createTestAgent>[1] = {}, dir?: string): Promise<TestAgent> {
  const t = createTestAgent(dir ?? (await makeTempDir()), options);
  running.push(t);
  await t.agent.start();
  return t;
}

afterEach(async () => {
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

const folder = (t: TestAgent, ...parts: string[]) => path.join(t.dir, ...parts);

describe('agent: whole-file failures go to outbox/fail with a <name>.error.xml', () => {
  it.each([
    ['malformed.xml', '<Echo><item><n>1</n></item><item>', 'DW_XML_MALFORMED', /not well-formed XML.*Check that the file is complete/, 'test.echo'],
    ['unknown root.xml', '<Invoices><x/></Invoices>', 'DW_UNKNOWN_ROOT', /root element is <Invoices>.*known roots: <TaskRequest>, <Echo>.*add a route rule/, '<Invoices>'],
    ['empty.xml', '', 'DW_FILE_EMPTY', /empty.*drop the file again/, '(none)'],
    ['Zahlungen März 2026 – ünïcødé.xml', '<Nope/>', 'DW_UNKNOWN_ROOT', /<Nope>/, '<Nope>'],
    ['dropped back.xml.error.xml', '<errors><error><code>X</code></error></errors>', 'DW_UNKNOWN_ROOT', /root element is <errors>/, '<errors>'],
    ['request.xml', '<TaskRequest><task>test.export</task><settings><outputFile>x.xml</outputFile><fail>true</fail></settings></TaskRequest>', 'DW_TRAEDE_AUTH', /refused the token. Check the token/, 'test.export'],
    ['unknown task.xml', '<TaskRequest><task>no.such.task</task></TaskRequest>', 'DW_TASK_UNKNOWN', /no\.such\.task/, '<TaskRequest>'],
  ])('%s → %s', async (name, content, code, message, task) => {
    const t = await started();
    await fs.writeFile(folder(t, 'inbox', name), content);
    const [result] = await t.processed(1);
    expect(result).toMatchObject({ disposition: 'failed', error: { code } });
    expect(await fs.readFile(folder(t, 'outbox', 'fail', name), 'utf8')).toBe(content);
    const errorXml = await fs.readFile(folder(t, 'outbox', 'fail', `${name}.error.xml`), 'utf8');
    expect(errorXml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<errors>\n {2}<error>\n {4}<code>/);
    expect(errorXml).toContain(`<code>${code}</code>`);
    const text = errorXml.replace(/&lt;/g, '<').replace(/&gt;/g, '>');
    expect(text).toMatch(message);
    expect(await filesUnder(folder(t, 'work', 'processing'))).toEqual([]);
    expect(await filesUnder(folder(t, 'inbox'))).toEqual([]);
    const [run] = await t.runtime.store.runs.recent(1);
    expect(run).toMatchObject({ id: result?.runId, task, file: name, trigger: 'file', result: 'failed', error: { code } });
  });

  it('never overwrites an earlier failed file of the same name', async () => {
    const t = await started();
    await fs.writeFile(folder(t, 'inbox', 'bad.xml'), '<Nope/>');
    await t.processed(1);
    await fs.writeFile(folder(t, 'inbox', 'bad.xml'), '<Nope2/>');
    await t.processed(2);
    expect(await filesUnder(folder(t, 'outbox', 'fail'))).toEqual(['bad (2).xml', 'bad (2).xml.error.xml', 'bad.xml', 'bad.xml.error.xml']);
    expect(await fs.readFile(folder(t, 'outbox', 'fail', 'bad (2).xml'), 'utf8')).toBe('<Nope2/>');
  });
});

describe('agent: successful files', () => {
  it('writes the outputs, archives the original in a dated folder and records the run', async () => {
    const t = await started();
    await fs.writeFile(folder(t, 'inbox', 'ok file.xml'), echoDocument('A', 3));
    const [result] = await t.processed(1);
    expect(result).toMatchObject({ disposition: 'archived', outcome: { status: 'success', recordsIn: 3, recordsOk: 3 } });
    const out = await fs.readFile(folder(t, 'outbox', 'success', 'ok file.out.xml'), 'utf8');
    expect(out.match(/<tag>A<\/tag>/g)).toHaveLength(3);
    const archived = await filesUnder(folder(t, 'archive'));
    expect(archived).toEqual([path.join(archiveDay(), `${result?.file.id}__ok file.xml`)]);
    const [run] = await t.runtime.store.runs.recent(1);
    expect(run).toMatchObject({ task: 'test.echo', file: 'ok file.xml', trigger: 'file', result: 'success', recordsOk: 3, outputs: [folder(t, 'outbox', 'success', 'ok file.out.xml')] });
  });

  it('writes success and fail outputs for a partly failed file, and deletes originals when configured', async () => {
    const t = await started({ config: { processing: { originals: 'delete' } } });
    await fs.writeFile(folder(t, 'inbox', 'p.xml'), '<Echo><item><n>1</n></item><item><fail>yes</fail></item></Echo>');
    const [result] = await t.processed(1);
    expect(result).toMatchObject({ disposition: 'deleted', outcome: { status: 'partial', recordsOk: 1, recordsFailed: 1 } });
    expect(await filesUnder(folder(t, 'outbox'))).toEqual([path.join('fail', 'p.fail.xml'), path.join('success', 'p.out.xml')]);
    expect(await filesUnder(folder(t, 'archive'))).toEqual([]);
  });

  it('runs a task request and archives the request after its output is written', async () => {
    const t = await started();
    await fs.writeFile(folder(t, 'inbox', 'go.json'), JSON.stringify({ task: 'test.export', settings: { outputFile: 'export.xml', count: 2 } }));
    const [result] = await t.processed(1);
    expect(result).toMatchObject({ disposition: 'archived', route: { takesInput: false } });
    expect(await fs.readFile(folder(t, 'outbox', 'success', 'export.xml'), 'utf8')).toMatch(/<key>test\.export@default#[0-9a-f]{12}<\/key>/);
  });

  it('ignores temp names, and refuses sub-folders visibly without reading into them', async () => {
    const t = await started();
    await fs.mkdir(folder(t, 'inbox', 'sub'));
    await fs.writeFile(folder(t, 'inbox', 'sub', 'nested.xml'), echoDocument('N', 1));
    await fs.writeFile(folder(t, 'inbox', 'copying.tmp'), echoDocument('T', 1));
    await fs.writeFile(folder(t, 'inbox', 'real.xml'), echoDocument('R', 1));
    await t.processed(1);
    await waitFor(async () => (await filesUnder(folder(t, 'outbox', 'fail'))).length === 2, 10_000, () => 'the sub-folder refused');
    await t.agent.stop();
    expect(t.results).toHaveLength(1);
    expect(await filesUnder(folder(t, 'inbox'))).toEqual(['copying.tmp']);
    expect(await filesUnder(folder(t, 'outbox', 'fail'))).toEqual(['sub.error.xml', path.join('sub', 'nested.xml')]);
    expect(await fs.readFile(folder(t, 'outbox', 'fail', 'sub.error.xml'), 'utf8')).toContain('<code>DW_FILE_NOT_REGULAR</code>');
  });
});

describe('agent: an outbox that cannot be written', () => {
  it('logs a clear error, keeps the input in work/processing, and finishes once the outbox is fixed', async () => {
    const { log, lines } = captureLogger();
    const t = await started({ deps: { log, retryDelayMs: 300 } });
    const success = folder(t, 'outbox', 'success');
    await fs.rm(success, { recursive: true });
    await fs.writeFile(success, 'not a folder');
    await fs.writeFile(folder(t, 'inbox', 'pay.xml'), echoDocument('P', 2));
    const [first] = await t.processed(1);
    expect(first).toMatchObject({ disposition: 'retry', error: { code: 'DW_OUTPUT_WRITE' } });
    const processing = await filesUnder(folder(t, 'work', 'processing'));
    expect(processing).toEqual([`${first?.file.id}__pay.xml`]);
    const error = lines.find((l) => l.level === 'error');
    expect(error?.message).toContain('DW_OUTPUT_WRITE');
    expect(error?.message).toContain(success);
    expect(error?.message).toContain('stays in work/processing and is retried');

    await fs.rm(success);
    await fs.mkdir(success);
    const results = await t.processed(2, 10_000);
    expect(results.at(-1)).toMatchObject({ disposition: 'archived' });
    expect(await filesUnder(success)).toEqual(['pay.out.xml']);
    expect(await filesUnder(folder(t, 'work', 'processing'))).toEqual([]);
    expect(await filesUnder(folder(t, 'work', 'tmp'))).toEqual([]);
  });
});

describe('agent: start-up recovery', () => {
  it('resumes every file left in work/processing and drops stale temp files', async () => {
    const dir = await makeTempDir();
    const processing = path.join(dir, 'work', 'processing');
    await fs.mkdir(processing, { recursive: true });
    await fs.mkdir(path.join(dir, 'work', 'tmp'), { recursive: true });
    await fs.writeFile(path.join(dir, 'work', 'tmp', 'run-abc.tmp'), 'half an output');
    for (const name of ['a.xml', 'b.xml']) await fs.writeFile(claimedFile(processing, newClaimId(), name).path, echoDocument(name, 2));
    const t = await started({}, dir);
    await t.processed(2);
    expect(await filesUnder(folder(t, 'outbox', 'success'))).toEqual(['a.out.xml', 'b.out.xml']);
    expect(await filesUnder(folder(t, 'work'))).toEqual(['dropwise.lock', 'journal.log']);
  });

  it('only disposes of a file whose outputs were committed before a crash', async () => {
    const dir = await makeTempDir();
    const processing = path.join(dir, 'work', 'processing');
    await fs.mkdir(processing, { recursive: true });
    const claimed = claimedFile(processing, newClaimId(), 'done.xml');
    await fs.writeFile(claimed.path, echoDocument('D', 1));
    const journal = await Journal.open(path.join(dir, 'work', 'journal.log'), { compact: false });
    await journal.record({ event: 'claimed', id: claimed.id, name: claimed.name });
    await journal.record({ event: 'committed', id: claimed.id, status: 'success', outputs: ['/somewhere/done.out.xml'] });
    await journal.close();
    const t = await started({}, dir);
    const [result] = await t.processed(1);
    expect(result).toMatchObject({ disposition: 'archived' });
    expect(result?.runId).toBeUndefined();
    expect(await filesUnder(folder(t, 'outbox', 'success'))).toEqual([]);
  });
});

describe('agent: stop', () => {
  it('signals running tasks, and leaves an interrupted file in work/processing for the next start', async () => {
    const dir = await makeTempDir();
    const t = await started({}, dir);
    const items = Array.from({ length: 50 }, (_, i) => `<r>${i}</r>`).join('');
    await fs.writeFile(folder(t, 'inbox', 'slow.xml'), `<Slow>${items}</Slow>`);
    await waitFor(async () => (await filesUnder(folder(t, 'work', 'processing'))).length === 1);
    await waitFor(async () => (await t.runtime.store.runs.recent(1)).length === 1);
    await t.agent.stop({ graceMs: 5000 });
    expect(t.results).toMatchObject([{ disposition: 'interrupted', error: { code: 'DW_SHUTDOWN' } }]);
    expect(await filesUnder(folder(t, 'work', 'processing'))).toHaveLength(1);
    const [run] = await t.runtime.store.runs.recent(1);
    expect(run?.result).toBe('interrupted');
  });
});
