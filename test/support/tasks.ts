// Small task definitions for the pipeline tests: they use the real contract (TaskContext, Outbox,
// the XML reader and writer), so the agent is tested as the real tasks will use it.
import { setTimeout as sleep } from 'node:timers/promises';
import { DropwiseError } from '../../src/errors.js';
import { SettingsReader, baseName } from '../../src/tasks/settings.js';
import type { OutputFile, TaskContext, TaskDefinition, TaskOutcome } from '../../src/tasks/types.js';
import { elementToValue, readRecords } from '../../src/xml/reader.js';
import { XmlDocumentWriter } from '../../src/xml/writer.js';

async function writeDocument(out: OutputFile, root: string, records: unknown[]): Promise<string> {
  const writer = new XmlDocumentWriter(out.stream);
  await writer.start(root);
  for (const record of records) await writer.write('record', record);
  await writer.end();
  return out.commit();
}

/**
 * test.echo: reads <Echo> records; a record with <fail> goes to `<base>.fail.xml`, the others to
 * `<base>.out.xml` in outbox/success.
 */
export const echoTask: TaskDefinition<{ base: string }> = {
  type: 'test.echo',
  connector: 'connectwise',
  summary: 'Copies <Echo> records to outputs',
  inputRoot: 'Echo',
  parseSettings(raw, input) {
    const reader = new SettingsReader(raw, 'test.echo');
    const base = reader.string('base') ?? baseName(input?.name ?? 'echo');
    reader.done();
    return { base };
  },
  async run({ settings, input }, ctx) {
    if (!input) throw new DropwiseError('DW_INTERNAL', 'test.echo needs an input file');
    const ok: unknown[] = [];
    const failed: unknown[] = [];
    for await (const { element } of readRecords(input.path, { expectRoot: 'Echo' })) {
      const value = elementToValue(element) as Record<string, unknown>;
      (value['fail'] !== undefined ? failed : ok).push(value);
      ctx.progress({ records: ok.length + failed.length });
    }
    const outputs = [await writeDocument(await ctx.outbox.create('success', `${settings.base}.out.xml`), 'Echoed', ok)];
    if (failed.length > 0) outputs.push(await writeDocument(await ctx.outbox.create('fail', `${settings.base}.fail.xml`), 'Failed', failed));
    const status: TaskOutcome['status'] = failed.length > 0 ? 'partial' : ok.length === 0 ? 'empty' : 'success';
    return { status, recordsIn: ok.length + failed.length, recordsOk: ok.length, recordsFailed: failed.length, outputs };
  },
  async validateFile(path) {
    const problems: { record?: number; code: string; message: string }[] = [];
    let records = 0;
    for await (const { index, element } of readRecords(path, { expectRoot: 'Echo' })) {
      records++;
      if ((elementToValue(element) as Record<string, unknown>)['fail'] !== undefined) problems.push({ record: index + 1, code: 'DW_RECORD_INVALID', message: 'the record asks to fail' });
    }
    return { ok: problems.length === 0, records, problems };
  },
};

/** test.export: an export started by a task request or schedule; writes `count` records to `outputFile`. */
export const exportTask: TaskDefinition<{ outputFile: string; count: number; fail: boolean }> = {
  type: 'test.export',
  connector: 'traede',
  summary: 'Writes a small export',
  parseSettings(raw) {
    const reader = new SettingsReader(raw, 'test.export');
    const settings = { outputFile: reader.string('outputFile', { required: true }), count: reader.int('count', { min: 0, max: 1000, default: 3 }), fail: reader.bool('fail', false) };
    reader.done();
    return settings;
  },
  async run({ settings }, ctx: TaskContext) {
    if (settings.fail) throw new DropwiseError('DW_TRAEDE_AUTH', 'Traede refused the token', { hint: 'Check the token in the config' });
    const records = Array.from({ length: settings.count }, (_, i) => ({ id: i + 1, key: ctx.taskKey }));
    const output = await writeDocument(await ctx.outbox.create('success', settings.outputFile), 'Exported', records);
    return { status: records.length > 0 ? 'success' : 'empty', recordsIn: records.length, recordsOk: records.length, recordsFailed: 0, outputs: [output] };
  },
};

/** test.slow: an import that takes `delayMs` per record and stops when the agent stops. */
export const slowTask: TaskDefinition<{ delayMs: number }> = {
  type: 'test.slow',
  connector: 'connectwise',
  summary: 'Slow import for shutdown tests',
  inputRoot: 'Slow',
  parseSettings: () => ({ delayMs: 200 }),
  async run({ settings, input }, ctx) {
    let n = 0;
    for await (const record of readRecords((input as { path: string }).path)) {
      if (ctx.signal.aborted) throw new DropwiseError('DW_SHUTDOWN', 'Stopped by the agent', { retryable: true });
      await sleep(settings.delayMs);
      n = record.index + 1;
    }
    return { status: 'success', recordsIn: n, recordsOk: n, recordsFailed: 0, outputs: [] };
  },
};

export const testTasks: TaskDefinition[] = [echoTask as TaskDefinition, exportTask as TaskDefinition, slowTask as TaskDefinition];
