import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { mergeSettings, resolveTask } from '../../src/tasks/run-plan.js';
import { FileRouter, globToRegExp } from '../../src/tasks/file-router.js';
import { MAX_TASK_REQUEST_BYTES } from '../../src/tasks/task-request.js';
import type { AppConfig } from '../../src/config/load.js';
import { TaskRegistry } from '../../src/tasks/registry.js';
import { makeTempDir, testConfig } from '../support/workspace.js';
import { echoTask, exportTask, testTasks } from '../support/tasks.js';

let dir: string;
let config: AppConfig;
const registry = new TaskRegistry(testTasks);

async function file(name: string, content: string): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, content);
  return p;
}

beforeEach(async () => {
  dir = await makeTempDir();
  config = testConfig(dir, {
    tasks: { nightly: { type: 'test.export', connection: 'shop', settings: { outputFile: 'nightly.xml', count: 5 } } },
    routes: [
      { pattern: 'PAY-*.xml', task: 'test.echo', connection: 'main' },
      { pattern: 'night?.trigger', task: 'nightly' },
    ],
  });
});

describe('globToRegExp', () => {
  it('matches * and ? case-insensitively and nothing else specially', () => {
    expect(globToRegExp('pay-*.xml').test('PAY-2026.XML')).toBe(true);
    expect(globToRegExp('a?.xml').test('ab.xml')).toBe(true);
    expect(globToRegExp('a?.xml').test('abc.xml')).toBe(false);
    expect(globToRegExp('a.xml').test('abxml')).toBe(false);
    expect(globToRegExp('(x)+.xml').test('(x)+.xml')).toBe(true);
  });
});

describe('FileRouter', () => {
  it('routes by the root element to the registered import task', async () => {
    const route = await new FileRouter(config, registry).route(await file('in.xml', '<?xml version="1.0"?>\n<Echo><item/></Echo>'), 'in.xml');
    expect(route.definition).toBe(echoTask);
    expect(route.takesInput).toBe(true);
    expect(route.reason).toBe('root <Echo>');
  });

  it('applies route rules first, in order, by file name', async () => {
    const router = new FileRouter(config, registry);
    const byType = await router.route(await file('pay-1.xml', '<Anything/>'), 'pay-1.xml');
    expect(byType).toMatchObject({ definition: echoTask, connection: 'main', reason: 'route rule 1 (PAY-*.xml)' });
    const byName = await router.route(await file('night1.trigger', 'go'), 'night1.trigger');
    expect(byName).toMatchObject({ definition: exportTask, taskName: 'nightly', connection: 'shop', settings: { outputFile: 'nightly.xml', count: 5 } });
  });

  it('reads XML and JSON task requests, a configured task as the base', async () => {
    const router = new FileRouter(config, registry);
    const xml = await router.route(
      await file('r.xml', '<TaskRequest><name>nightly</name><settings><Count>7</Count><extra><reference>a</reference><reference>b</reference></extra></settings></TaskRequest>'),
      'r.xml',
    );
    expect(xml).toMatchObject({ definition: exportTask, taskName: 'nightly', takesInput: false, reason: 'task request' });
    expect(xml.settings).toEqual({ outputFile: 'nightly.xml', Count: '7', extra: { reference: ['a', 'b'] } });
    const json = await router.route(await file('r.json', JSON.stringify({ task: 'test.export', connection: 'x', settings: { outputFile: 'o.xml' } })), 'r.json');
    expect(json).toMatchObject({ definition: exportTask, connection: 'x', settings: { outputFile: 'o.xml' } });
  });

  it.each([
    ['<TaskRequest><task>test.export</task><bogus>1</bogus></TaskRequest>', 'DW_TASK_REQUEST_INVALID', 'bogus'],
    ['<TaskRequest><settings/></TaskRequest>', 'DW_TASK_REQUEST_INVALID', 'names no task'],
    ['<TaskRequest><task>a</task><task>b</task></TaskRequest>', 'DW_TASK_REQUEST_INVALID', 'more than once'],
    ['<TaskRequest><task>nope.task</task></TaskRequest>', 'DW_TASK_UNKNOWN', 'test.echo'],
    ['<TaskRequest><name>missing</name></TaskRequest>', 'DW_TASK_UNKNOWN', 'nightly'],
    ['<TaskRequest><name>nightly</name><task>test.echo</task></TaskRequest>', 'DW_TASK_REQUEST_INVALID', 'test.export'],
    ['<TaskRequest><task>test.export</task><settings>text</settings></TaskRequest>', 'DW_TASK_REQUEST_INVALID', 'one element per setting'],
    ['{"task": "test.export", "when": "now"}', 'DW_TASK_REQUEST_INVALID', '"when"'],
    ['{"task": ', 'DW_TASK_REQUEST_INVALID', 'JSON'],
    ['<Unknown/>', 'DW_UNKNOWN_ROOT', '<Echo>'],
    ['not xml at all', 'DW_XML_MALFORMED', 'XML'],
    ['   \n ', 'DW_FILE_EMPTY', 'empty'],
  ])('refuses %j with %s', async (content, code, mentions) => {
    const err = await new FileRouter(config, registry).route(await file('x.xml', content), 'x.xml').catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as { fullMessage: string }).fullMessage).toContain(mentions);
  });

  it('refuses an empty file, an oversized file and an oversized task request', async () => {
    const router = new FileRouter({ ...config, processing: { ...config.processing, maxFileBytes: 2 * MAX_TASK_REQUEST_BYTES } }, registry);
    await expect(router.route(await file('e.xml', ''), 'e.xml')).rejects.toMatchObject({ code: 'DW_FILE_EMPTY' });
    const big = `<TaskRequest><task>test.export</task><!--${'x'.repeat(MAX_TASK_REQUEST_BYTES)}--></TaskRequest>`;
    await expect(router.route(await file('big.xml', big), 'big.xml')).rejects.toMatchObject({ code: 'DW_TASK_REQUEST_INVALID' });
    const small = new FileRouter({ ...config, processing: { ...config.processing, maxFileBytes: 10 } }, registry);
    await expect(small.route(await file('l.xml', '<Echo>more than ten bytes</Echo>'), 'l.xml')).rejects.toMatchObject({ code: 'DW_FILE_TOO_LARGE' });
  });
});

describe('resolveTask', () => {
  it('merges settings case-insensitively, the request winning', () => {
    expect(mergeSettings({ exportMode: 'All', pageSize: 10 }, { ExportMode: 'New' })).toEqual({ pageSize: 10, ExportMode: 'New' });
  });

  it('takes a task type with its connection', () => {
    expect(resolveTask({ type: 'test.export', connection: 'c' }, config, registry)).toMatchObject({ definition: exportTask, connection: 'c', settings: {} });
  });
});

describe('TaskRegistry', () => {
  it('refuses two tasks for one type or one root', () => {
    expect(() => new TaskRegistry([echoTask as never, echoTask as never])).toThrow(/test.echo/);
    expect(() => new TaskRegistry([echoTask as never, { ...echoTask, type: 'other' } as never])).toThrow(/<Echo>/);
    expect(registry.types()).toEqual(['test.echo', 'test.export', 'test.slow']);
    expect(registry.roots()).toEqual(['Echo', 'Slow']);
  });
});
